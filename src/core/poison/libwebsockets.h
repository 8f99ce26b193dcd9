#error "src/core has no I/O: libwebsockets.h belongs in an adapter folder (see docs/ARCHITECTURE.md)"

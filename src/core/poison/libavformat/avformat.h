#error "src/core has no I/O: libavformat/avformat.h belongs in an adapter folder (see docs/ARCHITECTURE.md)"

#error "src/core has no I/O: gst/gst.h belongs in an adapter folder (see docs/ARCHITECTURE.md)"

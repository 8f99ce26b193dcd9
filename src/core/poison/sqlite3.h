#error "src/core has no I/O: sqlite3.h belongs in an adapter folder (see docs/ARCHITECTURE.md)"

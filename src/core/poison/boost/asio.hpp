#error "src/core has no I/O: boost/asio.hpp belongs in an adapter folder (see docs/ARCHITECTURE.md)"

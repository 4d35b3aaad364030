// Test support libraries: fakes/ (in-memory twins of the ports, for unit tests
// of one layer) and harness/ (real processes: nats-server, service binaries,
// a NATS client). This file gives each library a translation unit of its own
// so it builds whatever its folder holds.
namespace logistics::testing {
int support_library_anchor = 0;
}  // namespace logistics::testing

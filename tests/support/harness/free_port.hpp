// FreeTcpPort: a loopback TCP port that nobody listens on right now.
//
// Drawn at random below the kernel's ephemeral range
// (net.ipv4.ip_local_port_range, 32768-60999 by default): a free port inside
// that range can become the local end of any outgoing connection before the
// server the test starts binds it, and parallel tests open connections all the
// time (seen in CI: a service's metrics port taken that way). Below the range
// only another listener can take it, which is rare enough; a server that then
// fails to start says so in its log.
//
// Thread-safety: safe to call from any thread.
#pragma once

namespace logistics::testing {

// Returns a port in 10000..(start of the ephemeral range - 1), or one the
// kernel picks if none of 200 tries is free. Fails the running test (Catch2
// FAIL) if no socket can be created or bound.
int FreeTcpPort();

}  // namespace logistics::testing

// FreeTcpPort: a loopback TCP port that nobody listens on right now.
//
// The kernel picks the port (bind to 127.0.0.1:0), we read it back and close
// the socket. Another process could take the port before the caller binds it;
// on a test machine that is rare enough, and a server that then fails to start
// says so in its log.
//
// Thread-safety: safe to call from any thread.
#pragma once

namespace logistics::testing {

// Returns a port in 1..65535. Fails the running test (Catch2 FAIL) if no
// socket can be created or bound.
int FreeTcpPort();

}  // namespace logistics::testing

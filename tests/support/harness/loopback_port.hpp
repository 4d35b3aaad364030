// Looks at and holds TCP ports on 127.0.0.1, for tests of what starts servers
// on ports it is given (scripts/run, a README line ending in `&`).
//
// A look is only true at that moment: another process may bind or free the
// port right after. Thread-safety: the functions are safe from any thread; a
// PortHolder belongs to one.
#pragma once

#include <set>

namespace logistics::testing {

// True if a socket may bind 127.0.0.1:port now (nobody listens on it).
bool PortBindable(int port);

// True if something accepts a connection on 127.0.0.1:port now.
bool PortAccepts(int port);

// The first of `count` consecutive ports that may be bound now, none of them
// in `taken` (scripts/run derives its nodes' and processes' ports by counting
// up from one), below the kernel's ephemeral range like FreeTcpPort's. Fails
// the test (FAIL) after 200 tries.
int FreePortRun(int count, const std::set<int>& taken = {});

// A socket listening on 127.0.0.1:port for as long as it lives, so that a
// server given that port finds it taken. REQUIREs that it can listen.
class PortHolder {
 public:
  explicit PortHolder(int port);
  ~PortHolder();
  PortHolder(const PortHolder&) = delete;
  PortHolder& operator=(const PortHolder&) = delete;

 private:
  int fd_;
};

}  // namespace logistics::testing

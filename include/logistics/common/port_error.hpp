// PortError: a port (storage, network) could not do its job.
//
// Distinct from a rejection: a rejection is the domain saying "no" to a valid
// request; a PortError is the environment failing (disk full, database locked
// beyond its timeout). Transports answer it with 500 and never expose the
// message to clients beyond a generic text; it is logged in full.
//
// Thread-safety: a plain value.
#pragma once

#include <string>

namespace logistics::common {

struct PortError {
  std::string message;
};

}  // namespace logistics::common

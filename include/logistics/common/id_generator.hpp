// IdGenerator: the port through which code obtains new unique ids.
//
// Production code uses UuidV7Generator (uuid.hpp), whose ids sort by creation
// time; tests use a deterministic sequence (tests/support).
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <string>

namespace logistics::common {

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // A new id, unique within this system. Never fails.
  virtual std::string NextId() = 0;
};

}  // namespace logistics::common

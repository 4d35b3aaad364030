// PortError: a port (storage, network) could not do its job.
//
// Distinct from a rejection: a rejection is the domain saying "no" to a valid
// request; a PortError is the environment failing (disk full, database locked
// beyond its timeout) or refusing (an event larger than the message server
// takes). Transports answer it by its kind: 503 STORAGE_FULL (retry when
// space returns), 500 STORAGE_CORRUPT (an operator must restore the
// database), 400 EVENT_TOO_LARGE (the request makes an event the message
// server would refuse: nothing was changed), else 500 with a generic text;
// the message is logged, never sent to clients.
//
// Thread-safety: a plain value.
#pragma once

#include <string>

namespace logistics::common {

enum class PortErrorKind {
  kFailure,         // anything else: logged, answered 500 INTERNAL
  kStorageFull,     // no space left (disk full or the database's size limit)
  kStorageCorrupt,  // the database file is damaged
  kEventTooLarge,   // an event would exceed the message server's max_payload
};

struct PortError {
  std::string message;
  PortErrorKind kind = PortErrorKind::kFailure;
};

}  // namespace logistics::common

// ReplayError: why an export, an import or a validation run could not be done.
//
// These are failures of the environment or of the input as a whole (the
// stream does not exist, the file cannot be read, NATS refused a publish),
// not problems of single lines: those are LineProblem values, reported
// line by line. Every ReplayError is a runtime failure of the tool (exit 1);
// usage errors never get this far (the command line is checked first).
//
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>

namespace logistics::replay {

enum class ReplayErrorKind {
  kStreamNotFound,       // the named stream does not exist
  kSubjectNotCaptured,   // a line's subject is not one the target stream stores
  kFileUnreadable,       // the input file cannot be opened or read
  kOutputFailed,         // the output cannot be written, flushed or renamed
  kInvalidLines,         // some lines are invalid and nothing was published
  kNats,                 // NATS or JetStream failed (not connected, timeout, refused)
};

struct ReplayError {
  ReplayErrorKind kind = ReplayErrorKind::kNats;
  std::string message;  // says what failed and on what: "stream ORDERS does not exist"
};

// A short stable name for the kind ("stream-not-found"), for logs and tests.
std::string_view ToString(ReplayErrorKind kind);

}  // namespace logistics::replay

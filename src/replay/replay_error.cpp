#include "logistics/replay/replay_error.hpp"

namespace logistics::replay {

std::string_view ToString(ReplayErrorKind kind) {
  switch (kind) {
    case ReplayErrorKind::kStreamNotFound: return "stream-not-found";
    case ReplayErrorKind::kSubjectNotCaptured: return "subject-not-captured";
    case ReplayErrorKind::kFileUnreadable: return "file-unreadable";
    case ReplayErrorKind::kOutputFailed: return "output-failed";
    case ReplayErrorKind::kInvalidLines: return "invalid-lines";
    case ReplayErrorKind::kNats: return "nats";
  }
  return "unknown";  // unreachable: the switch names every kind
}

}  // namespace logistics::replay

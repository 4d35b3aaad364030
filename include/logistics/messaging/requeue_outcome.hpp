// RequeueOutcome: what became of an operator's requeue of a dead letter
// (EventConsumer::Requeue), for the admin endpoint to answer and log.
//
//   kApplied            the handler applied the event; the dead letter is resolved
//   kIgnored            the handler had nothing to do with it; resolved
//   kAlreadyProcessed   the inbox says the consumer processed the event since
//                       (a replay after its mark expired): the handler did not
//                       run; resolved
//   kFailedAgain        the handler (or its side effect) failed again: its
//                       effects were rolled back, and the dead letter stays,
//                       with `error` as its error and one more requeue
//   kNotADeadLetter     no such dead letter any more (requeued or discarded
//                       meanwhile): nothing changed
//   kStorageFull        the transaction was refused for lack of space: nothing changed
//   kUnavailable        the writer is stopping: nothing changed
//   kFailed             the transaction failed (`error` says why): nothing changed
//
// Thread-safety: a plain value.
#pragma once

#include <string>

#include "logistics/common/time.hpp"

namespace logistics::messaging {

struct RequeueOutcome {
  enum class Kind {
    kApplied,
    kIgnored,
    kAlreadyProcessed,
    kFailedAgain,
    kNotADeadLetter,
    kStorageFull,
    kUnavailable,
    kFailed,
  };
  Kind kind = Kind::kFailed;
  std::string error;
  common::Timestamp at{};  // when the transaction ran
};

}  // namespace logistics::messaging

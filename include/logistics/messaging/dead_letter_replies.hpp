// The replies of <service>.admin.dead-letters.{list,show,requeue,discard}.
//
// A dead letter (list item):
//   {"consumer","event_id","type" (the CloudEvent type, null when the payload
//    is no CloudEvent),"subject","stream_sequence","deliveries","error",
//    "dead_lettered_at","requeues","last_requeued_at" (null until a requeue
//    failed)}
// show adds "event": the stored CloudEvent as a JSON object, or null and
// "payload": the stored text when it is not JSON.
//
//   list     {"dead_letters":[...],"next_cursor":"..."|null}
//   show     the dead letter with its event
//   requeue  {"consumer","event_id","outcome":"applied"|"ignored"|
//            "already_processed","requeued_at","by","reason"}
//            (a failure again is 409 REQUEUE_FAILED, dead_letter_error.hpp)
//   discard  {"consumer","event_id","outcome":"discarded","discarded_at",
//            "by","reason"}
//
// Times are RFC 3339 UTC with milliseconds, as everywhere.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "logistics/common/time.hpp"
#include "logistics/messaging/sqlite_dead_letters.hpp"

namespace logistics::messaging {

// `page` holds at most `limit` + 1 dead letters: one more than the limit
// means another page follows, and is left out.
std::string DeadLetterPageReply(const std::vector<StoredDeadLetter>& page, std::size_t limit);
std::string DeadLetterShowReply(const StoredDeadLetter& letter);
std::string DeadLetterResolvedReply(const StoredDeadLetter& letter, DeadLetterOutcome outcome,
                                    const DeadLetterActor& actor, common::Timestamp at);

}  // namespace logistics::messaging

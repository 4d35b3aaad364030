// DeadLetterAdmin: the operators' endpoints for a service's dead letters,
// <service>.admin.dead-letters.{list,show,requeue,discard} (the subjects are
// laid out in service/admin_endpoints.hpp; requests in
// dead_letter_requests.hpp, replies in dead_letter_replies.hpp, errors in
// dead_letter_error.hpp).
//
//   List     a page of dead letters, of one consumer or all, oldest first.
//   Show     one dead letter with its stored event.
//   Requeue  runs the stored event through its consumer once, the way a
//            delivery runs (EventConsumer::Requeue: inbox check, handler,
//            effects, inbox record, in one writer transaction), and answers
//            the outcome: resolved (applied, ignored, or already processed
//            since), or 409 REQUEUE_FAILED with the new error, the event
//            staying a dead letter. Logged with who and why.
//   Discard  removes the dead letter for good (its inbox mark stays, so a
//            redelivery is still skipped), recording and logging who, when
//            and why (the request must say who and why).
//
// A dead letter that was requeued or discarded is answered 404
// DEAD_LETTER_NOT_FOUND saying how, when and by whom; a second requeue
// therefore changes nothing.
//
// Ownership: borrows the read pool, the writer, the clock and the consumers,
// which must outlive the endpoints' subscriptions. Thread-safety: the
// handlers run on the endpoints' nats.c threads, concurrently; requeues and
// discards are serialised by the writer.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/common/clock.hpp"
#include "logistics/common/result.hpp"
#include "logistics/messaging/error_reply.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/incoming_request.hpp"
#include "logistics/messaging/dead_letter_requests.hpp"
#include "logistics/messaging/sqlite_dead_letters.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/sqlite/read_pool.hpp"

namespace logistics::messaging {

class DeadLetterAdmin {
 public:
  using RequestPtr = std::shared_ptr<IncomingRequest>;

  DeadLetterAdmin(std::string service, sqlite::ReadPool& reads, Writer& writer,
                  const common::Clock& clock, std::vector<EventConsumer*> consumers,
                  std::size_t max_body_bytes);

  void List(const RequestPtr& request);
  void Show(const RequestPtr& request);
  void Requeue(const RequestPtr& request);
  void Discard(const RequestPtr& request);

 private:
  EventConsumer* ConsumerNamed(std::string_view name) const;
  // The dead letter `ref` names, as stored now; or the answer that says why
  // there is none (no such consumer, no such dead letter, which consumer?).
  common::Result<StoredDeadLetter, ErrorReply> Locate(const DeadLetterRef& ref);
  // Discards the dead letter through the writer and answers.
  void DiscardInWriter(const RequestPtr& request, const StoredDeadLetter& letter,
               const DeadLetterActor& actor);

  const std::string service_;
  sqlite::ReadPool& reads_;
  Writer& writer_;
  const common::Clock& clock_;
  const std::vector<EventConsumer*> consumers_;
  const std::size_t max_body_bytes_;
};

}  // namespace logistics::messaging

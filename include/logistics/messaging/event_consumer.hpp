// EventConsumer: a durable JetStream pull consumer whose effects happen once.
//
// The consumer thread fetches bounded batches from its durable consumer
// (explicit ack) and hands each event to the service's writer. Inside the
// writer's transaction the event is skipped if the inbox already holds it;
// otherwise the handler applies its effects (within a nested savepoint) and
// the inbox row is written with them. Only after the commit is the message
// acknowledged, so a crash between commit and ack means a redelivery that the
// inbox turns into a no-op.
//
// The handler's outcome (handler_result.hpp) settles the event by the policy
// of consumer_settlement.hpp: ack; retry with backoff (nak; on the last
// allowed delivery, a dead letter instead); dead letter at once for an event
// that can never be processed; or hold. A dead letter is recorded with its
// error (and an inbox row), logged, and terminated; the consumer goes on
// with the next events.
//
// Holding: an event that waits for state another stream brings (kWait), or
// whose transaction was refused for lack of space (WriteStatus::
// kStorageFull), is not a failure and spends no delivery. The consumer keeps
// the message (telling the server it is in progress, so it is not
// redelivered), waits with backoff, and tries it again; no later event of a
// one-at-a-time consumer runs before it. A wait for another stream is
// bounded: it counts only while every other consumer of the service is
// caught up (ConsumerSpec::others_caught_up), and past `dependency_wait` the
// event is dead-lettered with the reason. A full disk holds for as long as
// it lasts; the status shows what is held and why.
//
// Events are processed in stream order, one batch at a time; the next batch
// is fetched once the previous one is acknowledged.
//
// Side effects outside the database (sending an e-mail) go in the optional
// `before_transaction` step, which runs on the consumer thread before the
// event's transaction and must itself skip work already done (for example by
// checking its own records). Its kRetry or kReject settles the event as the
// handler's would; kApplied or kIgnored goes on to the transaction. With such
// a step, events are processed one at a time, so each step sees the previous
// event's committed state.
//
// Processing a batch (ProcessBatch) is: decode the messages; attempt each
// (side effect, then transaction: inbox check, handler, the settlement
// policy's decision and what it records); settle each by the policy
// (ack, nak with delay, term, or hold); hold what must wait and attempt it
// again. The decisions are consumer_settlement.hpp's pure functions.
//
// Requeue: an operator runs a dead letter once more (dead_letter_admin.hpp).
// The stored event goes the way a delivery goes: the side effect, then one
// writer transaction with the inbox check, the handler and its effects in
// their savepoint, and the inbox record. Instead of a settlement, the
// transaction resolves the dead letter (applied, ignored, or already
// processed since) or records that it failed again (requeue_outcome.hpp);
// nothing is said to the server, which terminated the message long ago.
//
// Re-read after the consumer moved: when the server that leads the durable
// consumer changes (asked every `leader_check_interval`), or the consumer
// subscribes again after a failed fetch, the consumer reads the events its
// stream stored in the last `reread_window` once more, through an ephemeral
// read, and runs each as a delivery (the inbox skips what it already holds).
// Why: nats-server 2.9.10's replicas of a stream can diverge (one replica
// skips an event the others store, so its later messages sit at lower
// sequences; fixed upstream in 2.9.21); a durable consumer led from such a
// replica delivers by that replica's numbering and never delivers the events
// its state counts as delivered already, which are the newest ones before the
// move. The window reaches back past them; the ephemeral read finds events by
// their stored time, not by a sequence. What it applies that the inbox did not
// hold is counted (`reread_applied`) and logged: an event the server skipped,
// or one the durable consumer had not delivered yet (a consumer that was
// behind, as after an outage, re-reads part of its backlog first). A held or failed event of the
// re-read is left to the durable consumer (its nak means nothing to an
// ephemeral read).
//
// Inbox clean-up is the service's housekeeping (housekeeping.hpp), not the
// consumer's.
//
// Ownership: borrows the connection, the writer and the clock; owns its thread
// and subscription. Thread-safety: Start/Stop from the owning thread; the
// handler runs on the writer thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "logistics/common/clock.hpp"
#include "logistics/common/result.hpp"
#include "logistics/messaging/consumer_settlement.hpp"
#include "logistics/messaging/handler_result.hpp"
#include "logistics/messaging/request_metadata.hpp"
#include "logistics/messaging/requeue_outcome.hpp"
#include "logistics/messaging/sqlite_dead_letters.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/jet_stream.hpp"
#include "logistics/nats/message.hpp"
#include "logistics/nats/pull_subscription.hpp"

namespace logistics::messaging {

struct ConsumerSpec {
  std::string stream;          // "ORDERS"
  std::string durable;         // "payments-orders"
  std::string filter_subject;  // "orders.events.>"
  std::size_t batch = 64;
  std::int64_t max_deliveries = 5;
  std::chrono::milliseconds ack_wait{30000};
  std::chrono::milliseconds retry_initial{1000};
  std::chrono::milliseconds retry_max{30000};
  std::chrono::milliseconds dependency_wait{60000};
  // True when every other consumer of the service is caught up: only then
  // does a wait for another stream's state count against dependency_wait.
  // Empty: always.
  std::function<bool()> others_caught_up;
  // true: the consumer creates its durable consumer on the server and
  // corrects its configuration. false (an administrator provisions it): it
  // only checks it (stream_check.hpp); one missing or configured differently
  // is reported once to `on_unusable`, which stops the service.
  bool manage_consumer = true;
  std::function<void(const std::string& problem)> on_unusable;
  // Test-only faults (LOGISTICS_FAULT, fault_injection.hpp), set by the
  // runtime; empty: off. An event whose payload contains
  // `fail_events_containing` fails as a transient error; one whose payload
  // contains `crash_after_effects_containing` kills the process after its
  // effects are written, before the commit.
  std::string fail_events_containing;
  std::string crash_after_effects_containing;
  // An event whose payload contains it is acknowledged on its first delivery
  // from the durable consumer without being applied, as a consumer led from a
  // diverged replica skips it (the re-read must then find it).
  std::string skip_events_containing;
  // Re-read after the consumer moved (see above); a zero window: off.
  std::chrono::milliseconds reread_window{std::chrono::minutes(2)};
  std::chrono::milliseconds leader_check_interval{std::chrono::seconds(2)};
};

// One delivered event, as the handler sees it. (clang-tidy 14 cannot see that
// nlohmann::json's move is noexcept, hence the NOLINT.)
struct ConsumedEvent {  // NOLINT(bugprone-exception-escape)
  std::string event_id;  // the CloudEvent id (the publisher's Nats-Msg-Id)
  std::string subject;   // the NATS subject
  std::uint64_t stream_sequence = 0;
  std::uint64_t deliveries = 1;  // 1 on the first delivery
  nlohmann::json cloud_event;    // the whole event, parsed
  // The largest message the NATS server takes, as the consumer's connection
  // knows it: what the events this one causes must fit (EventMetadata).
  std::size_t max_event_bytes = kDefaultMaxEventBytes;
};

// Runs on the writer thread, inside the event's transaction.
using EventHandler = std::function<HandlerResult(sqlite::Database&, const ConsumedEvent&)>;
// Runs on the consumer thread, before the transaction; may use the network.
using SideEffect = std::function<HandlerResult(const ConsumedEvent&)>;

struct ConsumerStats {
  std::uint64_t processed = 0;     // applied or ignored
  std::uint64_t duplicates = 0;    // found in the inbox
  std::uint64_t retries = 0;       // naks
  std::uint64_t dead_letters = 0;
  std::uint64_t pending = 0;       // messages the server still holds for us (lag)
  std::uint64_t holds = 0;         // times an event was held (waits, full disk)
  std::uint64_t held = 0;          // events held right now
  std::string holding;             // why the first of them is held ("" when none)
  // The last failure since the consumer last worked: cleared when it starts
  // (bound to its durable consumer) and when it processes an event, so a
  // healthy consumer shows "" (the dead letters keep every event's error).
  std::string last_error;
  std::string leader;           // the server leading the durable consumer, as last asked
  std::uint64_t rereads = 0;    // re-reads after the consumer moved
  std::uint64_t reread_applied = 0;  // events a re-read applied that the inbox did not hold
};

class EventConsumer {
 public:
  // Fetches on `connection` (which writes at once: a fetch request waits on
  // no flusher) and publishes acknowledgements on `acks`, a connection that
  // batches its writes: the acks of a batch leave in one write within about a
  // millisecond instead of one write each. A late ack costs nothing: the
  // message is not redelivered before AckWait, and the inbox drops a
  // redelivery of an event it recorded. Naks and terms, rare, go at once.
  EventConsumer(nats::Connection& connection, nats::Connection& acks, Writer& writer,
                const common::Clock& clock, ConsumerSpec spec, EventHandler handler,
                SideEffect before_transaction = {});
  ~EventConsumer();
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  void Start();
  // Stops fetching, waits for the batch in progress to be acknowledged, joins.
  void Stop();
  ConsumerStats Stats() const;
  const ConsumerSpec& spec() const { return spec_; }

  // Runs `letter` (a dead letter of this consumer) once more, as a delivery
  // of its stored event runs (see Requeue above), for `actor`. `done` is
  // told the outcome once: on the writer thread after the transaction, or on
  // the caller's thread when the writer does not take the job (kUnavailable).
  // The side effect, if any, runs on the caller's thread first: call this
  // from a thread that may wait on the network, never from the writer's.
  void Requeue(const StoredDeadLetter& letter, const DeadLetterActor& actor,
               const std::function<void(RequeueOutcome)>& done);

 private:
  // An event as the handler sees it, and what stands in for the handler: a
  // delivery's, or a requeued dead letter's.
  struct Decoded;
  struct Delivery;
  using Deliveries = std::vector<std::shared_ptr<Delivery>>;
  void Run();
  bool Subscribe();
  // Says that the consumer cannot start yet: the first time at info (its
  // stream not existing yet is the normal start-up order: the stream's owner
  // creates it), at warn once it has lasted kStartWarnAfter, and at warn at
  // once for any other reason (each distinct reason once).
  void NoteStartProblem(const std::string& error, bool expected_wait);
  void ProcessBatch(std::vector<nats::Message> batch);
  // The delivered messages, decoded (a malformed payload is noted, not fatal).
  Deliveries Decode(std::vector<nats::Message> batch);
  // Runs each delivery once (side effect, then transaction) and settles it,
  // unless it is held; returns the held ones (and, for a one-at-a-time
  // consumer, every later one, which must not overtake them).
  Deliveries Attempt(const Deliveries& deliveries);
  // Hands one delivery's transaction to the writer; `done` is told once it
  // settled.
  void Submit(const std::shared_ptr<Delivery>& delivery, const std::function<void()>& done);
  // Parses the payload: the CloudEvent, or why it is malformed (the event
  // id is then left as the caller set it); and whether the fault switch
  // names it.
  void DecodePayload(Decoded& decoded) const;
  // The side effect outside the database; its result when it settles the
  // event itself (retry, reject), nullopt when the transaction goes on.
  std::optional<HandlerResult> RunSideEffect(const Decoded& decoded);
  // The event's transaction, on the writer thread: inbox check, effects,
  // decision, and what the decision records.
  SavepointOutcome Apply(sqlite::Database& db, Delivery& delivery,
                         const std::optional<HandlerResult>& prepared);
  // A requeue's transaction, on the writer thread: the dead letter still
  // there, the inbox check, effects, and the resolution or the new failure.
  SavepointOutcome ApplyRequeue(sqlite::Database& db, const Decoded& decoded,
                                const std::optional<HandlerResult>& prepared,
                                const DeadLetterActor& actor, RequeueOutcome& outcome);
  // What the handler (or what stood in for it) said, its effects kept in a
  // savepoint or rolled back; the error when the savepoint could not end.
  common::Result<HandlerResult, std::string> RunHandler(
      sqlite::Database& db, const Decoded& decoded, const std::optional<HandlerResult>& prepared);
  // Writes what the decision needs stored: the inbox row, the dead letter.
  bool RecordDecision(sqlite::Database& db, const Delivery& delivery, HandlerResult& result);
  void Settle(Delivery& delivery, Settlement how);
  void CountSettlement(const Delivery& delivery, Settlement how);
  // Keeps the held messages in progress and waits before the next attempt;
  // false when the consumer is stopping.
  bool Hold(const Deliveries& held, int round);
  // Stopping with events held: they are redelivered after the restart, with
  // no delivery spent on them here.
  void Release(const Deliveries& held);
  void Acknowledge(const nats::Message& message);
  // Asks the server which one leads the durable consumer (at most every
  // leader_check_interval); says how, when that changed since the last answer.
  std::optional<std::string> LeaderMoved();
  // Reads the stream's events of the last reread_window once more and runs
  // each as a delivery (see Re-read above); `why` goes to the log.
  void Reread(const std::string& why);
  void Sleep(std::chrono::milliseconds duration);

  nats::Connection& connection_;
  nats::Connection& acks_;
  Writer& writer_;
  const common::Clock& clock_;
  const ConsumerSpec spec_;
  const EventHandler handler_;
  const SideEffect before_transaction_;

  // Start-up problems (consumer thread only): since when the consumer has
  // been unable to start, and whether that was already said at warn.
  std::optional<std::chrono::steady_clock::time_point> start_problem_since_;
  bool start_problem_warned_ = false;
  // Consumer thread only: the last leader the server named, and when it was
  // asked.
  std::string leader_;
  std::chrono::steady_clock::time_point leader_checked_{};
  // Whether a re-read is running: its deliveries are counted apart (on the
  // writer thread too) and never skipped by the test fault.
  std::atomic<bool> rereading_{false};

  // Declared before the subscription, which must go first.
  std::unique_ptr<nats::JetStream> js_;
  std::unique_ptr<nats::PullSubscription> subscription_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  ConsumerStats stats_;
  std::thread thread_;
};

}  // namespace logistics::messaging

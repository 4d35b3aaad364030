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
// Outcomes of the handler:
//   kApplied   effects kept, inbox row written, ack;
//   kIgnored   not for us (another event type): ack, no inbox row needed;
//   kRetry     a transient failure: effects rolled back, nak with backoff
//              (retry_initial doubling up to retry_max); on the last allowed
//              delivery the event becomes a dead letter instead;
//   kReject    the event can never be processed (malformed): dead letter at once.
// A dead letter is recorded with its error (and an inbox row), logged, and
// terminated; the consumer goes on with the next events.
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
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "logistics/common/clock.hpp"
#include "logistics/common/result.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/nats/connection.hpp"

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
  std::chrono::milliseconds inbox_retention{std::chrono::hours(24 * 7)};
};

// One delivered event, as the handler sees it.
struct ConsumedEvent {
  std::string event_id;  // the CloudEvent id (the publisher's Nats-Msg-Id)
  std::string subject;   // the NATS subject
  std::uint64_t stream_sequence = 0;
  std::uint64_t deliveries = 1;  // 1 on the first delivery
  nlohmann::json cloud_event;    // the whole event, parsed
};

struct HandlerResult {
  enum class Kind { kApplied, kIgnored, kRetry, kReject };
  Kind kind = Kind::kApplied;
  std::string error;  // why, for kRetry and kReject

  static HandlerResult Applied() { return {Kind::kApplied, {}}; }
  static HandlerResult Ignored() { return {Kind::kIgnored, {}}; }
  static HandlerResult Retry(std::string why) { return {Kind::kRetry, std::move(why)}; }
  static HandlerResult Reject(std::string why) { return {Kind::kReject, std::move(why)}; }
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
  std::string last_error;
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

 private:
  void Run();
  bool Subscribe();
  void ProcessBatch(natsMsgList& batch);
  void Acknowledge(natsMsg& message);
  void MaybeCleanInbox();
  void Sleep(std::chrono::milliseconds duration);

  nats::Connection& connection_;
  nats::Connection& acks_;
  Writer& writer_;
  const common::Clock& clock_;
  const ConsumerSpec spec_;
  const EventHandler handler_;
  const SideEffect before_transaction_;
  const std::string fail_marker_;  // test-only fault, see fault_injection.hpp

  nats::JetStreamHandle js_;
  nats::SubscriptionHandle subscription_;
  std::chrono::steady_clock::time_point next_cleanup_{};

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  ConsumerStats stats_;
  std::thread thread_;
};

}  // namespace logistics::messaging

#include "logistics/messaging/event_consumer.hpp"
#include "logistics/logging/thread_name.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "logistics/logging/log.hpp"
#include "logistics/messaging/fault_injection.hpp"
#include "logistics/messaging/sqlite_dead_letters.hpp"
#include "logistics/messaging/sqlite_inbox.hpp"
#include "logistics/messaging/stream_check.hpp"

namespace logistics::messaging {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kFetchWait{1000};
// How long a consumer may wait for its stream before that is worth a warning:
// at a normal start the owner creates it within a second or two.
constexpr std::chrono::seconds kStartWarnAfter{30};

bool Keeps(const HandlerResult& result) {
  return result.kind == HandlerResult::Kind::kApplied ||
         result.kind == HandlerResult::Kind::kIgnored;
}

// Counts down the messages of a batch; the consumer fetches again only when
// every message of the previous batch is settled.
class BatchLatch {
 public:
  explicit BatchLatch(std::size_t count) : remaining_(count) {}
  void CountDown() {
    std::lock_guard lock(mutex_);
    --remaining_;
    done_.notify_all();  // WaitFor waits for other counts than zero too
  }
  void Wait() { WaitFor(0); }
  // Waits until at most `remaining` messages are still unsettled.
  void WaitFor(std::size_t remaining) {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this, remaining] { return remaining_ <= remaining; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  std::size_t remaining_;
};

}  // namespace

EventConsumer::EventConsumer(nats::Connection& connection, nats::Connection& acks,
                             Writer& writer, const common::Clock& clock, ConsumerSpec spec,
                             EventHandler handler, SideEffect before_transaction)
    : connection_(connection),
      acks_(acks),
      writer_(writer),
      clock_(clock),
      spec_(std::move(spec)),
      handler_(std::move(handler)),
      before_transaction_(std::move(before_transaction)) {}

EventConsumer::~EventConsumer() { Stop(); }

void EventConsumer::Start() {
  thread_ = std::thread([this] {
    logging::NameThisThread("consumer");
    Run();
  });
}

void EventConsumer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (subscription_) subscription_->Unsubscribe();
  subscription_.reset();
  js_.reset();
}

ConsumerStats EventConsumer::Stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void EventConsumer::Sleep(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, duration, [this] { return stop_; });
}

bool EventConsumer::Subscribe() {
  if (!js_) {
    auto js = nats::JetStream::Create(connection_);
    if (!js) {
      logging::Error("cannot create a JetStream context",
                     {{"consumer", spec_.durable}, {"error", js.error().message}});
      return false;
    }
    js_ = std::move(*js);
  }
  // Deliveries are counted by us (dead letter on the last one), so the server
  // must never give up on a message by itself (DurableConfigOf).
  const nats::DurableConsumerConfig config = DurableConfigOf(spec_);
  if (!spec_.manage_consumer) {
    auto checked = CheckDurableConsumer(*js_, spec_);
    if (!checked) {
      if (checked.error().kind != ProvisioningProblem::Kind::kUnavailable && spec_.on_unusable) {
        spec_.on_unusable(checked.error().message);
      } else {
        NoteStartProblem("cannot check the durable consumer: " + checked.error().message, false);
      }
      return false;
    }
  } else if (auto ensured = js_->EnsureDurableConsumer(config); !ensured) {
    // kNotFound: the stream is not there (yet); its owner creates it.
    NoteStartProblem(ensured.error().message, ensured.error().kind == nats::NatsErrorKind::kNotFound);
    return false;
  }
  auto subscription = js_->BindPull(config);
  if (!subscription) {
    NoteStartProblem(subscription.error().message, false);
    return false;
  }
  subscription_ = std::move(*subscription);
  const auto waited = start_problem_since_
                          ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - *start_problem_since_)
                          : 0ms;
  start_problem_since_.reset();
  start_problem_warned_ = false;
  {
    std::lock_guard lock(mutex_);
    stats_.last_error.clear();  // working now: what kept it from starting is history
  }
  logging::Info("consumer started", {{"consumer", spec_.durable},
                                     {"stream", spec_.stream},
                                     {"waited_ms", static_cast<std::int64_t>(waited.count())}});
  return true;
}

void EventConsumer::NoteStartProblem(const std::string& error, bool expected_wait) {
  const auto now = std::chrono::steady_clock::now();
  const bool first = !start_problem_since_;
  if (first) start_problem_since_ = now;
  std::string previous;
  {
    std::lock_guard lock(mutex_);
    previous = std::exchange(stats_.last_error, error);
  }
  const logging::Field consumer{"consumer", spec_.durable};
  const logging::Field stream{"stream", spec_.stream};
  if (expected_wait) {
    if (first) {
      logging::Info("consumer waits for its stream, which its service has not created yet",
                    {consumer, stream, {"error", error}});
    } else if (!start_problem_warned_ && now - *start_problem_since_ >= kStartWarnAfter) {
      start_problem_warned_ = true;
      logging::Warn("consumer still cannot start: its stream does not exist; is the service that "
                    "owns it running (or, with --manage-streams=false, was it provisioned)?",
                    {consumer, stream, {"error", error},
                     {"waited_s", static_cast<std::int64_t>(kStartWarnAfter.count())}});
    }
    return;
  }
  // Any other reason is news at once; its retries are not.
  if (error != previous) {
    logging::Warn("consumer cannot start yet; retrying", {consumer, stream, {"error", error}});
  }
}

void EventConsumer::Run() {
  auto retry_delay = 250ms;
  bool fetch_failed = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    if (!subscription_) {
      if (!connection_.IsConnected() || !Subscribe()) {
        Sleep(retry_delay);
        retry_delay = std::min(retry_delay * 2, std::chrono::milliseconds(5000));
        continue;
      }
      retry_delay = 250ms;
      if (std::exchange(fetch_failed, false)) {
        Reread("the consumer subscribed again after a failed fetch");
      }
    }
    if (auto moved = LeaderMoved()) Reread(*moved);
    auto batch = subscription_->Fetch(spec_.batch, kFetchWait);
    if (!batch && batch.error().kind == nats::NatsErrorKind::kTimeout) {
      std::lock_guard lock(mutex_);
      stats_.pending = 0;  // nothing came within the wait: caught up
      continue;
    }
    if (!batch) {
      logging::Warn("consumer fetch failed; subscribing again",
                    {{"consumer", spec_.durable}, {"error", batch.error().message}});
      subscription_.reset();
      fetch_failed = true;
      Sleep(retry_delay);
      continue;
    }
    ProcessBatch(std::move(*batch));
  }
}

std::optional<std::string> EventConsumer::LeaderMoved() {
  if (spec_.reread_window.count() <= 0 || !js_) return std::nullopt;
  const auto now = std::chrono::steady_clock::now();
  if (now - leader_checked_ < spec_.leader_check_interval) return std::nullopt;
  leader_checked_ = now;
  auto info = js_->GetConsumerInfo(spec_.stream, spec_.durable);
  if (!info || info->leader.empty()) return std::nullopt;  // asked again next time
  const std::string before = std::exchange(leader_, info->leader);
  {
    std::lock_guard lock(mutex_);
    stats_.leader = leader_;
  }
  if (before.empty() || before == leader_) return std::nullopt;
  return "the server leading the consumer changed from " + before + " to " + leader_;
}

void EventConsumer::Reread(const std::string& why) {
  if (spec_.reread_window.count() <= 0 || !js_) return;
  const std::int64_t now_ms = common::ToUnixMillis(clock_.Now());
  nats::EphemeralReadConfig config;
  config.stream = spec_.stream;
  config.filter_subject = spec_.filter_subject;
  config.start_time_unix_ns = (now_ms - spec_.reread_window.count()) * 1'000'000;
  const logging::Field consumer{"consumer", spec_.durable};
  const logging::Field window{"window_s",
                              static_cast<std::int64_t>(spec_.reread_window.count() / 1000)};
  auto read = js_->ReadEphemeral(config);
  if (!read) {
    logging::Warn("consumer could not re-read its stream after it moved",
                  {consumer, window, {"why", why}, {"error", read.error().message}});
    return;
  }
  logging::Info("consumer re-reads the newest events of its stream after it moved, so that none "
                "its server counts as delivered is missed",
                {consumer, window, {"why", why}});
  std::uint64_t events = 0;
  std::uint64_t applied_before = 0;
  {
    std::lock_guard lock(mutex_);
    applied_before = stats_.reread_applied;
    ++stats_.rereads;
  }
  rereading_ = true;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) break;
    }
    auto batch = (*read)->FetchAvailable(spec_.batch, kFetchWait);
    if (!batch) {
      logging::Warn("consumer re-read stopped early",
                    {consumer, {"events", static_cast<std::int64_t>(events)},
                     {"error", batch.error().message}});
      break;
    }
    if (batch->empty()) break;  // read up to the stream's end
    events += batch->size();
    ProcessBatch(std::move(*batch));
  }
  rereading_ = false;
  (*read)->Unsubscribe();
  std::uint64_t applied = 0;
  {
    std::lock_guard lock(mutex_);
    applied = stats_.reread_applied - applied_before;
  }
  if (applied > 0) {
    logging::Warn("consumer re-read applied events its inbox did not hold (its server skipped "
                  "them, or had not delivered them yet)",
                  {consumer, {"events", static_cast<std::int64_t>(events)},
                   {"applied", static_cast<std::int64_t>(applied)}});
  } else {
    logging::Info("consumer re-read found nothing missed",
                  {consumer, {"events", static_cast<std::int64_t>(events)}});
  }
}

// (clang-tidy 14 cannot see that nlohmann::json's move is noexcept, hence the NOLINT.)
struct EventConsumer::Decoded {  // NOLINT(bugprone-exception-escape)
  ConsumedEvent event;
  std::string payload;
  std::string malformed;  // why it can never be processed; "" when well-formed
  bool fault = false;     // the test-only fault switch names it
};

// One delivered message and what became of it, shared by the consumer thread
// and the writer thread (which runs the transaction and its completion).
struct EventConsumer::Delivery : Decoded {
  explicit Delivery(nats::Message m) : message(std::move(m)) {}

  nats::Message message;
  // Time counted against the dependency wait (consumer thread only).
  std::chrono::milliseconds waited{0};
  // The last attempt's outcome (written on the writer thread before the
  // completion signals the consumer thread).
  HandlerResult outcome;
  Settlement decided = Settlement::kRetry;
  bool duplicate = false;  // the inbox already held it: acknowledged, no effect
  bool held = false;
  bool storage_full = false;  // held because the disk is full: never counts as waiting
};

void EventConsumer::ProcessBatch(std::vector<nats::Message> batch) {
  Deliveries pending = Decode(std::move(batch));
  if (!spec_.skip_events_containing.empty() && !rereading_) {
    // Test fault: acknowledged, never applied, as a diverged server skips it.
    std::erase_if(pending, [this](const std::shared_ptr<Delivery>& delivery) {
      if (delivery->event.deliveries != 1 ||
          delivery->payload.find(spec_.skip_events_containing) == std::string::npos) {
        return false;
      }
      logging::Warn("fault injection (LOGISTICS_FAULT): event acknowledged without being applied",
                    {{"consumer", spec_.durable}, {"event_id", delivery->event.event_id}});
      Acknowledge(delivery->message);
      return true;
    });
  }
  for (int round = 0; !pending.empty(); ++round) {
    pending = Attempt(pending);
    if (pending.empty()) break;
    if (rereading_) {
      // A re-read never holds: the held event is left to the durable
      // consumer (which delivers it unless it skipped it), and the events
      // after it are attempted.
      logging::Debug("re-read leaves a held event to the durable consumer",
                     {{"consumer", spec_.durable}, {"event_id", pending.front()->event.event_id}});
      pending.erase(pending.begin());
      continue;
    }
    if (!Hold(pending, round)) {
      Release(pending);
      break;
    }
  }
  std::lock_guard lock(mutex_);
  stats_.held = 0;
  stats_.holding.clear();
}

EventConsumer::Deliveries EventConsumer::Decode(std::vector<nats::Message> batch) {
  Deliveries deliveries;
  const std::size_t max_event_bytes = connection_.MaxPayload().value_or(kDefaultMaxEventBytes);
  for (nats::Message& message : batch) {
    auto delivery = std::make_shared<Delivery>(std::move(message));
    ConsumedEvent& event = delivery->event;
    event.subject = std::string(delivery->message.subject());
    event.max_event_bytes = max_event_bytes;
    if (const auto meta = delivery->message.Metadata()) {
      event.deliveries = meta->deliveries;
      event.stream_sequence = meta->stream_sequence;
      std::lock_guard lock(mutex_);
      if (!rereading_) stats_.pending = meta->pending;  // the durable consumer's backlog
    }
    delivery->payload = std::string(delivery->message.data());
    event.event_id = delivery->message.Header("Nats-Msg-Id")
                         .value_or(event.subject + "#" + std::to_string(event.stream_sequence));
    DecodePayload(*delivery);
    deliveries.push_back(std::move(delivery));
  }
  return deliveries;
}

void EventConsumer::DecodePayload(Decoded& decoded) const {
  ConsumedEvent& event = decoded.event;
  event.cloud_event = nlohmann::json::parse(decoded.payload, nullptr, false);
  if (event.cloud_event.is_discarded() || !event.cloud_event.is_object() ||
      !event.cloud_event.contains("id") || !event.cloud_event["id"].is_string()) {
    decoded.malformed = "not a CloudEvent: the payload is not a JSON object with a string id";
  } else {
    // The CloudEvent id names the event: a copy re-published under another
    // Nats-Msg-Id is still the same event, and the inbox must see it so.
    event.event_id = event.cloud_event["id"].get<std::string>();
  }
  decoded.fault = !spec_.fail_events_containing.empty() &&
                  decoded.payload.find(spec_.fail_events_containing) != std::string::npos;
}

EventConsumer::Deliveries EventConsumer::Attempt(const Deliveries& deliveries) {
  auto latch = std::make_shared<BatchLatch>(deliveries.size());
  Deliveries held;
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    const auto& delivery = deliveries[i];
    Submit(delivery, [latch] { latch->CountDown(); });
    if (!before_transaction_) continue;
    // With a side effect, the next event's step must see this one's commit,
    // and must not run at all while this one is held.
    latch->WaitFor(deliveries.size() - i - 1);
    if (delivery->held) {
      held.assign(deliveries.begin() + static_cast<std::ptrdiff_t>(i), deliveries.end());
      for (std::size_t j = i + 1; j < deliveries.size(); ++j) latch->CountDown();
      break;
    }
  }
  latch->Wait();
  if (before_transaction_) return held;
  for (const auto& delivery : deliveries) {
    if (delivery->held) held.push_back(delivery);
  }
  return held;
}

void EventConsumer::Submit(const std::shared_ptr<Delivery>& delivery, const std::function<void()>& done) {
  delivery->held = false;
  delivery->storage_full = false;
  // What a transaction that never ran its job settles by.
  delivery->outcome = HandlerResult::Retry("the transaction failed");
  delivery->decided = Settlement::kRetry;
  const std::optional<HandlerResult> prepared = RunSideEffect(*delivery);

  WriteJob job;
  job.execute = [this, delivery, prepared](sqlite::Database& db) {
    return Apply(db, *delivery, prepared);
  };
  job.completed = [this, delivery, done](WriteStatus status) {
    if (status == WriteStatus::kStorageFull) {
      delivery->storage_full = true;
      delivery->outcome.error = "the disk is full: the transaction was refused for lack of space";
    }
    Settle(*delivery, AfterWrite(delivery->decided, status));
    done();
  };
  if (!writer_.Submit(std::move(job))) {
    // The writer is stopping: leave the message to be redelivered later.
    (void)delivery->message.Nak();
    done();
  }
}

std::optional<HandlerResult> EventConsumer::RunSideEffect(const Decoded& decoded) {
  if (!before_transaction_ || !decoded.malformed.empty() || decoded.fault) return std::nullopt;
  HandlerResult result;
  try {
    result = before_transaction_(decoded.event);
  } catch (const std::exception& error) {
    result = HandlerResult::Retry(std::string("side effect threw: ") + error.what());
  }
  if (Keeps(result)) return std::nullopt;  // go on with the transaction's handler
  return result;
}

SavepointOutcome EventConsumer::Apply(sqlite::Database& db, Delivery& delivery,
                                      const std::optional<HandlerResult>& prepared) {
  delivery.duplicate = false;
  auto seen = SqliteInbox(db).Contains(spec_.durable, delivery.event.event_id);
  if (!seen) {
    delivery.outcome = HandlerResult::Retry(seen.error().message);
    delivery.decided = Settlement::kRetry;
    return SavepointOutcome::kRollBack;
  }
  if (*seen) {
    delivery.outcome = HandlerResult::Ignored();  // a redelivery: its effects are already stored
    delivery.decided = Settlement::kAck;
    delivery.duplicate = true;
    return SavepointOutcome::kKeep;
  }
  auto result = RunHandler(db, delivery, prepared);
  if (!result) {
    delivery.outcome = HandlerResult::Retry(result.error());
    delivery.decided = Settlement::kRetry;
    return SavepointOutcome::kRollBack;
  }
  delivery.decided = Decide(DeliveryFacts{result->kind, delivery.event.deliveries,
                                          spec_.max_deliveries, delivery.waited,
                                          spec_.dependency_wait});
  if (!RecordDecision(db, delivery, *result)) return SavepointOutcome::kRollBack;
  delivery.outcome = std::move(*result);
  if (!spec_.crash_after_effects_containing.empty() && delivery.decided == Settlement::kAck &&
      delivery.payload.find(spec_.crash_after_effects_containing) != std::string::npos) {
    // The effects are written, the transaction is not committed: anything
    // already sent about this event (an ack too early) has time to reach
    // the server before the process dies.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CrashNow("crash-after-effects-containing");
  }
  return SavepointOutcome::kKeep;
}

common::Result<HandlerResult, std::string> EventConsumer::RunHandler(
    sqlite::Database& db, const Decoded& decoded, const std::optional<HandlerResult>& prepared) {
  if (!decoded.malformed.empty()) return HandlerResult::Reject(decoded.malformed);
  if (decoded.fault) return HandlerResult::Retry("fault injection (LOGISTICS_FAULT)");
  if (prepared) return *prepared;  // the side effect did not go through: settle as it says
  if (auto opened = db.Savepoint("effects"); !opened) {
    return HandlerResult::Retry(opened.error().message);
  }
  HandlerResult result;
  try {
    result = handler_(db, decoded.event);
  } catch (const std::exception& error) {
    result = HandlerResult::Retry(std::string("handler threw: ") + error.what());
  }
  if (auto ended = Keeps(result) ? db.Release("effects") : db.RollbackTo("effects"); !ended) {
    return common::Unexpected{ended.error().message};
  }
  return result;
}

bool EventConsumer::RecordDecision(sqlite::Database& db, const Delivery& delivery,
                                   HandlerResult& result) {
  SqliteInbox inbox(db);
  const ConsumedEvent& event = delivery.event;
  const auto now = clock_.Now();
  switch (delivery.decided) {
    case Settlement::kAck:
      return result.kind != HandlerResult::Kind::kApplied ||
             static_cast<bool>(inbox.Record(spec_.durable, event.event_id, now));
    case Settlement::kDeadLetter: {
      if (result.kind == HandlerResult::Kind::kWait) {
        result.error =
            "waited " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(delivery.waited).count()) +
            " s, with the service's other consumers caught up, for: " + result.error;
      }
      const DeadLetter letter{spec_.durable,          event.event_id,   event.subject,
                              event.stream_sequence,  event.deliveries, result.error,
                              delivery.payload};
      return static_cast<bool>(inbox.RecordDeadLetter(letter, now));  // with its inbox mark
    }
    case Settlement::kRetry:
    case Settlement::kHold:
      return true;
  }
  return true;  // unreachable: the switch covers every settlement
}

void EventConsumer::CountSettlement(const Delivery& delivery, Settlement how) {
  std::lock_guard lock(mutex_);
  if (rereading_) {
    // The durable consumer's figures count its deliveries only.
    if (how == Settlement::kAck && !delivery.duplicate && Keeps(delivery.outcome)) {
      ++stats_.reread_applied;
    }
    return;
  }
  switch (how) {
    case Settlement::kAck:
      ++(delivery.duplicate ? stats_.duplicates : stats_.processed);
      stats_.last_error.clear();  // it works again
      break;
    case Settlement::kRetry:
      ++stats_.retries;
      stats_.last_error =
          delivery.outcome.error.empty() ? "the transaction failed" : delivery.outcome.error;
      break;
    case Settlement::kDeadLetter:
      ++stats_.dead_letters;
      stats_.last_error = delivery.outcome.error;
      break;
    case Settlement::kHold:
      break;
  }
}

void EventConsumer::Settle(Delivery& delivery, Settlement how) {
  CountSettlement(delivery, how);
  const ConsumedEvent& event = delivery.event;
  switch (how) {
    case Settlement::kAck:
      if (delivery.duplicate) {
        logging::Debug("event already processed; acknowledged without effect",
                       {{"consumer", spec_.durable}, {"event_id", event.event_id}});
      }
      Acknowledge(delivery.message);
      break;
    case Settlement::kRetry: {
      const auto delay = RetryDelay(event.deliveries, spec_.retry_initial, spec_.retry_max);
      logging::Warn("event processing failed; it will be redelivered",
                    {{"consumer", spec_.durable},
                     {"event_id", event.event_id},
                     {"subject", event.subject},
                     {"deliveries", static_cast<std::int64_t>(event.deliveries)},
                     {"retry_in_ms", static_cast<std::int64_t>(delay.count())},
                     {"error", delivery.outcome.error.empty() ? std::string("the transaction failed")
                                                              : delivery.outcome.error}});
      (void)delivery.message.NakWithDelay(delay);
      break;
    }
    case Settlement::kDeadLetter:
      logging::Error("event dead-lettered; the consumer goes on",
                     {{"consumer", spec_.durable},
                      {"event_id", event.event_id},
                      {"subject", event.subject},
                      {"deliveries", static_cast<std::int64_t>(event.deliveries)},
                      {"error", delivery.outcome.error}});
      (void)delivery.message.Term();
      break;
    case Settlement::kHold:
      delivery.held = true;  // the consumer thread tries it again
      break;
  }
}

bool EventConsumer::Hold(const Deliveries& held, int round) {
  const Delivery& first = *held.front();
  if (round == 0) {
    logging::Info("event held: it waits without spending a delivery",
                  {{"consumer", spec_.durable},
                   {"event_id", first.event.event_id},
                   {"subject", first.event.subject},
                   {"held_events", static_cast<std::int64_t>(held.size())},
                   {"reason", first.outcome.error}});
  }
  {
    std::lock_guard lock(mutex_);
    if (round == 0) ++stats_.holds;
    stats_.held = held.size();
    stats_.holding = first.outcome.error;
  }
  // Short at first (a projection a moment behind), then longer, always well
  // inside the ack wait, which each round renews.
  const auto longest = std::min(spec_.retry_max, spec_.ack_wait / 3);
  const auto delay = std::min<std::chrono::milliseconds>(
      longest, std::chrono::milliseconds(100) * (std::int64_t{1} << std::min(round, 10)));
  for (const auto& delivery : held) (void)delivery->message.InProgress();
  const bool counts = !spec_.others_caught_up || spec_.others_caught_up();
  Sleep(delay);
  {
    std::lock_guard lock(mutex_);
    if (stop_) return false;
  }
  if (counts) {
    for (const auto& delivery : held) {
      if (delivery->outcome.kind == HandlerResult::Kind::kWait && !delivery->storage_full) {
        delivery->waited += delay;
      }
    }
  }
  return true;
}

void EventConsumer::Release(const Deliveries& held) {
  for (const auto& delivery : held) (void)delivery->message.Nak();
}

void EventConsumer::Requeue(const StoredDeadLetter& letter, const DeadLetterActor& actor,
                            const std::function<void(RequeueOutcome)>& done) {
  auto decoded = std::make_shared<Decoded>();
  ConsumedEvent& event = decoded->event;
  event.event_id = letter.event_id;
  event.subject = letter.subject;
  event.stream_sequence = letter.stream_sequence;
  event.deliveries = letter.deliveries + 1;
  event.max_event_bytes = connection_.MaxPayload().value_or(kDefaultMaxEventBytes);
  decoded->payload = letter.payload;
  DecodePayload(*decoded);
  // The inbox knows the dead letter by the id it was recorded with.
  event.event_id = letter.event_id;
  const std::optional<HandlerResult> prepared = RunSideEffect(*decoded);

  auto outcome = std::make_shared<RequeueOutcome>();
  WriteJob job;
  job.execute = [this, decoded, prepared, actor, outcome](sqlite::Database& db) {
    return ApplyRequeue(db, *decoded, prepared, actor, *outcome);
  };
  job.completed = [outcome, done](WriteStatus status) {
    switch (status) {
      case WriteStatus::kCommitted:
      case WriteStatus::kRolledBack:  // ApplyRequeue said why
        break;
      case WriteStatus::kFailed:
        *outcome = RequeueOutcome{RequeueOutcome::Kind::kFailed,
                                  outcome->error.empty() ? "the transaction failed" : outcome->error,
                                  outcome->at};
        break;
      case WriteStatus::kStorageFull:
        *outcome = RequeueOutcome{RequeueOutcome::Kind::kStorageFull, "the disk is full", outcome->at};
        break;
    }
    done(*outcome);
  };
  if (!writer_.Submit(std::move(job))) {
    done(RequeueOutcome{RequeueOutcome::Kind::kUnavailable, "the service is stopping",
                        clock_.Now()});
  }
}

SavepointOutcome EventConsumer::ApplyRequeue(sqlite::Database& db, const Decoded& decoded,
                                             const std::optional<HandlerResult>& prepared,
                                             const DeadLetterActor& actor,
                                             RequeueOutcome& outcome) {
  using Kind = RequeueOutcome::Kind;
  const std::string& event_id = decoded.event.event_id;
  outcome.at = clock_.Now();
  auto failed = [&outcome](std::string why) {
    outcome.kind = Kind::kFailed;
    outcome.error = std::move(why);
    return SavepointOutcome::kRollBack;
  };
  SqliteDeadLetters letters(db);
  SqliteInbox inbox(db);
  // Another requeue or a discard may have come first.
  auto letter = letters.Find(spec_.durable, event_id);
  if (!letter) return failed(letter.error().message);
  if (!*letter) {
    outcome.kind = Kind::kNotADeadLetter;
    return SavepointOutcome::kRollBack;
  }
  // The inbox check of a delivery. The dead letter's own mark only kept
  // redeliveries away; a processing means a replay applied the event after
  // the mark had expired, and running it again would apply it twice.
  auto entry = inbox.Lookup(spec_.durable, event_id);
  if (!entry) return failed(entry.error().message);
  if (*entry == InboxEntry::kProcessed) {
    if (auto resolved = letters.Resolve(**letter, DeadLetterOutcome::kAlreadyProcessed, actor,
                                        outcome.at);
        !resolved) {
      return failed(resolved.error().message);
    }
    outcome.kind = Kind::kAlreadyProcessed;
    return SavepointOutcome::kKeep;
  }
  auto result = RunHandler(db, decoded, prepared);
  if (!result) return failed(result.error());
  if (Keeps(*result)) {
    // The inbox record of a delivery; for an ignored event too, so that the
    // mark does not outlive its dead letter.
    if (auto recorded = inbox.Record(spec_.durable, event_id, outcome.at); !recorded) {
      return failed(recorded.error().message);
    }
    const bool applied = result->kind == HandlerResult::Kind::kApplied;
    if (auto resolved = letters.Resolve(
            **letter, applied ? DeadLetterOutcome::kApplied : DeadLetterOutcome::kIgnored, actor,
            outcome.at);
        !resolved) {
      return failed(resolved.error().message);
    }
    outcome.kind = applied ? Kind::kApplied : Kind::kIgnored;
    return SavepointOutcome::kKeep;
  }
  // Failed again (its effects are rolled back): it stays a dead letter, with
  // this failure as its error. An event that waits for another stream's
  // state is not held here: the operator asked now.
  std::string error = result->kind == HandlerResult::Kind::kWait
                          ? "still waits for state another stream brings: " + result->error
                          : result->error;
  if (auto recorded = letters.RecordFailedRequeue(spec_.durable, event_id, error, outcome.at);
      !recorded) {
    return failed(recorded.error().message);
  }
  outcome.kind = Kind::kFailedAgain;
  outcome.error = std::move(error);
  return SavepointOutcome::kKeep;
}

void EventConsumer::Acknowledge(const nats::Message& message) {
  // What Message::Ack sends (AckExplicit), on the batching connection.
  static constexpr std::string_view kAck = "+ACK";
  const std::string reply(message.reply());
  auto sent = reply.empty()
                  ? common::Result<void, nats::NatsError>(common::Unexpected{nats::NatsError{
                        nats::NatsErrorKind::kOther, 0, 0, "ack: the message has no reply subject"}})
                  : acks_.Publish(reply, kAck);
  if (!sent) {
    // The event is stored and recorded in the inbox: its redelivery is
    // acknowledged without effect.
    logging::Warn("acknowledgement not sent; the event will be redelivered and skipped",
                  {{"consumer", spec_.durable}, {"error", sent.error().message}});
  }
}

}  // namespace logistics::messaging

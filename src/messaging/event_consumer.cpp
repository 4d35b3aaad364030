#include "logistics/messaging/event_consumer.hpp"
#include "logistics/logging/thread_name.hpp"

#include <algorithm>
#include <memory>
#include <optional>

#include "logistics/logging/log.hpp"
#include "logistics/messaging/fault_injection.hpp"
#include "logistics/messaging/incoming_request.hpp"
#include "logistics/messaging/sqlite_inbox.hpp"

namespace logistics::messaging {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kFetchWait{1000};
constexpr std::chrono::milliseconds kInboxCleanupInterval{60000};
constexpr std::int64_t kInboxCleanupBatch = 500;

std::int64_t Nanos(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
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
      before_transaction_(std::move(before_transaction)),
      fail_marker_(FaultArgument("fail-events-containing")),
      crash_marker_(FaultArgument("crash-after-effects-containing")) {}

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
  if (subscription_) natsSubscription_Unsubscribe(subscription_.get());
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
    jsCtx* raw = nullptr;
    if (natsStatus s = natsConnection_JetStream(&raw, connection_.get(), nullptr); s != NATS_OK) {
      logging::Error("cannot create a JetStream context",
                     {{"consumer", spec_.durable}, {"error", nats::MakeNatsError(s, "jetstream").message}});
      return false;
    }
    js_.reset(raw);
  }
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = spec_.durable.c_str();
  config.Description = "logistics event consumer";
  config.DeliverPolicy = js_DeliverAll;
  config.AckPolicy = js_AckExplicit;
  config.AckWait = Nanos(spec_.ack_wait);
  // Deliveries are counted by us (dead letter on the last one), so the server
  // must never give up on a message by itself.
  config.MaxDeliver = -1;
  config.FilterSubject = spec_.filter_subject.c_str();

  jsConsumerInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_AddConsumer(&info, js_.get(), spec_.stream.c_str(), &config, nullptr, &js_error);
  jsConsumerInfo_Destroy(info);
  if (s != NATS_OK && js_error == JSConsumerNameExistErr) {
    info = nullptr;
    s = js_UpdateConsumer(&info, js_.get(), spec_.stream.c_str(), &config, nullptr, &js_error);
    jsConsumerInfo_Destroy(info);
  }
  if (s != NATS_OK) {
    const std::string error =
        nats::MakeNatsError(s, "create consumer " + spec_.durable, js_error).message;
    std::lock_guard lock(mutex_);
    // Say it once per distinct error: the stream may not exist for a while
    // (its service has not started yet) and the retries are not news.
    if (error != stats_.last_error) {
      logging::Warn("consumer cannot start yet; retrying",
                    {{"consumer", spec_.durable}, {"stream", spec_.stream}, {"error", error}});
    }
    stats_.last_error = error;
    return false;
  }

  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = spec_.stream.c_str();
  options.Consumer = spec_.durable.c_str();
  options.ManualAck = true;
  natsSubscription* raw = nullptr;
  s = js_PullSubscribe(&raw, js_.get(), spec_.filter_subject.c_str(), spec_.durable.c_str(),
                       nullptr, &options, &js_error);
  subscription_.reset(raw);
  if (s != NATS_OK) {
    subscription_.reset();
    logging::Warn("consumer cannot subscribe yet; retrying",
                  {{"consumer", spec_.durable},
                   {"error", nats::MakeNatsError(s, "pull subscribe", js_error).message}});
    return false;
  }
  logging::Info("consumer started", {{"consumer", spec_.durable}, {"stream", spec_.stream}});
  return true;
}

void EventConsumer::Run() {
  auto retry_delay = 250ms;
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
    }
    natsMsgList batch{};
    jsErrCode js_error = static_cast<jsErrCode>(0);
    const natsStatus s = natsSubscription_Fetch(&batch, subscription_.get(),
                                                static_cast<int>(spec_.batch), kFetchWait.count(),
                                                &js_error);
    if (s == NATS_TIMEOUT) {
      {
        std::lock_guard lock(mutex_);
        stats_.pending = 0;  // nothing came within the wait: caught up
      }
      MaybeCleanInbox();
      continue;
    }
    if (s != NATS_OK) {
      natsMsgList_Destroy(&batch);
      logging::Warn("consumer fetch failed; subscribing again",
                    {{"consumer", spec_.durable},
                     {"error", nats::MakeNatsError(s, "fetch", js_error).message}});
      subscription_.reset();
      Sleep(retry_delay);
      continue;
    }
    ProcessBatch(batch);
    natsMsgList_Destroy(&batch);
  }
}

// One delivered message and what became of it, shared by the consumer thread
// and the writer thread (which runs the transaction and its completion).
struct EventConsumer::Delivery {
  std::shared_ptr<natsMsg> message;
  ConsumedEvent event;
  std::string payload;
  std::string malformed;  // why it can never be processed; "" when well-formed
  bool fault = false;     // the test-only fault switch names it
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

void EventConsumer::ProcessBatch(natsMsgList& batch) {
  Deliveries pending = Decode(batch);
  for (int round = 0; !pending.empty(); ++round) {
    pending = Attempt(pending);
    if (pending.empty()) break;
    if (!Hold(pending, round)) {
      // Stopping: the held events are redelivered after the restart, with no
      // delivery spent on them here.
      for (const auto& delivery : pending) natsMsg_Nak(delivery->message.get(), nullptr);
      break;
    }
  }
  std::lock_guard lock(mutex_);
  stats_.held = 0;
  stats_.holding.clear();
}

EventConsumer::Deliveries EventConsumer::Decode(natsMsgList& batch) {
  Deliveries deliveries;
  for (int i = 0; i < batch.Count; ++i) {
    auto delivery = std::make_shared<Delivery>();
    // Take the message out of the list: it lives until its settlement.
    delivery->message = std::shared_ptr<natsMsg>(batch.Msgs[i], natsMsg_Destroy);
    batch.Msgs[i] = nullptr;
    natsMsg* message = delivery->message.get();
    ConsumedEvent& event = delivery->event;
    event.subject = natsMsg_GetSubject(message);
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, message) == NATS_OK) {
      event.deliveries = meta->NumDelivered;
      event.stream_sequence = meta->Sequence.Stream;
      std::lock_guard lock(mutex_);
      stats_.pending = meta->NumPending;
      jsMsgMetaData_Destroy(meta);
    }
    const char* data = natsMsg_GetData(message);
    delivery->payload =
        data == nullptr ? std::string() : std::string(data, natsMsg_GetDataLength(message));
    event.cloud_event = nlohmann::json::parse(delivery->payload, nullptr, false);
    if (event.cloud_event.is_discarded() || !event.cloud_event.is_object() ||
        !event.cloud_event.contains("id") || !event.cloud_event["id"].is_string()) {
      delivery->malformed = "not a CloudEvent: the payload is not a JSON object with a string id";
    }
    // The CloudEvent id names the event: a copy re-published under another
    // Nats-Msg-Id is still the same event, and the inbox must see it so.
    if (delivery->malformed.empty()) {
      event.event_id = event.cloud_event["id"].get<std::string>();
    } else {
      event.event_id = HeaderOf(message, "Nats-Msg-Id")
                           .value_or(event.subject + "#" + std::to_string(event.stream_sequence));
    }
    delivery->fault = !fail_marker_.empty() && delivery->payload.find(fail_marker_) != std::string::npos;
    deliveries.push_back(std::move(delivery));
  }
  return deliveries;
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

void EventConsumer::Submit(const std::shared_ptr<Delivery>& delivery, std::function<void()> done) {
  delivery->held = false;
  delivery->storage_full = false;
  // What a transaction that never ran its job settles by.
  delivery->outcome = HandlerResult::Retry("the transaction failed");
  delivery->decided = Settlement::kRetry;
  // The side effect outside the database, on this thread, before the transaction.
  std::optional<HandlerResult> prepared;
  if (before_transaction_ && delivery->malformed.empty() && !delivery->fault) {
    try {
      prepared = before_transaction_(delivery->event);
    } catch (const std::exception& error) {
      prepared = HandlerResult::Retry(std::string("side effect threw: ") + error.what());
    }
    if (prepared->kind == HandlerResult::Kind::kApplied ||
        prepared->kind == HandlerResult::Kind::kIgnored) {
      prepared.reset();  // go on with the transaction's handler
    }
  }

  WriteJob job;
  job.execute = [this, delivery, prepared](sqlite::Database& db) {
    Delivery& d = *delivery;
    d.duplicate = false;
    SqliteInbox inbox(db);
    auto seen = inbox.Contains(spec_.durable, d.event.event_id);
    if (!seen) {
      d.outcome = HandlerResult::Retry(seen.error().message);
      d.decided = Settlement::kRetry;
      return SavepointOutcome::kRollBack;
    }
    if (*seen) {
      d.outcome = HandlerResult::Ignored();  // a redelivery: its effects are already stored
      d.decided = Settlement::kAck;
      d.duplicate = true;
      return SavepointOutcome::kKeep;
    }
    HandlerResult result;
    if (!d.malformed.empty()) {
      result = HandlerResult::Reject(d.malformed);
    } else if (d.fault) {
      result = HandlerResult::Retry("fault injection (LOGISTICS_FAULT)");
    } else if (prepared) {
      result = *prepared;  // the side effect did not go through: settle as it says
    } else if (auto opened = db.Savepoint("effects"); !opened) {
      result = HandlerResult::Retry(opened.error().message);
    } else {
      try {
        result = handler_(db, d.event);
      } catch (const std::exception& error) {
        result = HandlerResult::Retry(std::string("handler threw: ") + error.what());
      }
      const bool keep = result.kind == HandlerResult::Kind::kApplied ||
                        result.kind == HandlerResult::Kind::kIgnored;
      if (auto ended = keep ? db.Release("effects") : db.RollbackTo("effects"); !ended) {
        d.outcome = HandlerResult::Retry(ended.error().message);
        d.decided = Settlement::kRetry;
        return SavepointOutcome::kRollBack;
      }
    }
    d.decided = Decide(DeliveryFacts{result.kind, d.event.deliveries, spec_.max_deliveries,
                                     d.waited, spec_.dependency_wait});
    const auto now = clock_.Now();
    switch (d.decided) {
      case Settlement::kAck:
        if (result.kind == HandlerResult::Kind::kApplied &&
            !inbox.Record(spec_.durable, d.event.event_id, now)) {
          return SavepointOutcome::kRollBack;
        }
        break;
      case Settlement::kDeadLetter: {
        if (result.kind == HandlerResult::Kind::kWait) {
          result.error = "waited " +
                         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d.waited).count()) +
                         " s, with the service's other consumers caught up, for: " + result.error;
        }
        const DeadLetter letter{spec_.durable, d.event.event_id, d.event.subject,
                                d.event.stream_sequence, d.event.deliveries, result.error, d.payload};
        if (!inbox.RecordDeadLetter(letter, now) || !inbox.Record(spec_.durable, d.event.event_id, now)) {
          return SavepointOutcome::kRollBack;
        }
        break;
      }
      case Settlement::kRetry:
      case Settlement::kHold:
        break;
    }
    d.outcome = std::move(result);
    if (!crash_marker_.empty() && d.decided == Settlement::kAck &&
        d.payload.find(crash_marker_) != std::string::npos) {
      // The effects are written, the transaction is not committed: anything
      // already sent about this event (an ack too early) has time to reach
      // the server before the process dies.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      CrashNow("crash-after-effects-containing");
    }
    return SavepointOutcome::kKeep;
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
    natsMsg_Nak(delivery->message.get(), nullptr);
    done();
  }
}

void EventConsumer::Settle(Delivery& delivery, Settlement how) {
  const ConsumedEvent& event = delivery.event;
  const std::string& error =
      delivery.outcome.error.empty() ? std::string("the transaction failed") : delivery.outcome.error;
  {
    std::lock_guard lock(mutex_);
    switch (how) {
      case Settlement::kAck:
        ++(delivery.duplicate ? stats_.duplicates : stats_.processed);
        break;
      case Settlement::kRetry:
        ++stats_.retries;
        stats_.last_error = error;
        break;
      case Settlement::kDeadLetter:
        ++stats_.dead_letters;
        stats_.last_error = delivery.outcome.error;
        break;
      case Settlement::kHold:
        break;
    }
  }
  switch (how) {
    case Settlement::kAck:
      if (delivery.duplicate) {
        logging::Debug("event already processed; acknowledged without effect",
                       {{"consumer", spec_.durable}, {"event_id", event.event_id}});
      }
      Acknowledge(*delivery.message);
      break;
    case Settlement::kRetry: {
      const auto delay = RetryDelay(event.deliveries, spec_.retry_initial, spec_.retry_max);
      logging::Warn("event processing failed; it will be redelivered",
                    {{"consumer", spec_.durable},
                     {"event_id", event.event_id},
                     {"subject", event.subject},
                     {"deliveries", static_cast<std::int64_t>(event.deliveries)},
                     {"retry_in_ms", static_cast<std::int64_t>(delay.count())},
                     {"error", error}});
      // nats.c takes this delay in milliseconds (unlike AckWait, in nanoseconds).
      natsMsg_NakWithDelay(delivery.message.get(), delay.count(), nullptr);
      break;
    }
    case Settlement::kDeadLetter:
      logging::Error("event dead-lettered; the consumer goes on",
                     {{"consumer", spec_.durable},
                      {"event_id", event.event_id},
                      {"subject", event.subject},
                      {"deliveries", static_cast<std::int64_t>(event.deliveries)},
                      {"error", delivery.outcome.error}});
      natsMsg_Term(delivery.message.get(), nullptr);
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
  for (const auto& delivery : held) natsMsg_InProgress(delivery->message.get(), nullptr);
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

void EventConsumer::Acknowledge(natsMsg& message) {
  // What natsMsg_Ack sends (AckExplicit), on the batching connection.
  static constexpr std::string_view kAck = "+ACK";
  const char* reply = natsMsg_GetReply(&message);
  const natsStatus s = reply == nullptr ? NATS_INVALID_ARG
                                        : natsConnection_Publish(acks_.get(), reply, kAck.data(),
                                                                 static_cast<int>(kAck.size()));
  if (s != NATS_OK) {
    // The event is stored and recorded in the inbox: its redelivery is
    // acknowledged without effect.
    logging::Warn("acknowledgement not sent; the event will be redelivered and skipped",
                  {{"consumer", spec_.durable}, {"error", nats::MakeNatsError(s, "ack").message}});
  }
}

void EventConsumer::MaybeCleanInbox() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_cleanup_) return;
  next_cleanup_ = now + kInboxCleanupInterval;
  const auto cutoff = clock_.Now() - spec_.inbox_retention;
  writer_.Submit(WriteJob{[cutoff](sqlite::Database& db) {
                            return SqliteInbox(db).DeleteProcessedBefore(cutoff, kInboxCleanupBatch)
                                       ? SavepointOutcome::kKeep
                                       : SavepointOutcome::kRollBack;
                          },
                          {},
                          JobKind::kBookkeeping});
}

}  // namespace logistics::messaging

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

// What to tell the server about a message once its transaction has ended.
enum class Settlement { kAck, kNak, kTerm };

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
      fail_marker_(FaultArgument("fail-events-containing")) {}

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

void EventConsumer::ProcessBatch(natsMsgList& batch) {
  auto latch = std::make_shared<BatchLatch>(static_cast<std::size_t>(batch.Count));
  for (int i = 0; i < batch.Count; ++i) {
    // Take the message out of the list: it lives until its settlement.
    std::shared_ptr<natsMsg> message(batch.Msgs[i], natsMsg_Destroy);
    batch.Msgs[i] = nullptr;

    auto event = std::make_shared<ConsumedEvent>();
    event->subject = natsMsg_GetSubject(message.get());
    jsMsgMetaData* meta = nullptr;
    std::uint64_t pending = 0;
    if (natsMsg_GetMetaData(&meta, message.get()) == NATS_OK) {
      event->deliveries = meta->NumDelivered;
      event->stream_sequence = meta->Sequence.Stream;
      pending = meta->NumPending;
      jsMsgMetaData_Destroy(meta);
    }
    const char* data = natsMsg_GetData(message.get());
    const std::string payload = data == nullptr ? std::string()
                                                : std::string(data, natsMsg_GetDataLength(message.get()));
    std::string malformed;
    event->cloud_event = nlohmann::json::parse(payload, nullptr, false);
    if (event->cloud_event.is_discarded() || !event->cloud_event.is_object() ||
        !event->cloud_event.contains("id") || !event->cloud_event["id"].is_string()) {
      malformed = "not a CloudEvent: the payload is not a JSON object with a string id";
    }
    // The CloudEvent id names the event: a copy re-published under another
    // Nats-Msg-Id is still the same event, and the inbox must see it so.
    if (malformed.empty()) {
      event->event_id = event->cloud_event["id"].get<std::string>();
    } else {
      event->event_id = HeaderOf(message.get(), "Nats-Msg-Id")
                            .value_or(event->subject + "#" + std::to_string(event->stream_sequence));
    }
    {
      std::lock_guard lock(mutex_);
      stats_.pending = pending;
    }

    auto settlement = std::make_shared<Settlement>(Settlement::kNak);
    auto outcome = std::make_shared<HandlerResult>();
    // True when the inbox already held the event: acknowledged, no effect.
    auto duplicate = std::make_shared<bool>(false);
    const bool fault = !fail_marker_.empty() && payload.find(fail_marker_) != std::string::npos;
    // The side effect outside the database, on this thread, before the transaction.
    std::optional<HandlerResult> prepared;
    if (before_transaction_ && malformed.empty() && !fault) {
      try {
        prepared = before_transaction_(*event);
      } catch (const std::exception& error) {
        prepared = HandlerResult::Retry(std::string("side effect threw: ") + error.what());
      }
      if (prepared->kind == HandlerResult::Kind::kApplied ||
          prepared->kind == HandlerResult::Kind::kIgnored) {
        prepared.reset();  // go on with the transaction's handler
      }
    }

    WriteJob job;
    job.execute = [this, event, settlement, outcome, duplicate, malformed, fault, payload,
                   prepared](sqlite::Database& db) {
      SqliteInbox inbox(db);
      auto seen = inbox.Contains(spec_.durable, event->event_id);
      if (!seen) {
        *outcome = HandlerResult::Retry(seen.error().message);
        *settlement = Settlement::kNak;
        return SavepointOutcome::kRollBack;
      }
      if (*seen) {
        *outcome = HandlerResult::Ignored();  // a redelivery: its effects are already stored
        *settlement = Settlement::kAck;
        *duplicate = true;
        return SavepointOutcome::kKeep;
      }
      HandlerResult result;
      if (!malformed.empty()) {
        result = HandlerResult::Reject(malformed);
      } else if (fault) {
        result = HandlerResult::Retry("fault injection (LOGISTICS_FAULT)");
      } else if (prepared) {
        result = *prepared;  // the side effect failed: settle as it says
      } else if (auto opened = db.Savepoint("effects"); !opened) {
        result = HandlerResult::Retry(opened.error().message);
      } else {
        try {
          result = handler_(db, *event);
        } catch (const std::exception& error) {
          result = HandlerResult::Retry(std::string("handler threw: ") + error.what());
        }
        const bool keep = result.kind == HandlerResult::Kind::kApplied ||
                          result.kind == HandlerResult::Kind::kIgnored;
        if (auto ended = keep ? db.Release("effects") : db.RollbackTo("effects"); !ended) {
          *outcome = HandlerResult::Retry(ended.error().message);
          *settlement = Settlement::kNak;
          return SavepointOutcome::kRollBack;
        }
      }
      const auto now = clock_.Now();
      const bool last_delivery =
          static_cast<std::int64_t>(event->deliveries) >= spec_.max_deliveries;
      switch (result.kind) {
        case HandlerResult::Kind::kApplied:
          if (!inbox.Record(spec_.durable, event->event_id, now)) return SavepointOutcome::kRollBack;
          *settlement = Settlement::kAck;
          break;
        case HandlerResult::Kind::kIgnored:
          *settlement = Settlement::kAck;
          break;
        case HandlerResult::Kind::kRetry:
          *settlement = Settlement::kNak;
          if (!last_delivery) break;
          [[fallthrough]];
        case HandlerResult::Kind::kReject: {
          const DeadLetter letter{spec_.durable, event->event_id, event->subject,
                                  event->stream_sequence, event->deliveries, result.error, payload};
          if (!inbox.RecordDeadLetter(letter, now) || !inbox.Record(spec_.durable, event->event_id, now)) {
            return SavepointOutcome::kRollBack;
          }
          *settlement = Settlement::kTerm;
          break;
        }
      }
      *outcome = std::move(result);
      return SavepointOutcome::kKeep;
    };
    job.completed = [this, event, settlement, outcome, duplicate, message, latch](WriteStatus status) {
      Settlement how = status == WriteStatus::kCommitted ? *settlement : Settlement::kNak;
      // Exponential backoff by delivery count: 1x, 2x, 4x ... the initial delay.
      const int doublings = static_cast<int>(std::min<std::uint64_t>(event->deliveries - 1, 20));
      const std::chrono::milliseconds delay =
          std::min<std::chrono::milliseconds>(spec_.retry_max, spec_.retry_initial * (1LL << doublings));
      {
        std::lock_guard lock(mutex_);
        switch (how) {
          case Settlement::kAck:
            if (*duplicate) {
              ++stats_.duplicates;
            } else {
              ++stats_.processed;
            }
            break;
          case Settlement::kNak:
            ++stats_.retries;
            stats_.last_error = outcome->error.empty() ? "the transaction failed" : outcome->error;
            break;
          case Settlement::kTerm:
            ++stats_.dead_letters;
            stats_.last_error = outcome->error;
            break;
        }
      }
      switch (how) {
        case Settlement::kAck:
          if (*duplicate) {
            logging::Debug("event already processed; acknowledged without effect",
                           {{"consumer", spec_.durable}, {"event_id", event->event_id}});
          }
          Acknowledge(*message);
          break;
        case Settlement::kNak:
          logging::Warn("event processing failed; it will be redelivered",
                        {{"consumer", spec_.durable},
                         {"event_id", event->event_id},
                         {"subject", event->subject},
                         {"deliveries", static_cast<std::int64_t>(event->deliveries)},
                         {"retry_in_ms", static_cast<std::int64_t>(delay.count())},
                         {"error", outcome->error}});
          // nats.c takes this delay in milliseconds (unlike AckWait, in nanoseconds).
          natsMsg_NakWithDelay(message.get(), delay.count(), nullptr);
          break;
        case Settlement::kTerm:
          logging::Error("event dead-lettered; the consumer goes on",
                         {{"consumer", spec_.durable},
                          {"event_id", event->event_id},
                          {"subject", event->subject},
                          {"deliveries", static_cast<std::int64_t>(event->deliveries)},
                          {"error", outcome->error}});
          natsMsg_Term(message.get(), nullptr);
          break;
      }
      latch->CountDown();
    };
    if (!writer_.Submit(std::move(job))) {
      // The writer is stopping: leave the message to be redelivered later.
      natsMsg_Nak(message.get(), nullptr);
      latch->CountDown();
    }
    // With a side effect, the next event's step must see this one's commit.
    if (before_transaction_) latch->WaitFor(static_cast<std::size_t>(batch.Count - i - 1));
  }
  latch->Wait();
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

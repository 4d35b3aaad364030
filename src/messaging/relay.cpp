#include "logistics/messaging/relay.hpp"
#include "logistics/logging/thread_name.hpp"

#include <algorithm>

#include "logistics/logging/log.hpp"
#include "logistics/messaging/fault_injection.hpp"

namespace logistics::messaging {

// The bookkeeping of one batch of publishes, shared with the PubAck callback.
struct Relay::Round {
  std::unordered_map<std::string, std::int64_t> ids_by_event;
  std::vector<std::int64_t> acked;
  std::optional<std::int64_t> first_failed_id;
  std::string first_error;

  void Fail(std::int64_t id, std::string error) {
    if (!first_failed_id || id < *first_failed_id) {
      first_failed_id = id;
      first_error = std::move(error);
    }
  }
};

Relay::Relay(nats::Connection& connection, sqlite::Database reader, Writer& writer,
             const common::Clock& clock, RelaySettings settings)
    : connection_(connection),
      reader_(std::move(reader)),
      outbox_(reader_),
      writer_(writer),
      clock_(clock),
      settings_(std::move(settings)),
      hold_until_flush_(FaultEnabled("hold-relay")),
      // Read before the writer commits anything: rows up to here were
      // committed by an earlier process, at a time we do not know.
      commit_latency_([this]() -> std::optional<std::int64_t> {
        auto last = outbox_.LastId();
        return last ? std::optional<std::int64_t>(*last) : std::nullopt;
      }()) {}

Relay::~Relay() { Stop(); }

common::Result<void, nats::NatsError> Relay::Start() {
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = static_cast<int64_t>(settings_.window);
  options.PublishAsync.AckHandler = &Relay::OnPubAck;
  options.PublishAsync.AckHandlerClosure = this;
  jsCtx* raw = nullptr;
  if (natsStatus s = natsConnection_JetStream(&raw, connection_.get(), &options); s != NATS_OK) {
    return common::Unexpected{nats::MakeNatsError(s, "create JetStream context")};
  }
  js_.reset(raw);
  thread_ = std::thread([this] {
    logging::NameThisThread("relay");
    Run();
  });
  return {};
}

void Relay::Wake() {
  {
    std::lock_guard lock(mutex_);
    wake_pending_ = true;
  }
  changed_.notify_all();
}

void Relay::NotifyCommitted(std::int64_t last_outbox_id) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    commit_latency_.Committed(last_outbox_id, now);
    wake_pending_ = true;
  }
  changed_.notify_all();
}

void Relay::NotifyReconnected() {
  {
    std::lock_guard lock(mutex_);
    reconnected_ = true;
    wake_pending_ = true;
  }
  changed_.notify_all();
}

bool Relay::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const std::uint64_t wanted = ++flush_requested_;
  wake_pending_ = true;
  changed_.notify_all();
  return changed_.wait_for(lock, timeout, [&] { return flush_reached_ >= wanted || stop_; }) &&
         flush_reached_ >= wanted;
}

void Relay::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  js_.reset();
}

RelayStats Relay::Stats() const {
  std::lock_guard lock(mutex_);
  RelayStats stats = stats_;
  stats.commit_to_ack = commit_latency_.histogram();
  return stats;
}

void Relay::WaitFor(std::chrono::milliseconds timeout, bool wake_ends_wait) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] {
    return stop_ || reconnected_ || (wake_ends_wait && wake_pending_);
  });
  wake_pending_ = false;
}

void Relay::Run() {
  std::int64_t cursor = 0;  // every row with id <= cursor has been sent and acknowledged
  auto retry_delay = settings_.retry_initial;
  for (;;) {
    std::uint64_t flush_generation = 0;
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      if (reconnected_) {
        reconnected_ = false;
        streams_ready_ = false;  // the server may have lost its store
        retry_delay = settings_.retry_initial;
      }
      flush_generation = flush_requested_;
    }
    if (!connection_.IsConnected() || (hold_until_flush_ && flush_generation == 0)) {
      WaitFor(settings_.sweep_interval, true);
      continue;
    }
    if (!streams_ready_) {
      const bool lost = ServerMayHaveLostEvents();
      if (!EnsureStreams()) {
        WaitFor(retry_delay, false);
        retry_delay = std::min(retry_delay * 2, settings_.retry_max);
        continue;
      }
      if (lost && settings_.republish_horizon.count() > 0) {
        republish_since_ = clock_.Now() - settings_.republish_horizon;
        cursor = 0;
      }
    }

    auto rows = republish_since_
                    ? outbox_.ReadForRepublish(cursor, *republish_since_, settings_.window)
                    : outbox_.ReadUnpublished(cursor, settings_.window);
    if (!rows) {
      logging::Error("relay could not read the outbox", {{"error", rows.error().message}});
      WaitFor(retry_delay, false);
      retry_delay = std::min(retry_delay * 2, settings_.retry_max);
      continue;
    }
    if (rows->empty() && republish_since_) {
      logging::Info("re-published the horizon", {{"up_to_outbox_id", cursor}});
      republish_since_.reset();
      continue;  // now catch up with anything still unpublished
    }
    if (rows->empty()) {
      {
        std::lock_guard lock(mutex_);
        flush_reached_ = std::max(flush_reached_, flush_generation);
      }
      changed_.notify_all();
      MaybeCleanUp();
      WaitFor(settings_.sweep_interval, true);
      continue;
    }

    const std::int64_t resume_after = PublishRound(*rows);
    if (resume_after == rows->back().id) {
      cursor = resume_after;
      retry_delay = settings_.retry_initial;
      continue;  // there may be more: read again at once
    }
    cursor = resume_after;
    WaitFor(retry_delay, false);
    retry_delay = std::min(retry_delay * 2, settings_.retry_max);
  }
}

bool Relay::EnsureStreams() {
  for (const StreamSpec& spec : settings_.streams) {
    if (auto ensured = EnsureStream(js_.get(), spec); !ensured) {
      logging::Warn("relay cannot set up its stream yet; retrying",
                    {{"stream", spec.name}, {"error", ensured.error().message}});
      return false;
    }
  }
  streams_ready_ = true;
  return true;
}

bool Relay::ServerMayHaveLostEvents() {
  const std::string server_id = connection_.ServerId();
  const bool new_server = !server_id_.empty() && !server_id.empty() && server_id != server_id_;
  if (!server_id.empty()) server_id_ = server_id;
  if (new_server) {
    logging::Warn("connected to a different NATS server (restart or failover); re-publishing "
                  "the events of the re-publish horizon",
                  {{"server_id", server_id}});
    return true;
  }
  std::unordered_map<std::string, std::uint64_t> acked;
  {
    std::lock_guard lock(mutex_);
    acked = highest_acked_sequence_;
  }
  for (const auto& [stream, sequence] : acked) {
    auto last = StreamLastSequence(js_.get(), stream);
    if (last && *last < sequence) {
      logging::Warn("stream went backwards (the server lost acknowledged events); re-publishing "
                    "the events of the re-publish horizon",
                    {{"stream", stream},
                     {"last_sequence", static_cast<std::int64_t>(*last)},
                     {"acknowledged_sequence", static_cast<std::int64_t>(sequence)}});
      std::lock_guard lock(mutex_);
      highest_acked_sequence_.clear();
      return true;
    }
  }
  return false;
}

std::int64_t Relay::PublishRound(const std::vector<OutboxRow>& rows) {
  Round round;
  for (const OutboxRow& row : rows) round.ids_by_event.emplace(row.message.event_id, row.id);
  {
    std::lock_guard lock(mutex_);
    round_ = &round;
  }
  const auto started = std::chrono::steady_clock::now();

  jsPubOptions publish_options;
  jsPubOptions_Init(&publish_options);
  publish_options.MaxWait = settings_.ack_timeout.count();
  for (const OutboxRow& row : rows) {
    natsMsg* raw = nullptr;
    natsStatus s = natsMsg_Create(&raw, row.message.subject.c_str(), nullptr,
                                  row.message.payload.data(),
                                  static_cast<int>(row.message.payload.size()));
    nats::MessageHandle message(raw);
    for (const auto& [key, value] : row.message.headers) {
      if (s == NATS_OK) s = natsMsgHeader_Set(message.get(), key.c_str(), value.c_str());
    }
    if (s == NATS_OK) {
      natsMsg* handed = message.release();
      s = js_PublishMsgAsync(js_.get(), &handed, &publish_options);
      message.reset(handed);  // null when nats.c took ownership
    }
    if (s != NATS_OK) {
      // Nothing after this row is sent, so the stream keeps commit order.
      std::lock_guard lock(mutex_);
      round.Fail(row.id, nats::MakePublishError(s, row.message.subject).message);
      break;
    }
  }

  // The connection batches its writes: send the round now, in a few large
  // writes, rather than at the flusher's next tick. The PONG comes about
  // when the PubAcks do, which are awaited next anyway.
  (void)connection_.Flush(settings_.ack_timeout);

  jsPubOptions complete_options;
  jsPubOptions_Init(&complete_options);
  complete_options.MaxWait = settings_.ack_timeout.count() + 1000;
  if (js_PublishAsyncComplete(js_.get(), &complete_options) != NATS_OK) {
    // Take back what was never acknowledged so no late callback touches the
    // round; those rows count as failed and are re-sent (the stream drops any
    // that did arrive).
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, js_.get()) == NATS_OK) natsMsgList_Destroy(&pending);
  }

  std::vector<std::int64_t> acked;
  std::optional<std::int64_t> first_failed;
  std::string first_error;
  {
    std::lock_guard lock(mutex_);
    round_ = nullptr;
    acked = std::move(round.acked);
    // A row neither acknowledged nor failed never got its PubAck.
    std::sort(acked.begin(), acked.end());
    for (const OutboxRow& row : rows) {
      if (round.first_failed_id && row.id >= *round.first_failed_id) break;
      if (!std::binary_search(acked.begin(), acked.end(), row.id)) {
        round.Fail(row.id, "no PubAck within " + std::to_string(settings_.ack_timeout.count()) +
                               " ms");
        break;
      }
    }
    first_failed = round.first_failed_id;
    first_error = round.first_error;
    stats_.published += acked.size();
    commit_latency_.ForgetThrough(first_failed ? *first_failed - 1 : rows.back().id);
    stats_.last_round_latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    if (first_failed) {
      ++stats_.failed_attempts;
      stats_.last_error = first_error;
    } else {
      stats_.last_error.clear();
    }
  }

  if (!acked.empty()) {
    const auto now = clock_.Now();
    writer_.Submit(WriteJob{[ids = acked, now](sqlite::Database& db) {
                              if (auto marked = SqliteOutbox(db).MarkPublished(ids, now); !marked) {
                                logging::Error("could not mark outbox rows published",
                                               {{"error", marked.error().message}});
                                return SavepointOutcome::kRollBack;
                              }
                              return SavepointOutcome::kKeep;
                            },
                            {},
                            JobKind::kBookkeeping});
  }
  if (!first_failed) return rows.back().id;

  if (first_error.find("no JetStream stream captures") != std::string::npos) {
    streams_ready_ = false;  // someone deleted the stream: create it again
  }
  const auto failed_row = std::find_if(rows.begin(), rows.end(),
                                       [&](const OutboxRow& row) { return row.id == *first_failed; });
  logging::Warn("relay publish failed; will retry from this event",
                {{"outbox_id", *first_failed},
                 {"event_id", failed_row->message.event_id},
                 {"subject", failed_row->message.subject},
                 {"attempts", failed_row->attempts + 1},
                 {"error", first_error}});
  writer_.Submit(WriteJob{[id = *first_failed, first_error](sqlite::Database& db) {
                            return SqliteOutbox(db).RecordFailure(id, first_error)
                                       ? SavepointOutcome::kKeep
                                       : SavepointOutcome::kRollBack;
                          },
                          {},
                          JobKind::kBookkeeping});
  return *first_failed - 1;
}

void Relay::MaybeCleanUp() {
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now < next_cleanup_) return;
    next_cleanup_ = now + settings_.cleanup_interval;
  }
  const auto cutoff = clock_.Now() - settings_.republish_horizon;
  const std::int64_t batch = settings_.cleanup_batch;
  writer_.Submit(WriteJob{[cutoff, batch, this](sqlite::Database& db) {
                            auto deleted = SqliteOutbox(db).DeletePublishedBefore(cutoff, batch);
                            if (!deleted) return SavepointOutcome::kRollBack;
                            // A full batch means more are due: come back soon.
                            if (*deleted == batch) {
                              std::lock_guard lock(mutex_);
                              next_cleanup_ = std::chrono::steady_clock::now();
                            }
                            return SavepointOutcome::kKeep;
                          },
                          {},
                          JobKind::kBookkeeping});
}

void Relay::OnPubAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                     void* closure) noexcept {
  nats::MessageHandle owned(msg);  // the ack handler owns the original message
  try {
    auto* self = static_cast<Relay*>(closure);
    const char* event_id = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &event_id) != NATS_OK) return;
    std::lock_guard lock(self->mutex_);
    if (self->round_ == nullptr) return;  // a late ack of an abandoned round
    const auto found = self->round_->ids_by_event.find(event_id);
    if (found == self->round_->ids_by_event.end()) return;
    if (ack != nullptr) {
      self->round_->acked.push_back(found->second);
      self->commit_latency_.Acknowledged(found->second, std::chrono::steady_clock::now());
      if (ack->Stream != nullptr) {
        auto& highest = self->highest_acked_sequence_[ack->Stream];
        highest = std::max<std::uint64_t>(highest, ack->Sequence);
      }
    } else if (error != nullptr) {
      self->round_->Fail(found->second,
                         nats::MakePublishError(error->Err, natsMsg_GetSubject(msg), error->ErrCode,
                                                error->ErrText ? error->ErrText : "")
                             .message);
    }
  } catch (...) {
    // Nothing may unwind into nats.c; a lost ack only causes a re-send.
  }
}

}  // namespace logistics::messaging

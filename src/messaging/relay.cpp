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
  // Per stream, the highest position acknowledged in this round.
  std::unordered_map<std::string, AcknowledgedPosition> positions;
  std::optional<std::int64_t> first_failed_id;
  nats::NatsError first_error;

  void Fail(std::int64_t id, nats::NatsError error) {
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
      }()) {
  if (auto positions = outbox_.ReadAcknowledged(); positions) {
    for (auto& position : *positions) acknowledged_[position.stream] = std::move(position);
  } else {
    // Without them a lost tail at the last crash goes unseen: say so loudly.
    logging::Error("relay could not read the streams' acknowledged positions",
                   {{"error", positions.error().message}});
  }
}

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
  std::string unreadable;  // the last error of StreamsLostEvents, said once
  // After a failed round the first unacknowledged row is sent alone until it
  // is acknowledged: pipelined, the rows after it could be stored before it
  // while the server keeps refusing it (a limit), breaking commit order.
  bool probing = false;
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
      // Nothing new is published before the streams are known to hold what
      // they acknowledged, or the horizon is on its way again.
      auto lost = EnsureStreams() ? StreamsLostEvents()
                                  : common::Result<bool, std::string>(common::Unexpected{
                                        std::string("streams not set up")});
      if (!lost) {
        if (lost.error() != unreadable) {
          logging::Warn("relay cannot check its streams yet; publishing waits",
                        {{"error", lost.error()}});
          unreadable = lost.error();
        }
        streams_ready_ = false;
        WaitFor(retry_delay, false);
        retry_delay = std::min(retry_delay * 2, settings_.retry_max);
        continue;
      }
      unreadable.clear();
      if (*lost && settings_.republish_horizon.count() > 0) {
        republish_since_ = clock_.Now() - settings_.republish_horizon;
        cursor = 0;
        std::lock_guard lock(mutex_);
        ++stats_.republished_horizons;
      }
    }
    RetryFailedMarks();

    const std::size_t limit = probing ? 1 : settings_.window;
    auto rows = republish_since_ ? outbox_.ReadForRepublish(cursor, *republish_since_, limit)
                                 : outbox_.ReadUnpublished(cursor, limit);
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
      bool settled = false;
      {
        std::lock_guard lock(mutex_);
        settled = MarksSettled();
        if (settled) flush_reached_ = std::max(flush_reached_, flush_generation);
      }
      if (settled) changed_.notify_all();
      MaybeCleanUp();
      // Unsettled marks end the wait when they commit or fail (Wake).
      WaitFor(settled ? settings_.sweep_interval : std::min(settings_.sweep_interval, retry_delay),
              true);
      continue;
    }

    const std::int64_t resume_after = PublishRound(*rows);
    if (resume_after == rows->back().id) {
      cursor = resume_after;
      retry_delay = settings_.retry_initial;
      probing = false;
      continue;  // there may be more: read again at once
    }
    cursor = resume_after;
    probing = true;
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

common::Result<bool, std::string> Relay::StreamsLostEvents() {
  std::vector<AcknowledgedPosition> positions;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [stream, position] : acknowledged_) positions.push_back(position);
  }
  bool lost = false;
  for (const AcknowledgedPosition& position : positions) {
    auto view = ReadStreamView(js_.get(), position.stream, position.sequence);
    if (!view) return common::Unexpected{view.error().message};
    const TailVerdict verdict = JudgeStreamTail(position, *view);
    if (!verdict.lost) {
      logging::Debug("stream holds what it acknowledged", {{"detail", verdict.reason}});
      continue;
    }
    logging::Warn("the stream lost acknowledged events; re-publishing the events of the "
                  "re-publish horizon before any new one",
                  {{"stream", position.stream},
                   {"detail", verdict.reason},
                   {"horizon_s", std::chrono::duration_cast<std::chrono::seconds>(
                                     settings_.republish_horizon)
                                     .count()}});
    lost = true;
    // Its sequences start lower now: the re-published events set it again.
    std::lock_guard lock(mutex_);
    acknowledged_.erase(position.stream);
  }
  return lost;
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
      round.Fail(row.id, nats::MakePublishError(s, row.message.subject));
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

  Marks marks;
  std::optional<std::int64_t> first_failed;
  nats::NatsError first_error;
  {
    std::lock_guard lock(mutex_);
    round_ = nullptr;
    std::vector<std::int64_t>& acked = round.acked;
    // A row neither acknowledged nor failed never got its PubAck.
    std::sort(acked.begin(), acked.end());
    for (const OutboxRow& row : rows) {
      if (round.first_failed_id && row.id >= *round.first_failed_id) break;
      if (!std::binary_search(acked.begin(), acked.end(), row.id)) {
        round.Fail(row.id, nats::NatsError{nats::NatsErrorKind::kTimeout, NATS_TIMEOUT, 0,
                                           "no PubAck within " +
                                               std::to_string(settings_.ack_timeout.count()) +
                                               " ms"});
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
      stats_.last_error = first_error.message;
    } else {
      stats_.last_error.clear();
    }
    marks.ids = std::move(acked);
    for (auto& [stream, position] : round.positions) marks.positions.push_back(std::move(position));
  }

  if (!marks.ids.empty()) SubmitMarks(std::move(marks));
  if (!first_failed) return rows.back().id;

  if (first_error.kind == nats::NatsErrorKind::kNoResponders) {
    streams_ready_ = false;  // someone deleted the stream: create it again
  }
  const auto failed_row = std::find_if(rows.begin(), rows.end(),
                                       [&](const OutboxRow& row) { return row.id == *first_failed; });
  logging::Warn("relay publish failed; will retry from this event",
                {{"outbox_id", *first_failed},
                 {"event_id", failed_row->message.event_id},
                 {"subject", failed_row->message.subject},
                 {"attempts", failed_row->attempts + 1},
                 {"error", first_error.message}});
  writer_.Submit(WriteJob{[id = *first_failed, error = first_error.message](sqlite::Database& db) {
                            return SqliteOutbox(db).RecordFailure(id, error)
                                       ? SavepointOutcome::kKeep
                                       : SavepointOutcome::kRollBack;
                          },
                          {},
                          JobKind::kBookkeeping});
  return *first_failed - 1;
}

void Relay::SubmitMarks(Marks marks) {
  const auto now = clock_.Now();
  auto shared = std::make_shared<Marks>(std::move(marks));
  {
    std::lock_guard lock(mutex_);
    ++marks_in_flight_;
    stats_.unmarked += shared->ids.size();
  }
  WriteJob job{
      [shared, now](sqlite::Database& db) {
        SqliteOutbox outbox(db);
        auto marked = outbox.MarkPublished(shared->ids, now);
        if (marked) marked = outbox.RecordAcknowledged(shared->positions, now);
        if (!marked) {
          logging::Error("could not mark outbox rows published; retrying",
                         {{"error", marked.error().message}});
          return SavepointOutcome::kRollBack;
        }
        return SavepointOutcome::kKeep;
      },
      [this, shared](WriteStatus status) {
        {
          std::lock_guard lock(mutex_);
          --marks_in_flight_;
          stats_.unmarked -= shared->ids.size();
          if (status != WriteStatus::kCommitted) {
            // Published, not yet recorded: record them later, never send them
            // again while running (after a restart the stream drops them).
            ++stats_.failed_marks;
            stats_.unmarked += shared->ids.size();
            unmarked_.ids.insert(unmarked_.ids.end(), shared->ids.begin(), shared->ids.end());
            unmarked_.positions.insert(unmarked_.positions.end(), shared->positions.begin(),
                                       shared->positions.end());
            mark_retry_delay_ = std::clamp(mark_retry_delay_ * 2, settings_.retry_initial,
                                           settings_.retry_max);
            next_mark_retry_ = std::chrono::steady_clock::now() + mark_retry_delay_;
          } else if (unmarked_.ids.empty()) {
            mark_retry_delay_ = std::chrono::milliseconds(0);
          }
          wake_pending_ = true;
        }
        changed_.notify_all();
      },
      JobKind::kBookkeeping};
  if (!writer_.Submit(std::move(job))) {
    // The writer is stopping or full; the completion never runs.
    std::lock_guard lock(mutex_);
    --marks_in_flight_;
    unmarked_.ids.insert(unmarked_.ids.end(), shared->ids.begin(), shared->ids.end());
    unmarked_.positions.insert(unmarked_.positions.end(), shared->positions.begin(),
                               shared->positions.end());
    next_mark_retry_ = std::chrono::steady_clock::now() + settings_.retry_initial;
  }
}

void Relay::RetryFailedMarks() {
  Marks retry;
  {
    std::lock_guard lock(mutex_);
    if (unmarked_.ids.empty() || marks_in_flight_ > 0 ||
        std::chrono::steady_clock::now() < next_mark_retry_) {
      return;
    }
    retry = std::move(unmarked_);
    unmarked_ = Marks{};
    stats_.unmarked -= retry.ids.size();
    // Later positions of a stream replace earlier ones; keep the last of each.
    std::unordered_map<std::string, AcknowledgedPosition> last;
    for (auto& position : retry.positions) last[position.stream] = std::move(position);
    retry.positions.clear();
    for (auto& [stream, position] : last) retry.positions.push_back(std::move(position));
  }
  SubmitMarks(std::move(retry));
}

bool Relay::MarksSettled() const { return marks_in_flight_ == 0 && unmarked_.ids.empty(); }

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
        const AcknowledgedPosition position{ack->Stream, ack->Sequence, event_id};
        for (auto* positions : {&self->acknowledged_, &self->round_->positions}) {
          auto [known, added] = positions->try_emplace(position.stream, position);
          if (!added && known->second.sequence < position.sequence) known->second = position;
        }
      }
    } else if (error != nullptr) {
      self->round_->Fail(found->second,
                         nats::MakePublishError(error->Err, natsMsg_GetSubject(msg), error->ErrCode,
                                                error->ErrText ? error->ErrText : ""));
    }
  } catch (...) {
    // Nothing may unwind into nats.c; a lost ack only causes a re-send.
  }
}

}  // namespace logistics::messaging

#include "logistics/messaging/relay.hpp"

#include <algorithm>

#include "logistics/logging/log.hpp"
#include "logistics/logging/thread_name.hpp"
#include "logistics/messaging/sqlite_parked_events.hpp"
#include "logistics/messaging/sqlite_relay_lease.hpp"
#include "logistics/messaging/stream_check.hpp"

namespace logistics::messaging {

// The PubAcks of one round in flight, shared with the PubAck callback.
struct Relay::Round {
  std::unordered_map<std::string, std::int64_t> ids_by_event;
  std::vector<std::int64_t> acked;
  // Per stream, the highest position acknowledged in this round.
  std::unordered_map<std::string, AcknowledgedPosition> positions;
  // The lowest row refused (or not sent), with its error.
  std::optional<std::int64_t> first_refused;
  nats::NatsError refusal;
  bool lease_lost = false;  // stopped because another instance holds the lease now

  void Refuse(std::int64_t id, nats::NatsError error) {
    if (!first_refused || id < *first_refused) {
      first_refused = id;
      refusal = std::move(error);
    }
  }
};

namespace {

using namespace std::chrono_literals;

RetryPolicy PolicyOf(const RelaySettings& settings) {
  return RetryPolicy{settings.retry_initial, settings.retry_max};
}

// The fence (sqlite_relay_lease.hpp): a write of the relay made under `epoch`
// may commit only while the lease row still carries it. No epoch: no lease,
// nothing to check. A row that cannot be read fences too: the write is
// retried or made again by whoever holds the lease.
bool FenceHolds(sqlite::Database& db, std::optional<std::int64_t> epoch) {
  if (!epoch) return true;
  auto held = SqliteRelayLease(db).HeldBy(*epoch);
  return held && *held;
}

// How often a relay that does not hold the lease looks again.
constexpr std::chrono::milliseconds kLeaseCheck{50};

}  // namespace

Relay::Relay(nats::Connection& connection, sqlite::Database reader, Writer& writer,
             const common::Clock& clock, RelaySettings settings)
    : connection_(connection),
      reader_(std::move(reader)),
      outbox_(reader_),
      writer_(writer),
      clock_(clock),
      settings_(std::move(settings)),
      // Read before the writer commits anything: rows up to here were
      // committed by an earlier process, at a time we do not know.
      commit_latency_([this]() -> std::optional<std::int64_t> {
        auto last = outbox_.LastId();
        return last ? std::optional<std::int64_t>(*last) : std::nullopt;
      }()) {
  stats_.publishing = settings_.lease == nullptr;
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
  auto js = nats::JetStream::Create(
      connection_, nats::AsyncPublishSettings{settings_.window,
                                              [this](const nats::Message& sent, const nats::PubAckResult& ack) {
                                                OnPubAck(sent, ack);
                                              }});
  if (!js) return common::Unexpected{std::move(js).error()};
  js_ = std::move(*js);
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
  const RetryPolicy policy = PolicyOf(settings_);
  RelayPosition position{0, false, settings_.retry_initial};
  std::string unreadable;  // the last error of StreamsLostEvents, said once
  for (;;) {
    std::uint64_t flush_generation = 0;
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      if (reconnected_) {
        reconnected_ = false;
        streams_ready_ = false;  // the server may have lost its store
        position.retry_delay = settings_.retry_initial;
      }
      if (requeued_from_) {
        // Requeued rows lie behind the cursor: read again from the first.
        position.cursor = std::min(position.cursor, *requeued_from_ - 1);
        position.probing = false;
        requeued_from_.reset();
      }
      flush_generation = flush_requested_;
    }
    if (settings_.lease != nullptr) {
      const auto epoch = settings_.lease->HeldEpoch();
      bool moved = false;
      {
        std::lock_guard lock(mutex_);
        moved = epoch != tenure_;
      }
      if (moved) BeginTenure(epoch, position);
      if (!epoch) {
        // Another instance publishes: there is nothing this one could flush.
        {
          std::lock_guard lock(mutex_);
          flush_reached_ = std::max(flush_reached_, flush_generation);
        }
        changed_.notify_all();
        WaitFor(kLeaseCheck, false);
        continue;
      }
    }
    if (!connection_.IsConnected() || (settings_.hold_until_flush && flush_generation == 0)) {
      if (!connection_.IsConnected()) NoteWaiting("not connected to NATS; events wait in the outbox");
      WaitFor(settings_.sweep_interval, true);
      continue;
    }
    if (!streams_ready_) {
      // Nothing new is published before the streams are known to hold what
      // they acknowledged, or the horizon is on its way again.
      auto lost = EnsureStreams() ? StreamsLostEvents()
                                  : common::Result<bool, std::string>(
                                        common::Unexpected{stream_problem_});
      if (!lost) {
        // Said in the status too: events wait in the outbox, and this is why.
        NoteWaiting("cannot check the streams yet, events wait in the outbox: " + lost.error());
        if (lost.error() != unreadable) {
          logging::Warn("relay cannot check its streams yet; publishing waits",
                        {{"error", lost.error()}});
          unreadable = lost.error();
        }
        streams_ready_ = false;
        WaitFor(position.retry_delay, false);
        position.retry_delay = Backoff(position.retry_delay, policy);
        continue;
      }
      unreadable.clear();
      if (*lost && settings_.republish_horizon.count() > 0) {
        republish_since_ = clock_.Now() - settings_.republish_horizon;
        position.cursor = 0;
        std::lock_guard lock(mutex_);
        ++stats_.republished_horizons;
      }
    }
    RetryFailedMarks();
    RetryPendingParkings();

    const std::size_t limit = RoundSize(position, settings_.window);
    auto rows = republish_since_
                    ? outbox_.ReadForRepublish(position.cursor, *republish_since_, limit)
                    : outbox_.ReadUnpublished(position.cursor, limit);
    if (!rows) {
      logging::Error("relay could not read the outbox", {{"error", rows.error().message}});
      WaitFor(position.retry_delay, false);
      position.retry_delay = Backoff(position.retry_delay, policy);
      continue;
    }
    if (rows->empty() && republish_since_) {
      logging::Info("re-published the horizon", {{"up_to_outbox_id", position.cursor}});
      republish_since_.reset();
      // Only now is the repair recorded as done: the streams' new positions.
      Marks done;
      {
        std::lock_guard lock(mutex_);
        for (const auto& [stream, acknowledged] : acknowledged_) done.positions.push_back(acknowledged);
        done.epoch = tenure_;
      }
      if (!done.positions.empty()) SubmitMarks(std::move(done));
      continue;  // now catch up with anything still unpublished
    }
    if (rows->empty()) {
      bool settled = false;
      {
        std::lock_guard lock(mutex_);
        settled = MarksSettled();
        if (settled) flush_reached_ = std::max(flush_reached_, flush_generation);
      }
      if (settled) {
        changed_.notify_all();
        // Every row up to the cursor is published or parked: read from the
        // first unpublished row next time, which finds rows an operator
        // requeued through another instance.
        position.cursor = 0;
      }
      // Unsettled marks end the wait when they commit or fail (Wake).
      WaitForCommits(settled ? settings_.sweep_interval
                             : std::min(settings_.sweep_interval, position.retry_delay));
      continue;
    }

    const std::int64_t last_read = rows->back().id;
    if (DropParked(*rows) && rows->empty()) {
      position.cursor = last_read;  // only events waiting behind a parked one
      continue;
    }
    {
      // One event per aggregate in flight (relay_round.hpp).
      std::vector<std::string> aggregates;
      aggregates.reserve(rows->size());
      for (const OutboxRow& row : *rows) aggregates.push_back(AggregateOf(row.message.subject));
      rows->resize(DistinctAggregatePrefix(aggregates));
    }
    const NextRound next = PublishRound(*rows, position);
    position = next.position;
    if (next.set_up_streams) streams_ready_ = false;  // someone deleted the stream: create it again
    if (next.wait.count() > 0) WaitFor(next.wait, false);
  }
}

void Relay::BeginTenure(std::optional<std::int64_t> epoch, RelayPosition& position) {
  position = RelayPosition{0, false, settings_.retry_initial};
  streams_ready_ = false;  // check the streams for a lost tail, as after a restart
  republish_since_.reset();
  refused_row_ = 0;
  lasting_refusals_ = 0;
  // What the previous holder recorded the streams acknowledged.
  auto positions = outbox_.ReadAcknowledged();
  if (!positions) {
    logging::Error("relay could not read the streams' acknowledged positions",
                   {{"error", positions.error().message}});
  }
  {
    std::lock_guard lock(mutex_);
    tenure_ = epoch;
    stats_.publishing = epoch.has_value();
    if (epoch) ++stats_.tenures;
    // Marks and parkings of an earlier tenure are fenced off: forget them.
    stats_.unmarked -= unmarked_.ids.size();
    unmarked_ = Marks{};
    pending_parkings_.clear();
    parked_.clear();
    requeued_from_.reset();
    acknowledged_.clear();
    if (positions) {
      for (auto& acknowledged : *positions) acknowledged_[acknowledged.stream] = std::move(acknowledged);
    }
  }
  if (epoch) {
    logging::Info("relay publishes under the lease", {{"epoch", *epoch}});
  } else {
    logging::Info("relay stands by: this instance does not hold the relay lease (another does, "
                  "or it could not renew it)");
  }
}

void Relay::NoteWaiting(const std::string& why) {
  std::lock_guard lock(mutex_);
  stats_.last_error = why;
}

bool Relay::MayPublish() const {
  if (settings_.lease == nullptr) return true;
  const auto epoch = settings_.lease->HeldEpoch();
  std::lock_guard lock(mutex_);
  return epoch && epoch == tenure_;
}

void Relay::WaitForCommits(std::chrono::milliseconds timeout) {
  if (settings_.lease == nullptr) {
    WaitFor(timeout, true);
    return;
  }
  // Other instances commit through their own writers, which cannot wake this
  // relay: watch the file's data_version instead.
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left <= 0ms) return;
    {
      std::unique_lock lock(mutex_);
      if (changed_.wait_for(lock, std::min(left, settings_.peer_poll),
                            [&] { return stop_ || reconnected_ || wake_pending_; })) {
        wake_pending_ = false;
        return;
      }
    }
    if (auto version = reader_.DataVersion(); version && *version != data_version_) {
      data_version_ = *version;
      return;
    }
    if (!MayPublish()) return;
  }
}

bool Relay::EnsureStreams() {
  for (const StreamSpec& spec : settings_.streams) {
    if (!settings_.manage_streams) {
      auto checked = CheckStream(*js_, spec);
      if (checked) continue;
      if (checked.error().kind == ProvisioningProblem::Kind::kUnavailable) {
        logging::Warn("relay cannot check its stream yet; retrying",
                      {{"stream", spec.name}, {"error", checked.error().message}});
      } else if (settings_.on_unusable_stream) {
        settings_.on_unusable_stream(checked.error().message);
      }
      stream_problem_ = checked.error().message;
      return false;
    }
    if (auto ensured = EnsureStream(*js_, spec); !ensured) {
      stream_problem_ = ensured.error().message;
      // Asking a server for replicas it cannot give will not get better by
      // retrying: stop the service with the message that says what to do.
      if (CannotHaveReplicas(ensured.error()) && settings_.on_unusable_stream) {
        settings_.on_unusable_stream(ensured.error().message);
        return false;
      }
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
    auto view = ReadStreamView(*js_, position.stream, position.sequence);
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

NextRound Relay::PublishRound(const std::vector<OutboxRow>& rows, const RelayPosition& position) {
  Round round;
  std::vector<std::int64_t> sent;
  for (const OutboxRow& row : rows) {
    round.ids_by_event.emplace(row.message.event_id, row.id);
    sent.push_back(row.id);
  }
  {
    std::lock_guard lock(mutex_);
    round_ = &round;
    stats_.in_flight = rows.size();
  }
  const auto started = std::chrono::steady_clock::now();
  SendRound(rows, round);

  RoundOutcome outcome;
  nats::NatsError first_error;
  Marks marks;
  {
    std::lock_guard lock(mutex_);
    round_ = nullptr;
    stats_.in_flight = 0;
    outcome = JudgeRound(sent, std::move(round.acked), round.first_refused);
    first_error = outcome.first_failed_unanswered
                      ? nats::MakeTimeoutError("no PubAck within " +
                                               std::to_string(settings_.ack_timeout.count()) + " ms")
                      : round.refusal;
    stats_.published += outcome.acknowledged.size();
    commit_latency_.ForgetThrough(outcome.first_failed ? *outcome.first_failed - 1 : rows.back().id);
    stats_.last_round_latency = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    if (outcome.first_failed) {
      ++stats_.failed_attempts;
      stats_.last_error = first_error.message;
    } else {
      stats_.last_error.clear();
    }
    marks.ids = outcome.acknowledged;
    // While a lost tail is re-published, the recorded positions stay those
    // from before the loss: a crash in the middle finds the stream still
    // short of them at the restart and re-publishes again, instead of taking
    // the first re-sent events for the whole repair. Recorded when it is done.
    if (!republish_since_) {
      for (auto& [stream, acknowledged] : round.positions) {
        marks.positions.push_back(std::move(acknowledged));
      }
    }
    marks.epoch = tenure_;
  }

  if (!marks.ids.empty() || !marks.positions.empty()) SubmitMarks(std::move(marks));
  // The next turn of Run sees the lease gone and starts over; nothing of this
  // round is a failure of the row.
  if (round.lease_lost) return NextRound{position, 0ms, false};
  if (!outcome.first_failed) return AfterRound(position, rows.back().id, outcome, first_error.kind,
                                               PolicyOf(settings_));
  ReportFailure(rows, *outcome.first_failed, first_error);
  // Lasting refusals of the same row in a row are counted; anything else
  // starts the count again.
  if (!IsLastingRefusal(first_error.kind)) {
    refused_row_ = 0;
    lasting_refusals_ = 0;
  } else {
    if (refused_row_ != *outcome.first_failed) {
      refused_row_ = *outcome.first_failed;
      lasting_refusals_ = 0;
    }
    if (ShouldPark(++lasting_refusals_, settings_.park_after_attempts)) {
      const auto failed = std::find_if(rows.begin(), rows.end(), [&](const OutboxRow& row) {
        return row.id == *outcome.first_failed;
      });
      Park(*failed, first_error);
      refused_row_ = 0;
      lasting_refusals_ = 0;
      return AfterParking(*outcome.first_failed, PolicyOf(settings_));
    }
  }
  return AfterRound(position, rows.back().id, outcome, first_error.kind, PolicyOf(settings_));
}

void Relay::Park(const OutboxRow& row, const nats::NatsError& error) {
  const std::string aggregate = AggregateOf(row.message.subject);
  {
    std::lock_guard lock(mutex_);
    if (parked_.insert(aggregate).second) ++stats_.parked_aggregates;
  }
  logging::Error("parked an event the stream keeps refusing, with the later events of its "
                 "aggregate; the others go on (requeue it once the cause is fixed)",
                 {{"outbox_id", row.id},
                  {"event_id", row.message.event_id},
                  {"subject", row.message.subject},
                  {"aggregate", aggregate},
                  {"refusals", settings_.park_after_attempts},
                  {"error", error.message}});
  SubmitParking(aggregate, row.id, error.message);
}

void Relay::SubmitParking(const std::string& aggregate, std::int64_t from_id,
                          const std::string& reason) {
  auto parking = std::make_shared<Parking>(Parking{aggregate, from_id, reason, std::nullopt, false});
  {
    std::lock_guard lock(mutex_);
    ++stats_.parks_pending;
    parking->epoch = tenure_;
  }
  const auto now = clock_.Now();
  WriteJob job{[parking, now](sqlite::Database& db) {
                 if (!FenceHolds(db, parking->epoch)) {
                   parking->fenced = true;
                   return SavepointOutcome::kRollBack;
                 }
                 auto parked = SqliteParkedEvents(db).Park(parking->aggregate, parking->from_id,
                                                           parking->reason, now);
                 if (!parked) {
                   logging::Error("could not park outbox rows; retrying",
                                  {{"aggregate", parking->aggregate},
                                   {"error", parked.error().message}});
                   return SavepointOutcome::kRollBack;
                 }
                 return SavepointOutcome::kKeep;
               },
               [this, parking](WriteStatus status) {
                 std::lock_guard lock(mutex_);
                 --stats_.parks_pending;
                 if (parking->fenced) {
                   ++stats_.fenced_writes;  // the lease moved: its holder decides again
                   return;
                 }
                 // Until it commits, the rows stay skipped (parked_), so
                 // nothing of the aggregate overtakes the parked event.
                 if (status != WriteStatus::kCommitted) pending_parkings_.push_back(*parking);
               },
               JobKind::kBookkeeping};
  if (!writer_.Submit(std::move(job))) {
    std::lock_guard lock(mutex_);
    --stats_.parks_pending;
    pending_parkings_.push_back(*parking);
  }
}

void Relay::RetryPendingParkings() {
  std::vector<Parking> pending;
  {
    std::lock_guard lock(mutex_);
    pending.swap(pending_parkings_);
  }
  for (const Parking& parking : pending) {
    SubmitParking(parking.aggregate, parking.from_id, parking.reason);
  }
}

bool Relay::DropParked(std::vector<OutboxRow>& rows) const {
  std::lock_guard lock(mutex_);
  if (parked_.empty()) return false;
  const auto kept = std::remove_if(rows.begin(), rows.end(), [&](const OutboxRow& row) {
    return parked_.count(AggregateOf(row.message.subject)) != 0;
  });
  const bool dropped = kept != rows.end();
  rows.erase(kept, rows.end());
  return dropped;
}

void Relay::NotifyRequeued(const std::string& aggregate, std::int64_t first_id) {
  {
    std::lock_guard lock(mutex_);
    if (aggregate.empty()) {
      parked_.clear();
    } else {
      parked_.erase(aggregate);
    }
    requeued_from_ = requeued_from_ ? std::min(*requeued_from_, first_id) : first_id;
    wake_pending_ = true;
  }
  changed_.notify_all();
}

void Relay::SendRound(const std::vector<OutboxRow>& rows, Round& round) {
  for (const OutboxRow& row : rows) {
    if (!MayPublish()) {
      // A paused holder that resumes finds its lease gone here, before the
      // next row reaches the wire.
      std::lock_guard lock(mutex_);
      round.lease_lost = true;
      round.Refuse(row.id, nats::NatsError{nats::NatsErrorKind::kOther, 0, 0,
                                           "the relay lease moved to another instance"});
      break;
    }
    auto message = nats::Message::Create(row.message.subject, row.message.payload);
    common::Result<void, nats::NatsError> sent =
        message ? common::Result<void, nats::NatsError>() : common::Unexpected{message.error()};
    for (const auto& [key, value] : row.message.headers) {
      if (sent) sent = message->SetHeader(key, value);
    }
    if (sent) sent = js_->PublishAsync(std::move(*message), settings_.ack_timeout);
    if (!sent) {
      // Nothing after this row is sent, so the stream keeps commit order.
      std::lock_guard lock(mutex_);
      round.Refuse(row.id, std::move(sent).error());
      break;
    }
  }

  // The connection batches its writes: send the round now, in a few large
  // writes, rather than at the flusher's next tick. The PONG comes about
  // when the PubAcks do, which are awaited next anyway.
  (void)connection_.Flush(settings_.ack_timeout);

  if (!js_->WaitForPublishes(settings_.ack_timeout + std::chrono::milliseconds(1000))) {
    // Take back what was never acknowledged so no late callback touches the
    // round; those rows count as failed and are re-sent (the stream drops any
    // that did arrive).
    js_->AbandonPendingPublishes();
  }
}

void Relay::ReportFailure(const std::vector<OutboxRow>& rows, std::int64_t failed_id,
                          const nats::NatsError& error) {
  const auto failed_row = std::find_if(rows.begin(), rows.end(),
                                       [&](const OutboxRow& row) { return row.id == failed_id; });
  logging::Warn("relay publish failed; will retry from this event",
                {{"outbox_id", failed_id},
                 {"event_id", failed_row->message.event_id},
                 {"subject", failed_row->message.subject},
                 {"attempts", failed_row->attempts + 1},
                 {"error", error.message}});
  std::optional<std::int64_t> epoch;
  {
    std::lock_guard lock(mutex_);
    epoch = tenure_;
  }
  writer_.Submit(WriteJob{[id = failed_id, message = error.message, epoch](sqlite::Database& db) {
                            if (!FenceHolds(db, epoch)) return SavepointOutcome::kRollBack;
                            return SqliteOutbox(db).RecordFailure(id, message)
                                       ? SavepointOutcome::kKeep
                                       : SavepointOutcome::kRollBack;
                          },
                          {},
                          JobKind::kBookkeeping});
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
        if (!FenceHolds(db, shared->epoch)) {
          shared->fenced = true;
          return SavepointOutcome::kRollBack;
        }
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
          if (shared->fenced || (status != WriteStatus::kCommitted && shared->epoch != tenure_)) {
            // Published under a lease that has moved on: its holder marks
            // them (the stream drops what it sends again).
            if (shared->fenced) ++stats_.fenced_writes;
          } else if (status != WriteStatus::kCommitted) {
            // Published, not yet recorded: record them later, never send them
            // again while running (after a restart the stream drops them).
            ++stats_.failed_marks;
            stats_.unmarked += shared->ids.size();
            KeepUnmarked(*shared);
            mark_retry_delay_ = Backoff(mark_retry_delay_, PolicyOf(settings_));
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
    KeepUnmarked(*shared);
    next_mark_retry_ = std::chrono::steady_clock::now() + settings_.retry_initial;
  }
}

void Relay::KeepUnmarked(const Marks& marks) {
  unmarked_.epoch = marks.epoch;
  unmarked_.ids.insert(unmarked_.ids.end(), marks.ids.begin(), marks.ids.end());
  unmarked_.positions.insert(unmarked_.positions.end(), marks.positions.begin(),
                             marks.positions.end());
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
    retry.positions = LastPositionPerStream(std::move(retry.positions));
  }
  SubmitMarks(std::move(retry));
}

bool Relay::MarksSettled() const { return marks_in_flight_ == 0 && unmarked_.ids.empty(); }

void Relay::OnPubAck(const nats::Message& sent, const nats::PubAckResult& ack) {
  const auto event_id = sent.Header("Nats-Msg-Id");
  if (!event_id) return;
  std::lock_guard lock(mutex_);
  if (round_ == nullptr) return;  // a late ack of an abandoned round
  const auto found = round_->ids_by_event.find(*event_id);
  if (found == round_->ids_by_event.end()) return;
  if (!ack) {
    round_->Refuse(found->second, ack.error());
    return;
  }
  round_->acked.push_back(found->second);
  commit_latency_.Acknowledged(found->second, std::chrono::steady_clock::now());
  if (!ack->stream.empty()) {
    const AcknowledgedPosition position{ack->stream, ack->sequence, *event_id};
    KeepHighest(acknowledged_, position);
    KeepHighest(round_->positions, position);
  }
}

}  // namespace logistics::messaging

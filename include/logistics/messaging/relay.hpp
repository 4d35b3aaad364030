// Relay: publishes committed outbox rows to JetStream, in id order, once.
//
// The relay thread sleeps until the writer wakes it after a commit (a slow
// timer sweep is only a fallback), reads the next unpublished rows in id
// order, publishes them pipelined (JetStream::PublishAsync, at most `window` in
// flight) with Nats-Msg-Id = event id, waits for their PubAcks, and has the
// writer mark the acknowledged rows published. A round holds at most one
// event per aggregate (the rows up to the first that repeats an aggregate):
// an event is sent only once the previous one of its aggregate was
// acknowledged. If any publish fails (no
// PubAck in time, server error, connection lost) it stops, backs off, and
// resumes from the first unacknowledged row; rows after it that were stored
// anyway come back as duplicates, which the stream drops inside its duplicate
// window. Until the failed row is acknowledged it is sent alone, so rows after
// it cannot be stored before it while the server keeps refusing it. So every
// committed event reaches the stream once, and the events of one aggregate
// arrive in commit order, whatever happens to a publish in flight (refused,
// lost with a connection while later ones reach another server after a
// reconnect). A mark that cannot be committed (a
// full disk) is kept and retried with backoff; its rows are not sent again
// while the process runs.
//
// The bookkeeping of each round (which row failed first, where to resume,
// when to probe, how long to back off) is relay_round.hpp's pure functions.
//
// Published rows are kept for `republish_horizon` and then deleted in small
// batches by the service's housekeeping (housekeeping.hpp). nats-server 2.9 acknowledges a publish before it is on disk, so an
// OS crash can lose acknowledged events (SPEC §7), and the same crash
// usually restarts this process too. So the relay records, with every mark
// and in the same transaction, the stream sequence and event id of the last
// event each stream acknowledged (SqliteOutbox::RecordAcknowledged). Before
// its first publish after start-up and after every reconnect it reads what
// the stream holds at that position (stream_tail.hpp); if the stream lost
// events, it re-publishes every row of the horizon in id order before any
// new event: the stream drops what survived and stores again what was lost.
// A client failover to another server that still holds the position is not
// a loss and costs nothing. Streams are created or updated before the first
// publish and again after every reconnect.
//
// Several instances of a service on one database (relay_lease.hpp): only the
// lease holder's relay publishes. Each time it becomes the holder it starts
// as after a restart (positions read again, streams checked for a lost
// tail, rows read from the first unpublished one); an idle holder notices
// rows the other instances commit by SQLite's data_version within
// `peer_poll`. Before each publish it checks that it still holds the lease,
// and its marks, parkings and failure records commit only while the lease
// row carries its epoch (the fence): a holder that lost the lease stops at
// its next row and records nothing under the old epoch.
//
// Ownership: borrows the connection, the writer, the clock and the lease
// (they outlive it); owns its read-only database connection and its thread.
// Thread-safety: Wake, NotifyCommitted, NotifyReconnected, Flush, Stats and
// Stop are safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "logistics/common/clock.hpp"
#include "logistics/common/latency_histogram.hpp"
#include "logistics/common/result.hpp"
#include "logistics/messaging/commit_latency.hpp"
#include "logistics/messaging/relay_lease.hpp"
#include "logistics/messaging/relay_round.hpp"
#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/messaging/stream_setup.hpp"
#include "logistics/messaging/stream_tail.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/jet_stream.hpp"

namespace logistics::messaging {

struct RelaySettings {
  std::size_t window = 256;  // publishes in flight at most
  std::chrono::milliseconds ack_timeout{5000};
  std::chrono::milliseconds sweep_interval{1000};  // fallback when no wake-up comes
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_max{5000};
  std::chrono::milliseconds republish_horizon{std::chrono::minutes(5)};
  std::vector<StreamSpec> streams;
  // Lasting refusals of one event in a row after which it is parked with the
  // later events of its aggregate (relay_round.hpp); 0: never park.
  std::int64_t park_after_attempts = 12;
  // true: the relay creates its streams and corrects their configuration.
  // false (an administrator provisions them): it only checks them
  // (stream_check.hpp), and a stream that is missing or configured
  // differently is reported once to `on_unusable_stream`, which stops the
  // service; until then nothing is published.
  bool manage_streams = true;
  std::function<void(const std::string& problem)> on_unusable_stream;
  // The lease of the instances sharing the database: the relay publishes only
  // while it holds it. nullptr: the only instance, always publishes.
  const RelayLease* lease = nullptr;
  // How often an idle relay checks whether another connection (another
  // instance) committed to the database.
  std::chrono::milliseconds peer_poll{20};
  // Test-only fault (LOGISTICS_FAULT=hold-relay, fault_injection.hpp): publish
  // nothing until a Flush asks for it.
  bool hold_until_flush = false;
};

struct RelayStats {
  std::uint64_t published = 0;       // PubAcks received (duplicates included)
  std::uint64_t failed_attempts = 0;
  std::string last_error;            // "" when the last round succeeded
  std::uint64_t republished_horizons = 0;  // times the stream was found to have lost events
  std::uint64_t unmarked = 0;        // acknowledged rows whose mark is not committed yet
  std::uint64_t failed_marks = 0;    // mark transactions that failed (retried)
  std::uint64_t parked_aggregates = 0;  // aggregates this process parked events of
  std::uint64_t parks_pending = 0;      // parkings decided, not yet committed
  std::uint64_t in_flight = 0;          // rows of the round awaiting their PubAcks
  bool publishing = true;               // false while another instance holds the lease
  std::uint64_t tenures = 0;            // times this relay became the publishing one
  std::uint64_t fenced_writes = 0;      // marks or parkings refused: the lease moved on
  std::chrono::microseconds last_round_latency{0};  // first send to last PubAck
  // Commit -> PubAck of every event committed since start (see CommitLatency).
  common::LatencyHistogram commit_to_ack;
};

class Relay {
 public:
  Relay(nats::Connection& connection, sqlite::Database reader, Writer& writer,
        const common::Clock& clock, RelaySettings settings);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Creates the JetStream context and starts the thread. Fails only when
  // the context cannot be created.
  common::Result<void, nats::NatsError> Start();
  // New rows may be waiting: read now instead of at the next sweep.
  void Wake();
  // A commit has just made every outbox row up to `last_outbox_id` durable:
  // remembers when (for the commit -> PubAck latency) and wakes the relay.
  void NotifyCommitted(std::int64_t last_outbox_id);
  // The connection came back: re-check the streams and retry at once.
  void NotifyReconnected();
  // Blocks until every row committed before the call is published and
  // marked published, or the timeout passes. Returns true when caught up.
  bool Flush(std::chrono::milliseconds timeout);
  // An operator handed parked rows back (SqliteParkedEvents::Requeue) from
  // `first_id` on: publish them (in id order) with the rest. `aggregate` is
  // the requeued aggregate, empty for all. Call it once the requeue has
  // committed: a relay told earlier may read past the rows before they are
  // handed back.
  void NotifyRequeued(const std::string& aggregate, std::int64_t first_id);
  // Stops the thread (after its current round).
  void Stop();
  RelayStats Stats() const;

 private:
  struct Round;
  // Acknowledged rows to mark published, with the streams' positions, and
  // the lease epoch they were published under.
  struct Marks {
    std::vector<std::int64_t> ids;
    std::vector<AcknowledgedPosition> positions;
    std::optional<std::int64_t> epoch;
    bool fenced = false;  // set by the write job: the lease row has another epoch
  };
  void Run();
  // The lease moved (to us, or away): start as after a restart.
  void BeginTenure(std::optional<std::int64_t> epoch, RelayPosition& position);
  // Why nothing is published now, for the status (relay.last_error); a
  // successful round clears it.
  void NoteWaiting(const std::string& why);
  // Whether this relay may publish the next row now.
  bool MayPublish() const;
  // Waits up to `timeout` for a wake-up, or a commit on another connection.
  void WaitForCommits(std::chrono::milliseconds timeout);
  bool EnsureStreams();
  // Whether any stream lost events it acknowledged (compares each recorded
  // position with what the stream holds now). Fails when a stream cannot be
  // read; the relay then publishes nothing until it can.
  common::Result<bool, std::string> StreamsLostEvents();
  // Publishes the rows, marks the acknowledged ones, and says where to go on.
  NextRound PublishRound(const std::vector<OutboxRow>& rows, const RelayPosition& position);
  // Has the writer commit the marks; failed ones come back to unmarked_.
  void SubmitMarks(Marks marks);
  // Submits the marks that failed, when their backoff has passed.
  void RetryFailedMarks();
  void KeepUnmarked(const Marks& marks);  // mutex_ held
  bool MarksSettled() const;  // mutex_ held
  void WaitFor(std::chrono::milliseconds timeout, bool wake_ends_wait);
  // Sends the rows, in order, until one cannot be sent; waits for the PubAcks.
  void SendRound(const std::vector<OutboxRow>& rows, Round& round);
  // Records the first failed row's error in the outbox and logs it.
  void ReportFailure(const std::vector<OutboxRow>& rows, std::int64_t failed_id,
                     const nats::NatsError& error);
  // Parks `row` and the later events of its aggregate: skipped from now on,
  // parked in the database by a bookkeeping job (retried until it commits).
  void Park(const OutboxRow& row, const nats::NatsError& error);
  void SubmitParking(const std::string& aggregate, std::int64_t from_id, const std::string& reason);
  void RetryPendingParkings();
  // Drops the rows of aggregates being parked; true when any was dropped.
  bool DropParked(std::vector<OutboxRow>& rows) const;
  // On a nats.c thread: one PubAck (or failure) of the round in flight.
  void OnPubAck(const nats::Message& sent, const nats::PubAckResult& ack);

  nats::Connection& connection_;
  sqlite::Database reader_;
  SqliteOutbox outbox_;
  Writer& writer_;
  const common::Clock& clock_;
  const RelaySettings settings_;
  std::unique_ptr<nats::JetStream> js_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  bool wake_pending_ = false;
  bool reconnected_ = false;
  std::uint64_t flush_requested_ = 0;  // generations, see Flush
  std::uint64_t flush_reached_ = 0;
  RelayStats stats_;
  CommitLatency commit_latency_;
  Round* round_ = nullptr;  // the round in flight, guarded by mutex_
  // Parking, guarded by mutex_: the aggregates whose rows are skipped (until
  // requeued), the parkings whose job failed (retried), and where a requeue
  // asks the relay to read again from.
  struct Parking {
    std::string aggregate;
    std::int64_t from_id = 0;
    std::string reason;
    std::optional<std::int64_t> epoch;  // the tenure it was decided in
    bool fenced = false;                // set by the write job
  };
  std::set<std::string> parked_;
  std::vector<Parking> pending_parkings_;
  std::optional<std::int64_t> requeued_from_;
  // Relay thread only: the row refused by lasting refusals, and how often.
  std::int64_t refused_row_ = 0;
  std::int64_t lasting_refusals_ = 0;

  // Per stream, the last event it acknowledged (loaded from the database at
  // start). Guarded by mutex_.
  std::unordered_map<std::string, AcknowledgedPosition> acknowledged_;
  // Marks submitted to the writer and not yet ended, and marks that failed
  // and wait for a retry. Guarded by mutex_.
  std::size_t marks_in_flight_ = 0;
  Marks unmarked_;
  std::chrono::milliseconds mark_retry_delay_{0};
  std::chrono::steady_clock::time_point next_mark_retry_{};
  // The epoch this relay publishes under (nullopt without a lease, or while
  // another instance holds it). Written by the relay thread, guarded by
  // mutex_ (write-job completions read it).
  std::optional<std::int64_t> tenure_;
  // Relay thread only:
  bool streams_ready_ = false;
  std::string stream_problem_;  // why EnsureStreams failed last
  std::int64_t data_version_ = 0;
  std::optional<common::Timestamp> republish_since_;  // set while re-publishing the horizon
  std::thread thread_;
};

}  // namespace logistics::messaging

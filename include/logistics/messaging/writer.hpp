// Writer: the single thread that writes a service's database, in group commits.
//
// Every change to a service's database goes through its Writer: commands from
// the NATS callback threads, effects of consumed events, and the relay's
// bookkeeping. The writer takes whatever jobs have queued (up to a bound),
// opens one transaction (BEGIN IMMEDIATE), runs each job inside its own
// savepoint, so a job that rolls back (a rejected command) undoes only its own
// writes, commits once (one fsync for the whole batch), and only then tells
// every job how it ended. Replies are therefore sent only for durable changes,
// and a batch of N commands costs one fsync instead of N.
//
// One writer connection means no SQLITE_BUSY inside the service, and outbox
// ids are assigned in commit order.
//
// A full disk (or the database's size limit) is not fatal: the jobs it
// refused end kStorageFull, the writer checkpoints and truncates the WAL (at
// most once a second) so that space freed elsewhere is usable at once, and
// the next batch tries again. StorageHealth (sqlite/storage_health.hpp)
// reports the state until a change commits.
//
// Ownership: owns the writer connection and the thread. Thread-safety: Submit,
// QueueDepth and Stop are safe from any thread; job callbacks run on the
// writer thread and must not block on the network.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "logistics/sqlite/database.hpp"

namespace logistics::messaging {

// What a job asks of its savepoint.
enum class SavepointOutcome { kKeep, kRollBack };

// How a job ended, told to it after the batch.
enum class WriteStatus {
  kCommitted,   // kept, and the batch is durable
  kRolledBack,  // the job rolled its own savepoint back; the rest of the batch is unaffected
  kFailed,      // the batch could not commit (or the job threw): nothing of it is stored
  kStorageFull, // refused for lack of space (disk full or size limit): nothing of it is
                // stored; retry when space returns (the writer stays up)
};

// Changes carry a client's or an event's intent; bookkeeping is the relay's
// own housekeeping (marking rows published, deleting old ones). A batch of
// bookkeeping alone commits without waiting for the disk: losing it in a
// machine crash only makes the relay send some events again, which the
// stream drops as duplicates (and consumers' inboxes would too), and it
// becomes durable with the next change's commit anyway. This keeps the
// relay's marks from costing an fsync of their own between commands.
enum class JobKind { kChange, kBookkeeping };

struct WriteJob {
  // Runs on the writer thread inside the job's savepoint.
  std::function<SavepointOutcome(sqlite::Database&)> execute;
  // Runs on the writer thread once the batch has ended. May be empty.
  std::function<void(WriteStatus)> completed;
  JobKind kind = JobKind::kChange;
};

struct WriterSettings {
  std::size_t max_batch = 256;    // jobs per transaction
  std::size_t max_queue = 16384;  // jobs waiting; Submit refuses beyond it
  // How long bookkeeping alone waits for a change to commit with. Under a
  // steady trickle of commands the relay marks every round published, and
  // each mark committed on its own was a transaction (and its WAL frames) per
  // command; waiting a moment lets the marks ride along with the next batch
  // of changes, or with each other. Nothing waits on a mark: a late one only
  // means a re-send after a crash, which the stream drops as a duplicate.
  // WaitIdle and Stop end the wait at once. Zero: no wait.
  std::chrono::microseconds bookkeeping_linger{5000};
  // Test-only fault (LOGISTICS_FAULT=exit-after-commit, fault_injection.hpp),
  // set by the runtime: the process dies right after the first commit that
  // holds a change, before any job is told.
  bool crash_after_commit = false;
};

// Upper bounds of the batch-size buckets of WriterStats::changes_per_commit.
inline constexpr std::array<std::uint64_t, 10> kChangesPerCommitBounds{1,  2,  4,   8,   16,
                                                                       32, 64, 128, 256, 1024};

// Counters since start, for the status endpoint: changes per durable commit
// says how well group commit is working at the current load.
struct WriterStats {
  std::size_t queue_depth = 0;
  std::uint64_t durable_commits = 0;      // transactions with changes (synchronous=FULL)
  std::uint64_t bookkeeping_commits = 0;  // transactions of bookkeeping alone
  std::uint64_t changes_committed = 0;    // change jobs in committed transactions
  // Durable commits by the change jobs they held: [i] held at most
  // kChangesPerCommitBounds[i] (and more than the bound before it); the last
  // entry counts those above every bound. Not cumulative.
  std::array<std::uint64_t, kChangesPerCommitBounds.size() + 1> changes_per_commit{};
};

class Writer {
 public:
  // `after_commit` runs on the writer thread right after every successful
  // commit, before the jobs are told, with the writer's connection outside
  // any transaction (the relay's wake-up; it must be quick).
  using AfterCommit = std::function<void(sqlite::Database&)>;
  Writer(sqlite::Database db, WriterSettings settings, AfterCommit after_commit);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void Start();
  // Queues a job. Returns false (and does not run it) when the writer is
  // stopping or the queue is full; the caller answers "unavailable".
  bool Submit(WriteJob job);
  // Waits until no job is queued or running; false if the timeout passed.
  bool WaitIdle(std::chrono::milliseconds timeout);
  // Stops taking jobs, finishes those already queued, and joins the thread.
  void Stop();
  std::size_t QueueDepth() const;
  WriterStats Stats() const;

 private:
  void Run();
  void RunBatch(std::deque<WriteJob>& batch);
  // After a batch refused for lack of space: checkpoint and truncate the WAL.
  void ReclaimSpace();

  sqlite::Database db_;
  const WriterSettings settings_;
  const AfterCommit after_commit_;
  bool durable_commits_off_ = false;  // writer thread only: synchronous=NORMAL is set
  // Writer thread only: when the WAL was last truncated after a full disk.
  std::chrono::steady_clock::time_point last_truncate_{};
  bool shrink_wal_ = false;  // writer thread only: a truncation is still owed

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable idle_;
  std::deque<WriteJob> queue_;
  std::size_t queued_changes_ = 0;  // JobKind::kChange jobs in queue_
  int idle_waiters_ = 0;            // callers in WaitIdle: bookkeeping must not linger
  bool running_batch_ = false;
  bool stopping_ = false;
  WriterStats stats_;  // under mutex_; queue_depth is filled in by Stats()
  std::thread thread_;
};

}  // namespace logistics::messaging

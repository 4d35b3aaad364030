#include "logistics/messaging/writer.hpp"
#include "logistics/logging/thread_name.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "logistics/logging/log.hpp"
#include "logistics/messaging/fault_injection.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::messaging {
namespace {

constexpr std::string_view kSavepoint = "job";

}  // namespace

Writer::Writer(sqlite::Database db, WriterSettings settings, AfterCommit after_commit)
    : db_(std::move(db)),
      settings_(settings),
      after_commit_(std::move(after_commit)) {}

Writer::~Writer() { Stop(); }

void Writer::Start() {
  thread_ = std::thread([this] {
    logging::NameThisThread("writer");
    Run();
  });
}

bool Writer::Submit(WriteJob job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= settings_.max_queue) return false;
    if (job.kind == JobKind::kChange) ++queued_changes_;
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

void Writer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool Writer::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ++idle_waiters_;
  ready_.notify_one();  // ends a bookkeeping linger
  const bool idle =
      idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !running_batch_; });
  --idle_waiters_;
  return idle;
}

std::size_t Writer::QueueDepth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

WriterStats Writer::Stats() const {
  std::lock_guard lock(mutex_);
  WriterStats stats = stats_;
  stats.queue_depth = queue_.size();
  return stats;
}

void Writer::Run() {
  std::deque<WriteJob> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      running_batch_ = false;
      if (queue_.empty()) idle_.notify_all();
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      if (queued_changes_ == 0 && settings_.bookkeeping_linger.count() > 0) {
        ready_.wait_for(lock, settings_.bookkeeping_linger, [this] {
          return stopping_ || idle_waiters_ > 0 || queued_changes_ > 0 ||
                 queue_.size() >= settings_.max_batch;
        });
      }
      running_batch_ = true;
      // Take what has queued, up to the bound: under load batches grow by
      // themselves, at low load a lone command commits at once.
      while (!queue_.empty() && batch.size() < settings_.max_batch) {
        if (queue_.front().kind == JobKind::kChange) --queued_changes_;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
}

void Writer::RunBatch(std::deque<WriteJob>& batch) {
  std::vector<WriteStatus> statuses(batch.size(), WriteStatus::kFailed);
  bool committed = false;
  const std::uint64_t full_before_batch = sqlite::FullErrorsOnThisThread();
  const bool bookkeeping_only = std::all_of(batch.begin(), batch.end(), [](const WriteJob& job) {
    return job.kind == JobKind::kBookkeeping;
  });
  if (bookkeeping_only != durable_commits_off_) {
    if (auto set = db_.SetDurableCommits(!bookkeeping_only); set) {
      durable_commits_off_ = bookkeeping_only;
    } else {
      logging::Error("writer could not set commit durability", {{"error", set.error().message}});
    }
  }
  // A change is never committed without waiting for the disk: if FULL could
  // not be set back, the whole batch fails instead.
  const bool may_commit = bookkeeping_only || !durable_commits_off_;
  if (!may_commit) {
    logging::Error("writer refuses to commit changes without synchronous=FULL");
  } else if (auto begun = db_.BeginImmediate(); !begun) {
    if (begun.error().IsFull()) sqlite::RecordStorageFull();
    logging::Error("writer could not begin a transaction", {{"error", begun.error().message}});
  } else {
    bool batch_ok = true;
    for (std::size_t i = 0; i < batch.size() && batch_ok; ++i) {
      if (auto saved = db_.Savepoint(kSavepoint); !saved) {
        logging::Error("writer could not open a savepoint", {{"error", saved.error().message}});
        batch_ok = false;
        break;
      }
      SavepointOutcome outcome = SavepointOutcome::kRollBack;
      bool threw = false;
      const std::uint64_t full_before_job = sqlite::FullErrorsOnThisThread();
      try {
        outcome = batch[i].execute(db_);
      } catch (const std::exception& error) {
        threw = true;
        logging::Error("write job failed", {{"error", error.what()}});
      } catch (...) {
        threw = true;
        logging::Error("write job failed with an unknown exception");
      }
      if (!db_.InTransaction()) {
        // SQLite aborted the whole transaction (I/O error, disk full): every
        // earlier job in the batch is gone too.
        logging::Error("the database aborted the batch transaction");
        batch_ok = false;
        break;
      }
      const bool keep = !threw && outcome == SavepointOutcome::kKeep;
      auto ended = keep ? db_.Release(kSavepoint) : db_.RollbackTo(kSavepoint);
      if (!ended) {
        logging::Error("writer could not end a savepoint", {{"error", ended.error().message}});
        batch_ok = false;
        break;
      }
      if (keep) {
        statuses[i] = WriteStatus::kCommitted;
      } else if (sqlite::FullErrorsOnThisThread() != full_before_job) {
        statuses[i] = WriteStatus::kStorageFull;  // it failed for lack of space, not by choice
      } else {
        statuses[i] = threw ? WriteStatus::kFailed : WriteStatus::kRolledBack;
      }
    }
    if (batch_ok) {
      if (auto done = db_.Commit(); done) {
        committed = true;
      } else {
        // SQLite does not log a COMMIT refused for lack of space: count it here.
        if (done.error().IsFull()) sqlite::RecordStorageFull();
        logging::Error("writer commit failed", {{"error", done.error().message}});
      }
    }
    if (!committed) db_.Rollback();
  }
  const bool space_ran_out = sqlite::FullErrorsOnThisThread() != full_before_batch;
  if (!committed) {
    std::fill(statuses.begin(), statuses.end(),
              space_ran_out ? WriteStatus::kStorageFull : WriteStatus::kFailed);
  }
  if (space_ran_out) {
    ReclaimSpace();
  } else if (committed && shrink_wal_) {
    // Space came back: the WAL still has the size it grew to while the disk
    // was full. Give that back too.
    shrink_wal_ = false;
    last_truncate_ = {};
    ReclaimSpace();
  }
  if (!space_ran_out && committed && !bookkeeping_only) sqlite::MarkStorageWritable();
  if (committed) {
    std::lock_guard lock(mutex_);
    ++(bookkeeping_only ? stats_.bookkeeping_commits : stats_.durable_commits);
    const auto changes = static_cast<std::uint64_t>(std::count_if(
        batch.begin(), batch.end(), [](const WriteJob& job) { return job.kind == JobKind::kChange; }));
    stats_.changes_committed += changes;
    if (!bookkeeping_only) {
      ++stats_.changes_per_commit[static_cast<std::size_t>(
          std::lower_bound(kChangesPerCommitBounds.begin(), kChangesPerCommitBounds.end(), changes) -
          kChangesPerCommitBounds.begin())];
    }
  }

  if (committed && settings_.crash_after_commit) {
    bool changed = false;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      changed |= statuses[i] == WriteStatus::kCommitted && batch[i].kind == JobKind::kChange;
    }
    if (changed) CrashNow("exit-after-commit");
  }

  // The relay starts publishing while the replies go out.
  if (committed && after_commit_) after_commit_(db_);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].completed) continue;
    try {
      batch[i].completed(statuses[i]);
    } catch (const std::exception& error) {
      logging::Error("write completion failed", {{"error", error.what()}});
    } catch (...) {
      logging::Error("write completion failed with an unknown exception");
    }
  }
}

void Writer::ReclaimSpace() {
  // The WAL keeps every page the failed batches touched; once copied into the
  // database and truncated, its space serves the next commit. At most once a
  // second: under a full disk every batch fails at once.
  // Copying the WAL into the database may itself need space the disk lacks;
  // then the next failing batch tries again, and the first commit after
  // space returns does it at last.
  shrink_wal_ = true;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_truncate_ < std::chrono::seconds(1)) return;
  last_truncate_ = now;
  if (auto done = db_.CheckpointTruncate(); done) {
    shrink_wal_ = false;
  } else {
    logging::Warn("the WAL could not be copied into the database and truncated yet",
                  {{"error", done.error().message}});
  }
}

}  // namespace logistics::messaging

#include "logistics/messaging/relay_lease.hpp"

#include "logistics/logging/log.hpp"
#include "logistics/logging/thread_name.hpp"
#include "logistics/messaging/lease_holder.hpp"

namespace logistics::messaging {
namespace {

using namespace std::chrono_literals;

}  // namespace

LeaseClaim JudgeLease(const LeaseRow& row, const std::string& me, common::Timestamp now,
                      bool holder_gone) {
  // Our own row, even expired: nobody held it since, so nothing was
  // published under another epoch and ours stays valid.
  if (row.holder == me) return LeaseClaim::kRenew;
  if (row.holder.empty() || now >= row.expires_at || holder_gone) return LeaseClaim::kTakeOver;
  return LeaseClaim::kWait;
}

RelayLease::RelayLease(sqlite::Database db, const common::Clock& clock, RelayLeaseSettings settings)
    : db_(std::move(db)), clock_(clock), settings_(std::move(settings)) {}

RelayLease::~RelayLease() { Stop(false); }

void RelayLease::Start(std::function<void(std::int64_t)> on_acquired, std::function<void()> on_lost) {
  on_acquired_ = std::move(on_acquired);
  on_lost_ = std::move(on_lost);
  thread_ = std::thread([this] {
    logging::NameThisThread("relay-lease");
    Run();
  });
}

void RelayLease::Stop(bool release) {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
  std::optional<std::int64_t> held;
  {
    std::lock_guard lock(mutex_);
    held = epoch_;
    epoch_.reset();
    figures_.held = false;
  }
  if (!release || !held) return;
  // Hand it back: expired now, so the next instance's attempt takes it.
  const auto now = clock_.Now();
  if (auto begun = db_.BeginImmediate(); !begun) return;
  SqliteRelayLease lease(db_);
  auto row = lease.Read();
  auto done = row && row->epoch == *held && row->holder == settings_.holder
                  ? lease.Write(LeaseRow{row->holder, row->epoch, now})
                  : common::Result<void, sqlite::SqliteError>();
  if (done && db_.Commit()) {
    logging::Info("relay lease handed back", {{"epoch", *held}});
  } else {
    db_.Rollback();
  }
}

std::optional<std::int64_t> RelayLease::HeldEpoch() const {
  std::lock_guard lock(mutex_);
  if (!epoch_ || std::chrono::steady_clock::now() >= valid_until_) return std::nullopt;
  return epoch_;
}

RelayLeaseFigures RelayLease::Figures() const {
  std::lock_guard lock(mutex_);
  RelayLeaseFigures figures = figures_;
  figures.held = epoch_.has_value() && std::chrono::steady_clock::now() < valid_until_;
  return figures;
}

void RelayLease::Run() {
  const auto renew_every = settings_.duration / 4;
  const auto try_every = std::max<std::chrono::milliseconds>(settings_.duration / 6, 20ms);
  for (;;) {
    const auto started = std::chrono::steady_clock::now();
    const bool held = Attempt(started);
    std::optional<std::int64_t> epoch;
    {
      std::lock_guard lock(mutex_);
      if (held || std::chrono::steady_clock::now() < valid_until_) epoch = epoch_;
    }
    if (epoch && !announced_) {
      announced_ = true;
      on_acquired_(*epoch);
    } else if (!epoch && announced_) {
      announced_ = false;
      {
        std::lock_guard lock(mutex_);
        ++figures_.losses;
      }
      logging::Warn("relay lease lost; this instance stops publishing");
      on_lost_();
    }
    std::unique_lock lock(mutex_);
    if (changed_.wait_until(lock, started + (held ? renew_every : try_every),
                            [this] { return stop_; })) {
      break;
    }
  }
  if (announced_) {
    announced_ = false;
    on_lost_();
  }
}

bool RelayLease::Attempt(std::chrono::steady_clock::time_point started) {
  const auto now = clock_.Now();
  auto fail = [this](const std::string& error) {
    std::lock_guard lock(mutex_);
    if (figures_.last_error != error) {
      logging::Warn("relay lease could not be renewed or claimed; retrying", {{"error", error}});
    }
    figures_.last_error = error;
    return false;
  };
  if (auto begun = db_.BeginImmediate(); !begun) return fail(begun.error().message);
  SqliteRelayLease lease(db_);
  auto row = lease.Read();
  if (!row) {
    db_.Rollback();
    return fail(row.error().message);
  }
  const LeaseClaim claim =
      JudgeLease(*row, settings_.holder, now,
                 row->holder != settings_.holder && LeaseHolderIsGone(row->holder));
  if (claim == LeaseClaim::kWait) {
    db_.Rollback();
    std::lock_guard lock(mutex_);
    epoch_.reset();
    figures_.holder = row->holder;
    figures_.epoch = row->epoch;
    figures_.last_error.clear();
    return false;
  }
  const LeaseRow claimed{settings_.holder, claim == LeaseClaim::kTakeOver ? row->epoch + 1 : row->epoch,
                         now + settings_.duration};
  auto written = lease.Write(claimed);
  if (written) written = db_.Commit();
  if (!written) {
    db_.Rollback();
    if (claim == LeaseClaim::kRenew && written.error().IsFull()) {
      // A full disk refuses this renewal and, as every instance writes the
      // same file on the same disk, any other instance's claim as well: the
      // row still names us with our epoch, so publishing (whose marks wait
      // for space) goes on. The first write after space returns renews it.
      std::lock_guard lock(mutex_);
      if (epoch_ == row->epoch) {
        valid_until_ = started + settings_.duration * 3 / 4;
        figures_.last_error = written.error().message;
        return true;
      }
    }
    return fail(written.error().message);
  }
  if (claim == LeaseClaim::kTakeOver) {
    logging::Info("relay lease taken; this instance publishes the outbox",
                  {{"epoch", claimed.epoch},
                   {"previous_holder", row->holder},
                   {"previous_expired", now >= row->expires_at}});
  }
  std::lock_guard lock(mutex_);
  if (epoch_ != claimed.epoch) ++figures_.acquisitions;
  epoch_ = claimed.epoch;
  valid_until_ = started + settings_.duration * 3 / 4;
  figures_.holder = claimed.holder;
  figures_.epoch = claimed.epoch;
  figures_.last_error.clear();
  return true;
}

}  // namespace logistics::messaging

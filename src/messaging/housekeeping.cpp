#include "logistics/messaging/housekeeping.hpp"

#include <algorithm>
#include <future>
#include <memory>

#include "logistics/logging/log.hpp"
#include "logistics/logging/thread_name.hpp"

namespace logistics::messaging {

Housekeeping::Housekeeping(std::chrono::milliseconds catch_up_delay)
    : catch_up_delay_(catch_up_delay) {}

Housekeeping::~Housekeeping() { Stop(); }

void Housekeeping::Add(HousekeepingTask task) {
  tasks_.push_back(Scheduled{std::move(task), {}});
}

void Housekeeping::Start() {
  if (thread_.joinable()) return;
  const auto now = std::chrono::steady_clock::now();
  for (auto& scheduled : tasks_) scheduled.due = now + scheduled.task.interval;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    logging::NameThisThread("housekeeping");
    Run();
  });
}

void Housekeeping::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Housekeeping::Running() const {
  std::lock_guard lock(mutex_);
  return thread_.joinable() && !stopping_;
}

void Housekeeping::Run() {
  for (;;) {
    auto next = std::chrono::steady_clock::time_point::max();
    for (const auto& scheduled : tasks_) next = std::min(next, scheduled.due);
    {
      std::unique_lock lock(mutex_);
      const auto stop_requested = [this] { return stopping_; };
      if (next == std::chrono::steady_clock::time_point::max()) {
        changed_.wait(lock, stop_requested);
      } else if (changed_.wait_until(lock, next, stop_requested)) {
        return;
      }
      if (stopping_) return;
    }
    for (auto& scheduled : tasks_) {
      const auto now = std::chrono::steady_clock::now();
      if (now < scheduled.due) continue;
      bool more_due = false;
      try {
        more_due = scheduled.task.run();
      } catch (const std::exception& error) {
        logging::Error("housekeeping task failed", {{"task", scheduled.task.name}, {"error", error.what()}});
      }
      scheduled.due = std::chrono::steady_clock::now() +
                      (more_due ? catch_up_delay_ : scheduled.task.interval);
    }
  }
}

std::function<bool()> CleanUpThroughWriter(
    Writer& writer, std::int64_t batch,
    std::function<std::optional<std::int64_t>(sqlite::Database&, std::int64_t batch)> delete_batch,
    std::chrono::milliseconds wait) {
  // Shared with every job: a job may outlive a wait that timed out.
  auto shared_delete =
      std::make_shared<const std::function<std::optional<std::int64_t>(sqlite::Database&, std::int64_t)>>(
          std::move(delete_batch));
  return [&writer, batch, shared_delete, wait] {
    // Shared with the job: a wait that times out leaves it something alive.
    auto deleted = std::make_shared<std::promise<std::int64_t>>();
    auto result = deleted->get_future();
    const bool submitted = writer.Submit(WriteJob{
        [deleted, batch, shared_delete](sqlite::Database& db) {
          const auto count = (*shared_delete)(db, batch);
          deleted->set_value(count.value_or(0));
          return count ? SavepointOutcome::kKeep : SavepointOutcome::kRollBack;
        },
        {},
        JobKind::kBookkeeping});
    if (!submitted) return false;  // the writer is stopping (or full): nothing more now
    if (result.wait_for(wait) != std::future_status::ready) return false;
    return result.get() == batch;
  };
}

}  // namespace logistics::messaging

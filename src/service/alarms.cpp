#include "logistics/service/alarms.hpp"

#include "logistics/logging/log.hpp"
#include "logistics/logging/thread_name.hpp"

namespace logistics::service {

std::vector<RaisedAlarm> JudgeAlarms(const AlarmInputs& inputs, const AlarmThresholds& thresholds) {
  std::vector<RaisedAlarm> raised;
  if (inputs.oldest_unpublished_age && *inputs.oldest_unpublished_age > thresholds.unpublished_age) {
    raised.push_back({"unpublished_too_old",
                      "oldest unpublished event is " +
                          std::to_string(inputs.oldest_unpublished_age->count() / 1000) +
                          " s old (threshold " +
                          std::to_string(thresholds.unpublished_age.count() / 1000) + " s)"});
  }
  if (inputs.parked > 0) {
    raised.push_back({"events_parked", std::to_string(inputs.parked) + " event(s) parked"});
  }
  std::string letters;
  for (const auto& [consumer, count] : inputs.dead_letters) {
    if (count > 0) letters += (letters.empty() ? "" : ", ") + consumer + ": " + std::to_string(count);
  }
  if (!letters.empty()) raised.push_back({"dead_letters", letters});
  std::string lagging;
  for (const auto& [consumer, lag] : inputs.consumer_lag) {
    if (lag > thresholds.consumer_lag) {
      lagging += (lagging.empty() ? "" : ", ") + consumer + ": " + std::to_string(lag) + " pending";
    }
  }
  if (!lagging.empty()) {
    raised.push_back({"consumer_lag", lagging + " (threshold " +
                                          std::to_string(thresholds.consumer_lag) + ")"});
  }
  return raised;
}

void AlarmBoard::Update(const std::vector<RaisedAlarm>& raised, common::Timestamp now) {
  std::lock_guard lock(mutex_);
  std::map<std::string, Raised> next;
  for (const RaisedAlarm& alarm : raised) {
    const auto known = active_.find(alarm.name);
    if (known == active_.end()) {
      logging::Warn("alarm raised: " + alarm.name, {{"alarm", alarm.name}, {"detail", alarm.detail}});
      next.emplace(alarm.name, Raised{alarm.detail, now});
    } else {
      next.emplace(alarm.name, Raised{alarm.detail, known->second.since});
    }
  }
  for (const auto& [name, active] : active_) {
    if (next.count(name) == 0) {
      logging::Info("alarm cleared: " + name,
                    {{"alarm", name}, {"since", common::FormatRfc3339(active.since)}});
    }
  }
  active_ = std::move(next);
}

nlohmann::json AlarmBoard::Figures() const {
  std::lock_guard lock(mutex_);
  nlohmann::json alarms = nlohmann::json::array();
  for (const auto& [name, active] : active_) {
    alarms.push_back({{"name", name},
                      {"detail", active.detail},
                      {"since", common::FormatRfc3339(active.since)}});
  }
  return alarms;
}

std::vector<std::string> AlarmBoard::Active() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, active] : active_) names.push_back(name);
  return names;
}

AlarmWatch::AlarmWatch(std::chrono::milliseconds interval, std::function<void()> check)
    : interval_(interval), check_(std::move(check)) {
  thread_ = std::thread([this] {
    logging::NameThisThread("alarms");
    Run();
  });
}

AlarmWatch::~AlarmWatch() { Stop(); }

void AlarmWatch::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AlarmWatch::Run() {
  std::unique_lock lock(mutex_);
  while (!changed_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    try {
      check_();
    } catch (const std::exception& error) {
      logging::Error("alarm check failed", {{"error", error.what()}});
    }
    lock.lock();
  }
}

}  // namespace logistics::service

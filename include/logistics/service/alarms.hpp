// Alarms: the conditions under which a service needs an operator, watched on
// a timer of their own, each logged once when it starts and once when it ends.
//
//   alarm                 active while                                 threshold flag
//   unpublished_too_old   the oldest unpublished (not parked) event     --alarm-unpublished-age
//                         is older than the threshold: the relay is
//                         stuck (NATS away, a stream refusing)
//   events_parked         any event is parked (relay_round.hpp)
//   dead_letters          any consumer keeps a dead letter
//   consumer_lag          a consumer's server-side backlog (num_pending)  --alarm-consumer-lag
//                         exceeds the threshold
//
// A peer's users ran nine days with a dead relay and every counter at zero:
// an alarm is a state, not a counter. The active alarms, with when each began
// and what it is about, are part of the service's figures (status query and
// $SRV.STATS data), so tests and dashboards wait on them instead of sleeping;
// the log gets a warning when one starts and an info line when it ends, never
// one line per check.
//
// Thread-safety: AlarmBoard may be updated and read from any threads.
// AlarmWatch owns its thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "logistics/common/time.hpp"

namespace logistics::service {

// What the alarms are judged on, read at each check.
struct AlarmInputs {
  std::optional<std::chrono::milliseconds> oldest_unpublished_age;
  std::int64_t parked = 0;
  std::map<std::string, std::int64_t> dead_letters;  // per consumer
  std::map<std::string, std::uint64_t> consumer_lag;  // per consumer
};

struct AlarmThresholds {
  std::chrono::milliseconds unpublished_age{std::chrono::seconds(60)};
  std::uint64_t consumer_lag = 10000;
};

// An alarm that is on: its name and what it is about right now.
struct RaisedAlarm {
  std::string name;    // "dead_letters"
  std::string detail;  // "payments-orders: 2"
};

// The alarms these inputs raise, in the order of the table above.
std::vector<RaisedAlarm> JudgeAlarms(const AlarmInputs& inputs, const AlarmThresholds& thresholds);

class AlarmBoard {
 public:
  // Takes the alarms now raised: logs those that start (warn) and end (info).
  void Update(const std::vector<RaisedAlarm>& raised, common::Timestamp now);
  // [{"name", "detail", "since"}], in name order.
  nlohmann::json Figures() const;
  std::vector<std::string> Active() const;

 private:
  struct Raised {
    std::string detail;
    common::Timestamp since;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Raised> active_;
};

// Runs `check` every `interval` on a thread of its own until Stop.
class AlarmWatch {
 public:
  AlarmWatch(std::chrono::milliseconds interval, std::function<void()> check);
  ~AlarmWatch();
  AlarmWatch(const AlarmWatch&) = delete;
  AlarmWatch& operator=(const AlarmWatch&) = delete;
  void Stop();

 private:
  void Run();
  const std::chrono::milliseconds interval_;
  const std::function<void()> check_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace logistics::service

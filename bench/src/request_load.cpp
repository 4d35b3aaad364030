#include "request_load.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "async_requester.hpp"

namespace logistics::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kDrainGrace = std::chrono::seconds(5);  // for replies still in flight at the end

// What the reply callbacks and the sending thread share.
struct LoadState {
  std::mutex mutex;
  std::condition_variable changed;
  RequestLoadResult result;
  std::uint64_t next = 0;  // next sequence number to send
  std::uint64_t replied = 0;
  bool stop_sending = false;
  Clock::time_point last_reply;

  void Record(const Reply& reply) {
    std::lock_guard lock(mutex);
    ++replied;
    last_reply = Clock::now();
    if (reply.ok) {
      ++result.ok;
      result.latencies.Add(reply.latency);
    } else {
      ++result.failed;
      if (result.first_error.empty()) result.first_error = reply.error;
    }
    changed.notify_all();
  }
};

}  // namespace

RequestLoadResult RunRequestLoad(natsConnection* connection, const RequestLoadSettings& settings,
                                 const BodyTemplate& body) {
  // Declared before the requester, so they outlive it: its callbacks use them.
  LoadState state;
  std::function<void()> send_next;
  AsyncRequester requester(connection);
  state.result.latencies.Reserve(settings.count);
  const auto started = Clock::now();
  const auto deadline = started + settings.max_duration;

  // Claims the next sequence number, or none when the run is over.
  auto claim = [&]() -> std::optional<std::uint64_t> {
    std::lock_guard lock(state.mutex);
    if (state.stop_sending || state.next >= settings.count || Clock::now() >= deadline) {
      state.stop_sending = true;
      return std::nullopt;
    }
    ++state.result.sent;
    return state.next++;
  };
  auto publish_failed = [&](const std::string& error) {
    std::lock_guard lock(state.mutex);
    ++state.result.failed;
    ++state.replied;
    if (state.result.first_error.empty()) state.result.first_error = error;
    state.changed.notify_all();
  };

  // Closed loop: each reply sends the next request from the reply thread.
  send_next = [&] {
    const auto n = claim();
    if (!n) return;
    if (!requester.Send(settings.subject, body.Fill(*n), [&](Reply reply) {
          state.Record(reply);
          send_next();
        })) {
      publish_failed("publish failed");
    }
  };
  if (settings.rate_per_s <= 0) {
    for (std::size_t i = 0; i < settings.in_flight; ++i) send_next();
  } else {
    // Open loop: request n leaves at started + n / rate, unless `in_flight`
    // requests are already waiting (then the pace slips, visibly in `seconds`).
    const auto interval = std::chrono::duration<double>(1.0 / settings.rate_per_s);
    for (std::uint64_t n = 0;; ++n) {
      std::this_thread::sleep_until(started + std::chrono::duration_cast<Clock::duration>(interval * n));
      {
        std::unique_lock lock(state.mutex);
        state.changed.wait_until(lock, deadline, [&] {
          return state.result.sent - state.replied < settings.in_flight;
        });
      }
      const auto claimed = claim();
      if (!claimed) break;
      if (!requester.Send(settings.subject, body.Fill(*claimed),
                          [&](Reply reply) { state.Record(reply); })) {
        publish_failed("publish failed");
      }
    }
  }

  std::unique_lock lock(state.mutex);
  state.changed.wait_until(lock, deadline, [&] {
    return state.next >= settings.count && state.replied >= state.result.sent;
  });
  state.stop_sending = true;
  state.changed.wait_until(lock, Clock::now() + kDrainGrace,
                           [&] { return state.replied >= state.result.sent; });
  RequestLoadResult result = std::move(state.result);
  const std::uint64_t missing = result.sent - state.replied;
  if (missing > 0) {
    result.failed += missing;
    if (result.first_error.empty()) result.first_error = "no reply within the run's time";
  }
  const auto end = state.replied > 0 ? state.last_reply : Clock::now();
  result.seconds = std::chrono::duration<double>(end - started).count();
  return result;  // the requester drains first: no callback runs after this
}

}  // namespace logistics::bench

#include "lifecycle_load.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>

#include "async_requester.hpp"
#include "body_template.hpp"

namespace logistics::bench {
namespace {

using Clock = std::chrono::steady_clock;

class Lifecycle {
 public:
  Lifecycle(natsConnection* connection, std::uint64_t orders, std::chrono::seconds max_duration)
      : connection_(connection),
        orders_(orders),
        deadline_(Clock::now() + max_duration),
        create_(R"({"tracking_number":"LIFE-{run}-{n}","customer_name":"Customer {n}",)"
                R"("customer_email":"c{n}@example.com","origin":"Warehouse 7, Rotterdam",)"
                R"("destination":"Distribution centre, Antwerp"})",
                NewRunId()),
        requester_(connection) {
    if (natsConnection_Subscribe(&paid_events_, connection_, "orders.events.*.paid", &OnPaid, this) !=
        NATS_OK) {
      throw std::runtime_error("cannot subscribe to orders.events.*.paid");
    }
    natsSubscription_SetPendingLimits(paid_events_, -1, -1);
    natsConnection_Flush(connection_);
  }

  ~Lifecycle() {
    if (natsSubscription_Drain(paid_events_) == NATS_OK) {
      natsSubscription_WaitForDrainCompletion(paid_events_, 5000);
    }
    natsSubscription_Destroy(paid_events_);
  }

  LifecycleResult Run(std::size_t in_flight) {
    started_at_ = Clock::now();
    for (std::size_t i = 0; i < in_flight; ++i) StartNext();
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline_, [&] { return Finished(); });
    const auto end = result_.completed > 0 ? last_completed_ : Clock::now();
    result_.seconds = std::chrono::duration<double>(end - started_at_).count();
    const std::uint64_t unfinished = result_.started - result_.completed - result_.failed;
    if (unfinished > 0) {
      result_.failed += unfinished;
      if (result_.first_error.empty()) result_.first_error = "orders unfinished at the deadline";
    }
    stopped_ = true;
    return result_;
  }

 private:
  struct Progress {
    bool confirmed = false;
    bool paid = false;
  };

  bool Finished() const {
    return stopped_ || (result_.started >= orders_ && result_.completed + result_.failed >= result_.started);
  }

  void StartNext() {
    std::uint64_t n = 0;
    {
      std::lock_guard lock(mutex_);
      if (stopped_ || result_.started >= orders_ || Clock::now() >= deadline_) return;
      n = result_.started++;
    }
    Request("orders.cmd.create", create_.Fill(n), [this](const nlohmann::json& order) {
      const std::string order_id = order.at("order_id");
      {
        std::lock_guard lock(mutex_);
        progress_.emplace(order_id, Progress{});
      }
      Request("orders.cmd.assign", nlohmann::json{{"order_id", order_id}, {"driver_id", "driver-7"}}.dump(),
              [this, order_id](const nlohmann::json&) { Register(order_id); });
    });
  }

  void Register(const std::string& order_id) {
    Request("payments.cmd.register",
            nlohmann::json{{"order_id", order_id}, {"amount", "25.00"}, {"currency", "EUR"}}.dump(),
            [this, order_id](const nlohmann::json& payment) {
              Request("payments.cmd.confirm",
                      nlohmann::json{{"payment_id", payment.at("payment_id")}}.dump(),
                      [this, order_id](const nlohmann::json&) {
                        if (Mark(order_id, [](Progress& p) { p.confirmed = true; })) Dispatch(order_id);
                      });
            });
  }

  // Records one of the two conditions for dispatch; true when both now hold.
  template <typename Change>
  bool Mark(const std::string& order_id, Change change) {
    std::lock_guard lock(mutex_);
    auto found = progress_.find(order_id);
    if (found == progress_.end()) {  // paid before its create reply was read
      found = progress_.emplace(order_id, Progress{}).first;
    }
    change(found->second);
    if (!found->second.confirmed || !found->second.paid) return false;
    progress_.erase(found);
    return true;
  }

  static void OnPaid(natsConnection*, natsSubscription*, natsMsg* message, void* closure) {
    auto& self = *static_cast<Lifecycle*>(closure);
    const std::string_view subject = natsMsg_GetSubject(message);  // orders.events.<id>.paid
    const auto begin = subject.find('.', subject.find('.') + 1) + 1;
    const std::string order_id(subject.substr(begin, subject.rfind('.') - begin));
    natsMsg_Destroy(message);
    if (self.Mark(order_id, [](Progress& p) { p.paid = true; })) self.Dispatch(order_id);
  }

  void Dispatch(const std::string& order_id) {
    const std::string body = nlohmann::json{{"order_id", order_id}}.dump();
    Request("orders.cmd.dispatch", body, [this, body](const nlohmann::json&) {
      Request("orders.cmd.deliver", body, [this](const nlohmann::json&) {
        {
          std::lock_guard lock(mutex_);
          ++result_.completed;
          last_completed_ = Clock::now();
        }
        changed_.notify_all();
        StartNext();
      });
    });
  }

  // Sends one step; on success `next` gets the reply's JSON, on failure the
  // order is counted failed and the next order starts.
  void Request(const char* subject, const std::string& body,
               std::function<void(const nlohmann::json&)> next) {
    const bool sent = requester_.Send(subject, body, [this, subject, next](Reply reply) {
      if (reply.ok) {
        next(nlohmann::json::parse(reply.body));
      } else {
        Fail(std::string(subject) + ": " + reply.error);
      }
    });
    if (!sent) Fail(std::string(subject) + ": publish failed");
  }

  void Fail(const std::string& error) {
    {
      std::lock_guard lock(mutex_);
      ++result_.failed;
      if (result_.first_error.empty()) result_.first_error = error;
    }
    changed_.notify_all();
    StartNext();
  }

  natsConnection* connection_;
  const std::uint64_t orders_;
  const Clock::time_point deadline_;
  const BodyTemplate create_;
  std::mutex mutex_;
  std::condition_variable changed_;
  LifecycleResult result_;
  std::unordered_map<std::string, Progress> progress_;
  bool stopped_ = false;
  Clock::time_point started_at_;
  Clock::time_point last_completed_;
  natsSubscription* paid_events_ = nullptr;
  AsyncRequester requester_;  // last: destroyed (drained) first, while the rest still exists
};

}  // namespace

LifecycleResult RunLifecycleLoad(natsConnection* connection, std::uint64_t orders,
                                 std::size_t in_flight, std::chrono::seconds max_duration) {
  Lifecycle lifecycle(connection, orders, max_duration);
  return lifecycle.Run(in_flight);
}

}  // namespace logistics::bench

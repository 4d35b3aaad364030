// NATS node failures on a real 3-node cluster with R3 streams (issue 19),
// under a load of checkouts (create, register, confirm), with the real
// orders, payments and notifications services connected to all three nodes:
//   * the node that leads the ORDERS stream is SIGKILLed, later restarted;
//   * a node that leads neither ORDERS nor PAYMENTS, the same;
//   * two of the three nodes (no quorum): commands still commit, events wait
//     in the outboxes, the status says why, and all of it is published once
//     the nodes are back.
// After each, the invariants: every answered command's events are in the
// streams, no event twice, each aggregate's versions 1, 2, 3... in stream
// order, every durable consumer caught up, exactly one mail per event that
// calls for one, and no lost-tail re-publish (a failover is not a stream
// that went back: R3 acknowledges on quorum).
//
// What a failover costs is printed as "figure:" lines (stdout): the time
// from the kill until the stream stores events again and until the relay
// counts a PubAck again, until the outbox backlog is gone, and how many
// events the relays sent again (PubAcks counted minus events in the stream).
// Times come from polling every ~25 ms through the test's own connection,
// which may itself be failing over: they are upper bounds.
#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/checkout_checks.hpp"
#include "integration/checkout_load.hpp"
#include "integration/cluster_system.hpp"

using logistics::testing::CheckAnsweredCommandsHaveEvents;
using logistics::testing::CheckEveryCheckoutAnswered;
using logistics::testing::CheckOnceInOrder;
using logistics::testing::CheckoutLimits;
using logistics::testing::CheckoutLoad;
using logistics::testing::ClusterSystem;
using logistics::testing::Eventually;
using logistics::testing::StreamMessage;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

long long MillisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<milliseconds>(to - from).count();
}

// ---- watching the relays ----------------------------------------------------

// One look at orders' and payments' relays and at the two streams.
struct Sample {
  Clock::time_point at;
  std::map<std::string, json> status;             // by service; absent: no answer
  std::map<std::string, std::uint64_t> last_seq;  // by stream; absent: no answer
};

// Samples the relays' figures and the streams' last sequences every ~25 ms
// on a thread of its own, through the test's client (thread-safe), until
// destroyed. Asserts nothing.
class RelayWatch {
 public:
  explicit RelayWatch(ClusterSystem& system) : system_(system), thread_([this] { Run(); }) {}
  ~RelayWatch() {
    stop_ = true;
    thread_.join();
  }
  RelayWatch(const RelayWatch&) = delete;
  RelayWatch& operator=(const RelayWatch&) = delete;

  std::vector<Sample> Samples() const {
    std::lock_guard lock(mutex_);
    return samples_;
  }

 private:
  void Run() {
    while (!stop_) {
      Sample sample;
      for (const std::string service : {"orders", "payments"}) {
        if (auto status = system_.TryStatus(service, milliseconds(500)))
          sample.status[service] = *status;
      }
      for (const std::string stream : {"ORDERS", "PAYMENTS"}) {
        if (auto last = LastSequence(stream)) sample.last_seq[stream] = *last;
      }
      sample.at = Clock::now();
      {
        std::lock_guard lock(mutex_);
        samples_.push_back(std::move(sample));
      }
      std::this_thread::sleep_for(milliseconds(25));
    }
  }

  std::optional<std::uint64_t> LastSequence(const std::string& stream) {
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = 500;  // an election under way: do not hold up the samples
    jsStreamInfo* info = nullptr;
    jsErrCode error_code = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&info, system_.client().jetstream(), stream.c_str(), &options,
                         &error_code) != NATS_OK) {
      return std::nullopt;
    }
    const std::uint64_t last = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    return last;
  }

  ClusterSystem& system_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<Sample> samples_;
  std::thread thread_;
};

// What the samples say about one service's relay and its stream around a
// fault at `fault` (a kill; for no quorum, the return of the nodes).
//
// A relay that has nothing to publish does not count PubAcks either, so a
// stall is a time without a new PubAck WHILE events waited in the outbox:
// the longest such stretch (over 250 ms) from 1 s before the fault on, and
// when it ended.
// The stream's stall is read the same way from its last sequence (a sample
// without an answer from the stream counts as no progress).
struct FailoverCost {
  std::optional<long long> acked_again_ms;   // fault -> end of the relay's longest stall
  long long relay_stall_ms = 0;              // its length
  std::optional<long long> stored_again_ms;  // fault -> end of the stream's longest stall
  long long stream_stall_ms = 0;
  std::optional<long long> backlog_gone_ms;  // fault -> outbox back to its level before
  std::int64_t peak_unpublished = 0;
  std::string first_error;  // the relay's first last_error after the fault
};

FailoverCost CostOf(const std::vector<Sample>& samples, Clock::time_point fault,
                    const std::string& service, const std::string& stream) {
  // Gaps this short happen under this load without any fault (polling).
  constexpr long long kNoise = 250;
  FailoverCost cost;
  std::int64_t baseline = 0;  // the most unpublished in the second before the fault
  std::optional<std::int64_t> published;
  std::optional<std::uint64_t> last_seq;
  std::optional<Clock::time_point> relay_moved;
  std::optional<Clock::time_point> stream_moved;
  bool relay_waited = false;
  bool stream_waited = false;
  std::optional<Clock::time_point> resumed;
  for (const Sample& sample : samples) {
    if (sample.at + seconds(1) < fault) continue;
    const auto status = sample.status.find(service);
    const auto seq = sample.last_seq.find(stream);
    const bool answered = status != sample.status.end();
    const std::int64_t unpublished =
        answered ? status->second["outbox"]["unpublished"].get<std::int64_t>() : 0;
    if (sample.at <= fault) baseline = std::max(baseline, unpublished);
    if (answered && unpublished > 0) relay_waited = stream_waited = true;
    if (sample.at > fault && answered) {
      cost.peak_unpublished = std::max(cost.peak_unpublished, unpublished);
      const std::string error = status->second["relay"]["last_error"].get<std::string>();
      if (cost.first_error.empty()) cost.first_error = error;
    }
    if (answered) {
      const std::int64_t now = status->second["relay"]["published"].get<std::int64_t>();
      if (!published || now > *published) {
        if (relay_moved && relay_waited && sample.at > fault &&
            MillisBetween(*relay_moved, sample.at) > std::max(cost.relay_stall_ms, kNoise)) {
          cost.relay_stall_ms = MillisBetween(*relay_moved, sample.at);
          cost.acked_again_ms = MillisBetween(fault, sample.at);
          resumed = sample.at;
          cost.backlog_gone_ms.reset();
        }
        relay_moved = sample.at;
        relay_waited = false;
      }
      published = now;
    }
    if (seq != sample.last_seq.end() && (!last_seq || seq->second > *last_seq)) {
      if (stream_moved && stream_waited && sample.at > fault &&
          MillisBetween(*stream_moved, sample.at) > std::max(cost.stream_stall_ms, kNoise)) {
        cost.stream_stall_ms = MillisBetween(*stream_moved, sample.at);
        cost.stored_again_ms = MillisBetween(fault, sample.at);
      }
      stream_moved = sample.at;
      stream_waited = false;
      last_seq = seq->second;
    }
    if (resumed && sample.at >= *resumed && !cost.backlog_gone_ms && answered &&
        unpublished <= baseline) {
      cost.backlog_gone_ms = MillisBetween(fault, sample.at);
    }
  }
  return cost;
}

// Debug aid: the samples from 1 s before to 8 s after `fault`, one line each
// when something changed.
void PrintTimeline(const std::vector<Sample>& samples, Clock::time_point fault) {
  std::string last;
  for (const Sample& sample : samples) {
    const long long t = MillisBetween(fault, sample.at);
    if (t < -1000 || t > 8000) continue;
    std::ostringstream line;
    for (const std::string service : {"orders", "payments"}) {
      const auto status = sample.status.find(service);
      if (status == sample.status.end()) {
        line << service << " -; ";
        continue;
      }
      line << service << " pub " << status->second["relay"]["published"] << " unpub "
           << status->second["outbox"]["unpublished"] << " unmarked "
           << status->second["relay"]["unmarked"] << " err "
           << status->second["relay"]["last_error"] << "; ";
    }
    for (const std::string stream : {"ORDERS", "PAYMENTS"}) {
      const auto seq = sample.last_seq.find(stream);
      line << stream << " "
           << (seq == sample.last_seq.end() ? std::string("-") : std::to_string(seq->second))
           << " ";
    }
    if (line.str() != last) std::cout << "timeline " << t << " ms: " << line.str() << "\n";
    last = line.str();
  }
}

// PubAcks `service`'s relay counted after `fault` (0 if unknown).
std::int64_t PubAcksSince(const std::vector<Sample>& samples, Clock::time_point fault,
                          const std::string& service) {
  std::optional<std::int64_t> before;
  std::int64_t latest = 0;
  for (const Sample& sample : samples) {
    const auto status = sample.status.find(service);
    if (status == sample.status.end()) continue;
    const std::int64_t published = status->second["relay"]["published"].get<std::int64_t>();
    if (sample.at <= fault) before = published;
    latest = published;
  }
  return before ? latest - *before : 0;
}

std::string Ms(const std::optional<long long>& ms) {
  return ms ? std::to_string(*ms) + " ms" : std::string("never seen");
}

void PrintCost(const std::string& test, const std::string& service, const std::string& stream,
               const FailoverCost& cost) {
  std::cout << "figure: " << test << ": " << service << " -> " << stream << ": relay stalled "
            << cost.relay_stall_ms << " ms (PubAcks again " << Ms(cost.acked_again_ms)
            << " after the fault), stream stalled " << cost.stream_stall_ms << " ms (stores again "
            << Ms(cost.stored_again_ms) << " after), backlog gone " << Ms(cost.backlog_gone_ms)
            << " after, peak unpublished " << cost.peak_unpublished << ", relay error meanwhile \""
            << cost.first_error << "\"\n";
}

// ---- the invariants ---------------------------------------------------------

// Waits until both outboxes are empty and every durable consumer is caught
// up, on the server and as its service counts it.
void WaitUntilSettled(ClusterSystem& system) {
  std::string why;
  const bool settled = Eventually(
      [&] {
        for (const std::string service : {"orders", "payments"}) {
          const auto status = system.TryStatus(service);
          if (!status) return why = service + " does not answer its status", false;
          if ((*status)["outbox"]["unpublished"] != 0 || (*status)["relay"]["unmarked"] != 0) {
            return why = service + " outbox " + (*status)["outbox"].dump() + ", relay " +
                         (*status)["relay"].dump(),
                   false;
          }
        }
        for (const auto& durable : ClusterSystem::kDurables) {
          if (!system.ServerConsumerCaughtUp(durable, &why)) return false;
          const auto status = system.TryStatus(durable.service);
          if (!status) return why = durable.service + " does not answer its status", false;
          const json& consumer = (*status)["consumers"][durable.name];
          if (consumer["pending"] != 0) return why = durable.name + ": " + consumer.dump(), false;
        }
        return true;
      },
      seconds(60), milliseconds(200));
  INFO("not settled: " << why);
  REQUIRE(settled);
}

// Exactly one mail per event that calls for one (every order here has an
// e-mail address): a .eml file named by each such event and no other, and
// one "e-mail sent" per event in notifications' log.
void CheckOneMailPerEvent(ClusterSystem& system, const std::vector<StreamMessage>& orders,
                          const std::vector<StreamMessage>& payments) {
  static const std::set<std::string> kNotifying{
      "logistics.order.created.v1",    "logistics.order.paid.v1",
      "logistics.order.dispatched.v1", "logistics.order.delivered.v1",
      "logistics.order.cancelled.v1",  "logistics.payment.refunded.v1"};
  std::set<std::string> due;
  for (const auto* stream : {&orders, &payments}) {
    for (const auto& message : *stream) {
      const json event = json::parse(message.data, nullptr, false);
      if (event.is_object() && kNotifying.count(event.value("type", "")))
        due.insert(event.value("id", ""));
    }
  }
  REQUIRE(Eventually([&] { return system.MailEventIds().size() >= due.size(); }, seconds(30),
                     milliseconds(200)));
  const auto files = system.MailEventIds();
  const std::set<std::string> mailed(files.begin(), files.end());
  std::map<std::string, int> sends;
  for (const auto& line : system.LogLines("notifications", "e-mail sent")) {
    ++sends[line.value("event_id", "")];
  }
  std::vector<std::string> wrong;
  for (const auto& id : due) {
    if (!mailed.count(id)) wrong.push_back("no mail for event " + id);
    if (sends[id] != 1)
      wrong.push_back("event " + id + " sent " + std::to_string(sends[id]) + " times");
  }
  for (const auto& id : mailed) {
    if (!due.count(id))
      wrong.push_back("a mail for " + id + ", which calls for none in the streams");
  }
  INFO(due.size() << " mails due, " << mailed.size() << " files; " << wrong.size()
                  << " wrong; the first: " << (wrong.empty() ? "" : wrong.front()));
  CHECK(wrong.empty());
}

// Settles, reads both streams, checks every invariant and prints how many
// events each relay sent again. Returns the settled statuses by service.
std::map<std::string, json> CheckInvariants(ClusterSystem& system, const CheckoutLoad& load,
                                            const std::string& test) {
  WaitUntilSettled(system);
  const auto orders = system.client().ReadStream("ORDERS");
  const auto payments = system.client().ReadStream("PAYMENTS");
  const auto checkouts = load.Checkouts();
  CheckEveryCheckoutAnswered(checkouts);
  CheckOnceInOrder("ORDERS", orders);
  CheckOnceInOrder("PAYMENTS", payments);
  CheckAnsweredCommandsHaveEvents(checkouts, orders, payments);
  CheckOneMailPerEvent(system, orders, payments);

  std::map<std::string, json> statuses;
  for (const auto& service : ClusterSystem::kServices) statuses[service] = system.Status(service);
  for (const auto& [service, status] : statuses) {
    for (const auto& [durable, consumer] : status["consumers"].items()) {
      INFO(service << " consumer " << durable << ": " << consumer.dump());
      CHECK(consumer["dead_letters"] == 0);
    }
  }
  const auto figures = load.Figures();
  std::cout << "figure: " << test << ": " << checkouts.size() << " checkouts, " << figures.commands
            << " commands answered, " << figures.resent << " re-sent by clients, slowest "
            << figures.slowest.count() << " ms; ORDERS " << orders.size() << " events, PAYMENTS "
            << payments.size() << " events\n";
  const std::map<std::string, std::size_t> stored{{"orders", orders.size()},
                                                  {"payments", payments.size()}};
  for (const auto& [service, count] : stored) {
    const json& relay = statuses[service]["relay"];
    std::cout << "figure: " << test << ": " << service << " relay: " << relay["published"]
              << " PubAcks for " << count << " events ("
              << relay["published"].get<std::int64_t>() - static_cast<std::int64_t>(count)
              << " sent again), " << relay["failed_attempts"] << " failed rounds, "
              << relay["republished_horizons"] << " lost-tail re-publishes\n";
    // A failover is not a lost tail: the streams never went back.
    INFO(service << " relay: " << relay.dump());
    CHECK(relay["republished_horizons"] == 0);
  }
  return statuses;
}

// ---- one node down ------------------------------------------------------------

// Kills the node `choose` picks (once 40 checkouts are through) under load,
// watches the failover, restarts the node, and checks everything. `label`
// names the test in the figures.
void KillOneNodeUnderLoad(ClusterSystem& system, CheckoutLoad& load,
                          const std::function<int()>& choose, const std::string& label) {
  RelayWatch watch(system);
  load.Start();
  REQUIRE(Eventually([&] { return load.Completed() >= 40; }, seconds(20)));

  const int victim = choose();
  const auto meta_leader = system.cluster().MetaLeader();
  const auto killed = Clock::now();
  system.cluster().Kill(victim);
  // The stream keeps (or gets) a leader among the two left, and both relays
  // are acknowledged again: the node comes back only then.
  std::optional<int> leader;
  REQUIRE(Eventually(
      [&] {
        leader = system.cluster().StreamLeader("ORDERS");
        return leader && *leader != victim;
      },
      seconds(30), milliseconds(50)));
  const bool acked_again = Eventually(
      [&] {
        const auto samples = watch.Samples();
        return PubAcksSince(samples, killed, "orders") >= 20 &&
               PubAcksSince(samples, killed, "payments") >= 20;
      },
      seconds(30), milliseconds(50));
  INFO("orders status: " << system.TryStatus("orders").value_or(json()).dump());
  INFO("payments status: " << system.TryStatus("payments").value_or(json()).dump());
  REQUIRE(acked_again);

  system.cluster().Restart(victim);
  const auto restarted = Clock::now();
  system.RequireStreamHealthy("ORDERS");
  system.RequireStreamHealthy("PAYMENTS");
  const auto healthy = Clock::now();
  load.Join();
  CheckInvariants(system, load, label);

  const auto samples = watch.Samples();
  std::cout << "figure: " << label << ": killed " << system.cluster().Name(victim)
            << (meta_leader == victim ? " (also the JetStream meta leader)" : "")
            << ", ORDERS then led by " << system.cluster().Name(*leader) << "; restarted after "
            << MillisBetween(killed, restarted) << " ms, its streams current again "
            << MillisBetween(restarted, healthy) << " ms later\n";
  if (std::getenv("LOGISTICS_FAILOVER_TIMELINE")) PrintTimeline(samples, killed);
  PrintCost(label, "orders", "ORDERS", CostOf(samples, killed, "orders", "ORDERS"));
  PrintCost(label, "payments", "PAYMENTS", CostOf(samples, killed, "payments", "PAYMENTS"));
}

CheckoutLimits UnderLoad() {
  CheckoutLimits limits;
  limits.max_checkouts = 300;
  limits.max_duration = seconds(20);
  limits.checkouts_per_second = 25;  // ~12 s of checkouts: before, during and after the failover
  return limits;
}

}  // namespace

SCENARIO(
    "killing the node that leads the ORDERS stream under load loses, doubles and reorders "
    "nothing, and is not taken for a lost tail",
    "[cluster][integration][failover]") {
  GIVEN("three nodes, R3 streams, the three services and checkouts under way") {
    ClusterSystem system;
    system.StartServices();
    CheckoutLoad load(system.client(), "LEADER", UnderLoad());
    WHEN("the ORDERS leader is SIGKILLed, and restarted once the relay is acknowledged again") {
      THEN("every answered command has its events once, in order, consumed, and mailed once") {
        const auto leader = [&] {
          const auto found = system.cluster().StreamLeader("ORDERS");
          REQUIRE(found);
          return *found;
        };
        KillOneNodeUnderLoad(system, load, leader, "ORDERS leader killed");
      }
    }
  }
}

SCENARIO("killing a node that leads neither stream under load loses, doubles and reorders nothing",
         "[cluster][integration][failover]") {
  GIVEN("three nodes, R3 streams, the three services and checkouts under way") {
    ClusterSystem system;
    system.StartServices();
    CheckoutLoad load(system.client(), "FOLLOWER", UnderLoad());
    WHEN(
        "a node leading neither stream is SIGKILLed, and restarted once the relay is acknowledged "
        "again") {
      THEN("every answered command has its events once, in order, consumed, and mailed once") {
        const auto follower = [&] {
          const auto orders_leader = system.cluster().StreamLeader("ORDERS");
          const auto payments_leader = system.cluster().StreamLeader("PAYMENTS");
          REQUIRE(orders_leader);
          REQUIRE(payments_leader);
          int node = 0;  // three nodes, two leaders: one leads neither
          while (node == *orders_leader || node == *payments_leader) ++node;
          return node;
        };
        KillOneNodeUnderLoad(system, load, follower, "follower killed");
      }
    }
  }
}

SCENARIO(
    "with two of three nodes killed, commands still commit, events wait in the outbox with "
    "the reason in the status, and all are published once quorum returns",
    "[cluster][integration][failover]") {
  GIVEN("three nodes, R3 streams, the three services and checkouts under way") {
    ClusterSystem system;
    system.StartServices();
    CheckoutLimits limits;
    limits.max_checkouts = 200;
    limits.max_duration = seconds(20);
    limits.checkouts_per_second = 15;
    CheckoutLoad load(system.client(), "QUORUM", limits);
    RelayWatch watch(system);
    load.Start();
    REQUIRE(Eventually([&] { return load.Completed() >= 20; }, seconds(20)));

    WHEN("the ORDERS leader and one other node are SIGKILLed") {
      const int first = *system.cluster().StreamLeader("ORDERS");
      const int second = (first + 1) % system.cluster().size();
      const auto killed = Clock::now();
      system.cluster().Kill(first);
      system.cluster().Kill(second);
      const int before = load.Completed();

      THEN("checkouts are still answered while the events wait, and the status says why") {
        REQUIRE(Eventually([&] { return load.Completed() >= before + 30; }, seconds(20)));
        std::map<std::string, json> waiting;
        const bool says_why = Eventually(
            [&] {
              bool both = true;
              for (const std::string service : {"orders", "payments"}) {
                auto status = system.TryStatus(service);
                if (!status) {
                  both = false;
                  continue;
                }
                waiting[service] = *status;
                both = both && (*status)["outbox"]["unpublished"] > 0 &&
                       (*status)["relay"]["last_error"] != "";
              }
              return both;
            },
            seconds(20), milliseconds(100));
        INFO("orders: " << waiting["orders"].dump()
                        << "\npayments: " << waiting["payments"].dump());
        CHECK(says_why);
        for (const auto& [service, status] : waiting) {
          if (!status.is_object()) {
            std::cout << "figure: no quorum: " << service << " did not answer its status\n";
            continue;
          }
          std::cout << "figure: no quorum: " << service << " status after "
                    << MillisBetween(killed, Clock::now())
                    << " ms: " << status["outbox"]["unpublished"] << " unpublished, oldest "
                    << status["outbox"]["oldest_unpublished_age_ms"] << " ms, relay.last_error \""
                    << status["relay"]["last_error"].get<std::string>() << "\", alarms "
                    << status["alarms"].dump() << "\n";
        }

        AND_WHEN("the two nodes come back") {
          system.cluster().Restart(first);
          system.cluster().Restart(second);
          const auto back = Clock::now();
          system.RequireStreamHealthy("ORDERS");
          system.RequireStreamHealthy("PAYMENTS");
          const auto healthy = Clock::now();
          load.Join();

          AND_THEN("every event is published once, in order, consumed, and mailed once") {
            CheckInvariants(system, load, "no quorum");
            const auto samples = watch.Samples();
            std::cout << "figure: no quorum: killed " << system.cluster().Name(first) << " and "
                      << system.cluster().Name(second) << " for " << MillisBetween(killed, back)
                      << " ms; streams current " << MillisBetween(back, healthy)
                      << " ms after the restarts\n";
            if (std::getenv("LOGISTICS_FAILOVER_TIMELINE")) PrintTimeline(samples, back);
            PrintCost("no quorum (from the nodes' return)", "orders", "ORDERS",
                      CostOf(samples, back, "orders", "ORDERS"));
            PrintCost("no quorum (from the nodes' return)", "payments", "PAYMENTS",
                      CostOf(samples, back, "payments", "PAYMENTS"));
          }
        }
      }
    }
  }
}

// A network partition of a 3-node NATS cluster (SPEC §8, issue 19): the node
// orders is connected to is cut off from the other two while orders keeps
// reaching it. On that minority side JetStream stops answering (requests time
// out, then "JetStream system temporarily unavailable"), so the relay's
// publishes time out; orders' JetStream watch (--js-check-interval-ms) must
// notice and move both of its connections to the majority, where its events
// flow again. After the partition heals: every answered create and assign
// has its event, no event is stored twice, each order's events are in order.
//
// How fast orders notices depends on the cut node's role: a node that is not
// the JetStream meta leader stops answering JetStream at once (time-outs, then
// 503), so the move comes after three checks (~1.5-2 s here); the meta leader
// itself keeps answering until it steps down for lost quorum (nats-server
// 2.9.10: ~18 s), so the move comes then. The figures say which case ran.
//
// Each node runs in a Linux network namespace of its own (NetworkNamespaces:
// root, `ip`); orders, the test's clients and the harness stay in the test's
// namespace and reach every node throughout. Where namespaces cannot be made
// the test says so on its output ("SKIPPED (network namespaces): why") and
// returns without asserting anything, never silently green.
//
// orders gets one URL, the node to be cut: nats.c shuffles a URL list for each
// connection and a service opens two, so with three URLs they would land on
// nodes of their own. One seed makes both land on that node; the other two
// come to the connections from the cluster (discovered servers), which is also
// what the watch must be able to move to.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_cluster.hpp"
#include "support/harness/network_namespaces.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"
#include "support/stream_invariants.hpp"

using logistics::testing::CheckOnceInOrder;
using logistics::testing::Eventually;
using logistics::testing::ExamineEventStream;
using logistics::testing::NatsClient;
using logistics::testing::NatsCluster;
using logistics::testing::NatsClusterOptions;
using logistics::testing::NetworkNamespaces;
using logistics::testing::ServiceProcess;
using logistics::testing::StreamMessage;
using logistics::testing::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kCutNode = 0;       // orders' seed URL
constexpr int kMajorityNode = 1;  // the test's clients
constexpr const char* kCheckIntervalMs = "500";
constexpr int kMaxCreates = 1200;
constexpr auto kCreateEvery = 40ms;  // 25 creates a second
constexpr auto kLongestLoad = 120s;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// False, said on the test's output, when namespaces cannot be made here.
bool NetworkNamespacesAvailable() {
  const std::string why = NetworkNamespaces::Unavailable();
  if (why.empty()) return true;
  std::cout << "SKIPPED (network namespaces): " << why
            << "; the partition test did not run" << std::endl;
  WARN("SKIPPED (network namespaces): " << why << "; the partition test did not run");
  return false;
}

// Creates (and assigns every other order) at a fixed pace from a client on
// the majority side, retrying a command that got no answer with the same
// Nats-Msg-Id, as a client would. Bounded in count and time; Catch2 is not
// used on its thread (it is not thread-safe).
class OrderLoad {
 public:
  struct Answered {
    std::string order_id;
    bool assigned = false;
    Clock::time_point at;  // when the create was answered
  };

  explicit OrderLoad(NatsClient& client) : client_(client) {
    thread_ = std::thread([this] { Run(); });
  }
  ~OrderLoad() { Stop(); }
  OrderLoad(const OrderLoad&) = delete;
  OrderLoad& operator=(const OrderLoad&) = delete;

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  std::vector<Answered> Results() const {
    std::lock_guard lock(mutex_);
    return answered_;
  }
  std::size_t AnsweredCount() const {
    std::lock_guard lock(mutex_);
    return answered_.size();
  }
  // The first create answered at or after `since`, if any.
  std::optional<Answered> FirstAnsweredSince(Clock::time_point since) const {
    std::lock_guard lock(mutex_);
    for (const Answered& a : answered_) {
      if (a.at >= since) return a;
    }
    return std::nullopt;
  }

 private:
  // Sends until answered (same Nats-Msg-Id each time), or the load ends.
  std::optional<json> Send(const std::string& subject, const json& body, const std::string& key) {
    while (!stop_.load() && Clock::now() < deadline_) {
      const auto reply = client_.TryRequest(subject, body.dump(), {{"Nats-Msg-Id", key}}, 2s);
      if (reply.Status() == 200) {
        json parsed = json::parse(reply.body, nullptr, false);
        if (!parsed.is_discarded()) return parsed;
      }
    }
    return std::nullopt;
  }

  void Run() {
    auto next = Clock::now();
    for (int i = 0; i < kMaxCreates && !stop_.load() && Clock::now() < deadline_; ++i) {
      std::this_thread::sleep_until(next);  // the load's pace, not a wait for a condition
      next += kCreateEvery;
      const std::string tracking = "PART-" + std::to_string(i);
      const auto created = Send("orders.cmd.create",
                                {{"tracking_number", tracking},
                                 {"customer_name", "Ana"},
                                 {"origin", "Madrid"},
                                 {"destination", "Lisbon"}},
                                "create-" + tracking);
      if (!created || !created->contains("order_id")) continue;
      Answered answered{(*created)["order_id"].get<std::string>(), false, Clock::now()};
      {
        std::lock_guard lock(mutex_);
        answered_.push_back(answered);
      }
      if (i % 2 == 0) {
        const auto assigned =
            Send("orders.cmd.assign", {{"order_id", answered.order_id}, {"driver_id", "driver-1"}},
                 "assign-" + tracking);
        if (assigned) {
          std::lock_guard lock(mutex_);
          answered_.back().assigned = true;
        }
      }
    }
  }

  NatsClient& client_;
  const Clock::time_point deadline_ = Clock::now() + kLongestLoad;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<Answered> answered_;
  std::thread thread_;
};

int Occurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// One order per tracking number: a create retried with its Nats-Msg-Id is
// not a second order.
void CheckOneOrderPerTrackingNumber(const std::vector<StreamMessage>& events) {
  std::set<std::string> tracking_numbers;
  int orders_created_twice = 0;
  for (const StreamMessage& message : events) {
    const json event = message.Json();
    if (event["aggregateversion"] == 1 &&
        !tracking_numbers.insert(event["data"].value("tracking_number", "")).second) {
      ++orders_created_twice;
    }
  }
  CHECK(orders_created_twice == 0);
}

}  // namespace

// One linear run rather than GIVEN/WHEN/THEN sections: Catch2 runs a
// test case again for each section a failure left unfinished, and each run
// here is a cluster, a partition and a heal.
TEST_CASE("orders on a node cut off by a network partition moves to the majority, and nothing is "
          "lost or doubled when the partition heals",
          "[orders][integration][cluster][partition]") {
  if (!NetworkNamespacesAvailable()) return;

  // Destroyed in reverse: the load, the clients, orders, the nodes, and only
  // then the namespaces they ran in.
  NetworkNamespaces network(3);
  NatsClusterOptions options;
  options.command_prefix = [&network](int node) { return network.CommandPrefix(node); };
  options.host = [&network](int node) { return network.Address(node); };
  NatsCluster cluster(options);
  cluster.Start();
  TempDir dir("cluster-partition");
  ServiceProcess orders(LOGISTICS_ORDERS_BIN,
                        {"--nats-url", cluster.Url(kCutNode), "--db",
                         (dir.path() / "orders.db").string(), "--stream-replicas", "3",
                         "--js-check-interval-ms", kCheckIntervalMs, "--log-level", "debug"},
                        {{"RETRY_INITIAL_MS", "100"}, {"RETRY_MAX_MS", "400"}}, dir.path());
  orders.Start();
  REQUIRE(orders.WaitUntilReady(60s));
  REQUIRE(cluster.WaitForStreamHealthy("ORDERS", 30s));
  NatsClient client(cluster.Url(kMajorityNode), "partition-test-client");

  // Orders, connected to n1 only, takes creates under load.
  OrderLoad load(client);
  REQUIRE(Eventually([&] { return load.AnsweredCount() >= 25; }, 30s));
  REQUIRE(Eventually([&] { return client.StreamMessageCount("ORDERS") >= 25; }, 30s));
  const bool cut_leads = cluster.MetaLeader() == kCutNode;

  // n1 is cut off from n2 and n3.
  network.Partition(kCutNode);
  const Clock::time_point cut = Clock::now();

  // Orders notices and moves to the majority (both of its connections say
  // so, naming n1), and its new orders' events reach the stream.
  const std::string leaving = "\"server\":\"" + cluster.Url(kCutNode);
  const std::string move_line = "moving to another server";
  REQUIRE(Eventually(
      [&] {
        const std::string log = orders.Log();
        return log.find(move_line) != std::string::npos && log.find(leaving) != std::string::npos;
      },
      60s, 20ms));
  const Clock::time_point moved = Clock::now();
  std::optional<OrderLoad::Answered> after;
  REQUIRE(Eventually([&] { return (after = load.FirstAnsweredSince(moved)).has_value(); }, 60s,
                     20ms));
  const std::string new_order = after->order_id;
  REQUIRE(Eventually(
      [&] {
        for (const StreamMessage& m : client.ReadStream("ORDERS")) {
          if (m.Json()["subject"] == new_order) return true;
        }
        return false;
      },
      60s, 100ms));
  const Clock::time_point stored = Clock::now();
  CHECK(Eventually([&] { return Occurrences(orders.Log(), move_line) >= 2; }, 30s));
  std::cout << "figure: partition to orders' move off the cut-off node: " << Seconds(moved - cut)
            << " s (--js-check-interval-ms " << kCheckIntervalMs << "; the cut node "
            << (cut_leads ? "was" : "was not") << " the JetStream meta leader)\n"
            << "figure: partition to the first create answered after the move: "
            << Seconds(after->at - cut) << " s\n"
            << "figure: partition to that order's event stored through the majority: "
            << Seconds(stored - cut) << " s" << std::endl;

  // The partition heals; the load goes on a little, then ends.
  const std::size_t answered_before_heal = load.AnsweredCount();
  network.Heal();
  REQUIRE(cluster.WaitForClusterFormed(60s));
  REQUIRE(Eventually([&] { return load.AnsweredCount() >= answered_before_heal + 25; }, 30s));
  load.Stop();
  const auto results = load.Results();

  // Every answered create and assign has its event, once, in order.
  std::map<std::string, std::int64_t> expected;  // order -> last version
  for (const auto& a : results) expected[a.order_id] = a.assigned ? 2 : 1;
  REQUIRE(cluster.WaitForStreamHealthy("ORDERS", 60s));
  REQUIRE(Eventually(
      [&] {
        auto last = ExamineEventStream("ORDERS", client.ReadStream("ORDERS")).last_versions;
        for (const auto& [order, version] : expected) {
          if (last[order] < version) return false;
        }
        return true;
      },
      60s, 200ms));
  const auto events = client.ReadStream("ORDERS");
  auto stored_versions = CheckOnceInOrder("ORDERS", events);
  CheckOneOrderPerTrackingNumber(events);
  int missing = 0;
  for (const auto& [order, version] : expected) {
    if (stored_versions[order] < version) ++missing;
  }
  CHECK(missing == 0);
  std::cout << "figure: partition run: " << results.size() << " creates answered, "
            << events.size() << " events in ORDERS, " << missing << " missing, "
            << Occurrences(orders.Log(), move_line) << " moves logged by orders' connections"
            << std::endl;
}

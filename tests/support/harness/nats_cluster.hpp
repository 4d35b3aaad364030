// NatsCluster: a real N-node nats-server JetStream cluster, owned by a test.
//
// Node i (0-based) is a NatsServer named "n<i+1>" with its own client port,
// route (cluster) port, monitoring port and store, all kept across Kill and
// Restart, so a killed node comes back as the same cluster member with its
// data, as after a crash. Every node runs
//   nats-server -js -a <host> -p <client port> -sd <store> -n n<i+1>
//     --cluster_name <name> --cluster nats://<host>:<route port>
//     --routes <the other nodes' route URLs> -m <monitoring port>
// so the nodes find each other through explicitly configured routes (no
// gossip needed) and form one JetStream meta group; streams with
// num_replicas 3 are spread over them by the server.
//
// Start() returns only once the cluster is formed: every node is routed to
// every other and all agree on a JetStream meta leader (read from each node's
// monitoring endpoints /routez and /jsz). Otherwise it fails the running test
// (Catch2 FAIL) with every node's log.
//
// Stream questions ($JS.API.STREAM.INFO) go over a short-lived NATS
// connection to the running nodes; the answer comes from the stream's leader,
// so StreamLeader says which node leads now.
//
// Usage:
//   NatsCluster cluster;            // 3 nodes on 127.0.0.1
//   cluster.Start();
//   service.Start({"--nats-url", cluster.Urls(), "--stream-replicas", "3"});
//   REQUIRE(cluster.WaitForStreamHealthy("ORDERS", 20s));
//   cluster.Kill(*cluster.StreamLeader("ORDERS"));
//
// For network-namespace tests, options.command_prefix runs a node under e.g.
// `ip netns exec lg-n1` and options.host gives the address it listens on.
//
// Cleanup: the destructor stops every node (SIGTERM, SIGKILL after a grace)
// before their stores, in a temporary directory of this object, are removed.
// Thread-safety: none; one test thread drives a NatsCluster (the stream
// queries open their own connections and may run while clients work).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/harness/nats_server.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {

struct NatsClusterOptions {
  int nodes = 3;
  std::string cluster_name = "logistics";
  // Per node: a command prefix to run the server under (e.g.
  // {"ip", "netns", "exec", "lg-n1"}); empty or unset: none.
  std::function<std::vector<std::string>(int node)> command_prefix;
  // Per node: the address it listens on and is reached at; unset: 127.0.0.1.
  std::function<std::string(int node)> host;
  std::vector<std::string> extra_args;  // given to every node
  // The credentials of the harness's own stream queries, when the nodes'
  // configuration (in extra_args) requires users.
  std::string user;
  std::string password;
  // How long Start waits for the cluster to form, and Restart for a node.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(30);
};

class NatsCluster {
 public:
  // Picks the ports and creates the stores; starts nothing.
  explicit NatsCluster(NatsClusterOptions options = {});
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  // Starts every node that is not running, then waits until the cluster is
  // formed (WaitForClusterFormed); fails the test with the logs otherwise.
  void Start();
  // True once every running node is routed to every other running node and
  // all of them name the same JetStream meta leader, within `timeout`.
  bool WaitForClusterFormed(std::chrono::milliseconds timeout) const;

  int size() const { return static_cast<int>(nodes_.size()); }
  // "nats://h:p1,nats://h:p2,nats://h:p3", for --nats-url.
  std::string Urls() const;
  // Node index 0..size()-1.
  std::string Url(int node) const;
  // Server name, "n1".."n<size>".
  std::string Name(int node) const;
  // The node with that server name, if any.
  std::optional<int> NodeNamed(const std::string& name) const;

  // SIGKILL, as in a crash (nothing if the node is not running).
  void Kill(int node);
  // SIGTERM, a clean shutdown.
  void Stop(int node);
  // Same ports, same store; waits until it accepts clients (not until it has
  // caught up: use WaitForStreamHealthy or WaitForClusterFormed for that).
  void Restart(int node);
  bool IsRunning(int node) const;

  // The meta leader as the running nodes see it, if they agree on one.
  std::optional<int> MetaLeader() const;
  // The reply to $JS.API.STREAM.INFO.<stream> ("error" set when the server
  // refused), or nullopt when no running node answered in time.
  std::optional<nlohmann::json> StreamInfo(const std::string& stream) const;
  // The node that leads `stream` now (cluster.leader), if any.
  std::optional<int> StreamLeader(const std::string& stream) const;
  // Waits until `stream` has a leader and all its replicas are current
  // (or the timeout passes); true when so.
  bool WaitForStreamHealthy(const std::string& stream, std::chrono::milliseconds timeout) const;

  // The node itself, e.g. for its log or store.
  NatsServer& node(int node) const;
  // Every node's current log, headed by its name, for failure messages.
  std::string Logs() const;

 private:
  struct Node {
    std::string name;
    std::string host;
    int route_port = 0;
    int monitor_port = 0;
    std::unique_ptr<NatsServer> server;
  };
  const Node& At(int node) const;
  // GET http://host:monitor_port/<path> parsed, or nullopt.
  std::optional<nlohmann::json> Monitor(const Node& node, const std::string& path) const;

  NatsClusterOptions options_;
  TempDir dir_;
  std::vector<Node> nodes_;
};

}  // namespace logistics::testing

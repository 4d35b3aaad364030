#include "support/harness/nats_cluster.hpp"

#include <nats/nats.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <utility>

#include "support/harness/eventually.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/http_client.hpp"

namespace logistics::testing {

namespace {

std::string RouteUrl(const std::string& host, int port) {
  return "nats://" + host + ":" + std::to_string(port);
}

// A short-lived connection, so a query never waits on a reconnecting client:
// any running node will do (JetStream API requests are forwarded to whoever
// answers them), no reconnects, short timeouts.
struct QueryConnection {
  natsOptions* options = nullptr;
  natsConnection* connection = nullptr;
  ~QueryConnection() {
    if (connection != nullptr) natsConnection_Destroy(connection);
    if (options != nullptr) natsOptions_Destroy(options);
  }
};

}  // namespace

NatsCluster::NatsCluster(NatsClusterOptions options)
    : options_(std::move(options)), dir_("nats-cluster") {
  if (options_.nodes < 1) FAIL("a NATS cluster needs at least one node, not " << options_.nodes);
  nodes_.resize(static_cast<size_t>(options_.nodes));
  for (int i = 0; i < options_.nodes; ++i) {
    Node& node = nodes_[static_cast<size_t>(i)];
    node.name = "n" + std::to_string(i + 1);
    node.host = options_.host ? options_.host(i) : "127.0.0.1";
    node.route_port = FreeTcpPort();
    node.monitor_port = FreeTcpPort();
  }
  for (int i = 0; i < options_.nodes; ++i) {
    Node& node = nodes_[static_cast<size_t>(i)];
    NatsServerOptions server;
    server.store_dir = dir_ / node.name;
    server.name = node.name;
    server.host = node.host;
    server.start_timeout = options_.start_timeout;
    if (options_.command_prefix) server.command_prefix = options_.command_prefix(i);
    std::string routes;
    for (const Node& other : nodes_) {
      if (&other == &node) continue;
      if (!routes.empty()) routes += ",";
      routes += RouteUrl(other.host, other.route_port);
    }
    server.extra_args = {"--cluster_name",
                         options_.cluster_name,
                         "--cluster",
                         RouteUrl(node.host, node.route_port),
                         "-m",
                         std::to_string(node.monitor_port)};
    // A one-node "cluster" has nobody to route to; --routes "" would be refused.
    if (!routes.empty()) {
      server.extra_args.push_back("--routes");
      server.extra_args.push_back(routes);
    }
    server.extra_args.insert(server.extra_args.end(), options_.extra_args.begin(),
                             options_.extra_args.end());
    node.server = std::make_unique<NatsServer>(std::move(server));
  }
}

NatsCluster::~NatsCluster() {
  // Stopped here, before dir_ (their stores) is removed.
  for (Node& node : nodes_) node.server->Stop();
}

void NatsCluster::Start() {
  for (Node& node : nodes_) node.server->Start();
  if (!WaitForClusterFormed(options_.start_timeout)) {
    FAIL("the " << size() << "-node NATS cluster did not form (routes and a JetStream meta "
                << "leader) within " << options_.start_timeout.count() << " ms\n"
                << Logs());
  }
}

std::optional<nlohmann::json> NatsCluster::Monitor(const Node& node,
                                                   const std::string& path) const {
  const HttpResponse response =
      HttpGet("http://" + node.host + ":" + std::to_string(node.monitor_port) + path,
              std::chrono::seconds(2));
  if (!response.error.empty() || response.status != 200) return std::nullopt;
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded()) return std::nullopt;
  return body;
}

bool NatsCluster::WaitForClusterFormed(std::chrono::milliseconds timeout) const {
  return Eventually(
      [this] {
        int running = 0;
        for (int i = 0; i < size(); ++i) running += IsRunning(i) ? 1 : 0;
        for (int i = 0; i < size(); ++i) {
          if (!IsRunning(i)) continue;
          const auto routes = Monitor(At(i), "/routez");
          if (!routes || routes->value("num_routes", 0) < running - 1) return false;
        }
        return MetaLeader().has_value();
      },
      timeout, std::chrono::milliseconds(100));
}

std::optional<int> NatsCluster::MetaLeader() const {
  std::optional<std::string> leader;
  for (int i = 0; i < size(); ++i) {
    if (!IsRunning(i)) continue;
    const auto jsz = Monitor(At(i), "/jsz");
    if (!jsz || !jsz->contains("meta_cluster")) return std::nullopt;
    const std::string seen = (*jsz)["meta_cluster"].value("leader", "");
    if (seen.empty() || (leader && *leader != seen)) return std::nullopt;
    leader = seen;
  }
  if (!leader) return std::nullopt;
  return NodeNamed(*leader);
}

std::string NatsCluster::Urls() const {
  std::string urls;
  for (int i = 0; i < size(); ++i) urls += (i == 0 ? "" : ",") + Url(i);
  return urls;
}

std::string NatsCluster::Url(int node) const { return At(node).server->url(); }

std::string NatsCluster::Name(int node) const { return At(node).name; }

std::optional<int> NatsCluster::NodeNamed(const std::string& name) const {
  for (int i = 0; i < size(); ++i) {
    if (At(i).name == name) return i;
  }
  return std::nullopt;
}

void NatsCluster::Kill(int node) { At(node).server->Kill(); }

void NatsCluster::Stop(int node) { At(node).server->Stop(); }

void NatsCluster::Restart(int node) { At(node).server->Restart(); }

bool NatsCluster::IsRunning(int node) const { return At(node).server->Running(); }

std::optional<nlohmann::json> NatsCluster::StreamInfo(const std::string& stream) const {
  std::vector<std::string> urls;
  for (int i = 0; i < size(); ++i) {
    if (IsRunning(i)) urls.push_back(Url(i));
  }
  if (urls.empty()) return std::nullopt;
  // (natsOptions_SetURL would take a comma-separated list as one bad URL.)
  std::vector<const char*> servers;
  for (const std::string& url : urls) servers.push_back(url.c_str());
  QueryConnection query;
  if (natsOptions_Create(&query.options) != NATS_OK ||
      natsOptions_SetServers(query.options, servers.data(), static_cast<int>(servers.size())) !=
          NATS_OK ||
      natsOptions_SetTimeout(query.options, 1000) != NATS_OK ||
      natsOptions_SetAllowReconnect(query.options, false) != NATS_OK ||
      (!options_.user.empty() && natsOptions_SetUserInfo(query.options, options_.user.c_str(),
                                                         options_.password.c_str()) != NATS_OK) ||
      natsConnection_Connect(&query.connection, query.options) != NATS_OK) {
    return std::nullopt;
  }
  natsMsg* reply = nullptr;
  const std::string subject = "$JS.API.STREAM.INFO." + stream;
  if (natsConnection_RequestString(&reply, query.connection, subject.c_str(), "", 2000) !=
      NATS_OK) {
    return std::nullopt;
  }
  nlohmann::json info = nlohmann::json::parse(
      std::string(natsMsg_GetData(reply), static_cast<size_t>(natsMsg_GetDataLength(reply))),
      nullptr, false);
  natsMsg_Destroy(reply);
  if (info.is_discarded()) return std::nullopt;
  return info;
}

std::optional<int> NatsCluster::StreamLeader(const std::string& stream) const {
  const auto info = StreamInfo(stream);
  if (!info || info->contains("error") || !info->contains("cluster")) return std::nullopt;
  const std::string leader = (*info)["cluster"].value("leader", "");
  if (leader.empty()) return std::nullopt;
  const std::optional<int> node = NodeNamed(leader);
  // A node killed a moment ago may still be named in an answer from before.
  if (!node || !IsRunning(*node)) return std::nullopt;
  return node;
}

bool NatsCluster::WaitForStreamHealthy(const std::string& stream,
                                       std::chrono::milliseconds timeout) const {
  return Eventually(
      [&] {
        const auto info = StreamInfo(stream);
        if (!info || info->contains("error") || !info->contains("cluster")) return false;
        const nlohmann::json& cluster = (*info)["cluster"];
        if (cluster.value("leader", "").empty()) return false;
        const int replicas = (*info)["config"].value("num_replicas", 1);
        const nlohmann::json followers = cluster.value("replicas", nlohmann::json::array());
        if (static_cast<int>(followers.size()) != replicas - 1) return false;
        for (const nlohmann::json& follower : followers) {
          if (!follower.value("current", false) || follower.value("offline", false)) return false;
        }
        return true;
      },
      timeout, std::chrono::milliseconds(100));
}

NatsServer& NatsCluster::node(int node) const { return *At(node).server; }

std::string NatsCluster::Logs() const {
  std::ostringstream logs;
  for (const Node& node : nodes_) {
    logs << "--- " << node.name << " (" << node.server->url() << ") ---\n"
         << node.server->Log() << "\n";
  }
  return logs.str();
}

const NatsCluster::Node& NatsCluster::At(int node) const {
  if (node < 0 || node >= size()) {
    FAIL("no node " << node << " in a " << size() << "-node NATS cluster");
  }
  return nodes_[static_cast<size_t>(node)];
}

}  // namespace logistics::testing

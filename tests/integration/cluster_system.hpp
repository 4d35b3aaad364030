// ClusterSystem: orders, payments and notifications, the real binaries, on a
// real 3-node nats-server cluster (NatsCluster) on 127.0.0.1, for one test.
//
// Every service gets all three client URLs (--nats-url a,b,c), so it can
// fail over to any node, and creates its stream with --stream-replicas
// (3 by default: an event is acknowledged once a quorum of two stores it).
// Each service has its own SQLite file in the system's temporary directory;
// notifications, without an SMTP server, writes each mail as
// <dir>/mail/<event id>.eml.
//
// Everything it starts is stopped when it goes out of scope, the services
// before the cluster, whether the test passed or not.
//
// Thread-safety: the test thread drives it; TryStatus may be called from any
// thread (it asserts nothing).
#pragma once

#include <nats/nats.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_cluster.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {

class ClusterSystem {
 public:
  // The services, in the order they start.
  static inline const std::vector<std::string> kServices{"orders", "payments", "notifications"};
  // The durable consumers, by stream, and the service that owns each.
  struct Durable {
    std::string stream;
    std::string name;
    std::string service;
  };
  static inline const std::vector<Durable> kDurables{
      {"ORDERS", "payments-orders", "payments"},
      {"PAYMENTS", "orders-payments", "orders"},
      {"ORDERS", "notifications-orders", "notifications"},
      {"PAYMENTS", "notifications-payments", "notifications"}};

  // Starts the cluster (formed, with a JetStream meta leader) and the test's
  // own client, connected to all three nodes.
  explicit ClusterSystem(int stream_replicas = 3) : stream_replicas_(stream_replicas) {
    cluster_.Start();
    client_ = std::make_unique<NatsClient>(cluster_.Urls());
  }

  // Starts orders, payments and notifications, each ready to take requests,
  // and waits until both streams have a leader and current replicas.
  void StartServices() {
    for (const auto& service : kServices) StartService(service);
    RequireStreamHealthy("ORDERS");
    RequireStreamHealthy("PAYMENTS");
  }

  // Fails the test, with what the cluster says about it, unless `stream` has
  // a leader and every replica is current within `timeout`.
  void RequireStreamHealthy(const std::string& stream,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const bool healthy = cluster_.WaitForStreamHealthy(stream, timeout);
    INFO(stream << ": " << cluster_.StreamInfo(stream).value_or(nlohmann::json()).dump());
    REQUIRE(healthy);
  }

  // `environment`: more variables for the service (LOGISTICS_FAULT, ...).
  void StartService(const std::string& service,
                    const std::map<std::string, std::string>& environment = {}) {
    const std::map<std::string, std::string> binaries{
        {"orders", LOGISTICS_ORDERS_BIN},
        {"payments", LOGISTICS_PAYMENTS_BIN},
        {"notifications", LOGISTICS_NOTIFICATIONS_BIN}};
    auto process = std::make_unique<ServiceProcess>(
        binaries.at(service),
        std::vector<std::string>{"--nats-url", cluster_.Urls(), "--db",
                                 (dir_.path() / (service + ".db")).string(), "--stream-replicas",
                                 std::to_string(stream_replicas_), "--log-level", "debug"},
        WithQuickRetries(environment), dir_.path());
    process->Start();
    INFO(cluster_.Logs());
    REQUIRE(process->WaitUntilReady(std::chrono::seconds(30)));
    services_[service] = std::move(process);
  }

  ServiceProcess& service(const std::string& name) { return *services_.at(name); }
  NatsCluster& cluster() { return cluster_; }
  NatsClient& client() { return *client_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  int stream_replicas() const { return stream_replicas_; }

  // `<service>.query.status`, or nullopt when it did not answer within
  // `timeout` (a failover may be under way). Asserts nothing.
  std::optional<nlohmann::json> TryStatus(
      const std::string& service, std::chrono::milliseconds timeout = std::chrono::seconds(1)) {
    const auto reply = client_->TryRequest(service + ".query.status", "{}", {}, timeout);
    if (!reply.error.empty() || reply.timed_out || reply.no_responders || reply.Status() != 200) {
      return std::nullopt;
    }
    auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
    if (parsed.is_discarded()) return std::nullopt;
    return parsed;
  }

  // The status; fails the test unless the service answers within 10 s.
  nlohmann::json Status(const std::string& service) {
    std::optional<nlohmann::json> status;
    REQUIRE(Eventually([&] { return (status = TryStatus(service)).has_value(); },
                       std::chrono::seconds(10), std::chrono::milliseconds(100)));
    return *status;
  }

  // The server's view of a durable consumer: nothing left to deliver and
  // nothing delivered but unacknowledged. False also when no node answers.
  bool ServerConsumerCaughtUp(const Durable& durable, std::string* detail = nullptr) {
    jsConsumerInfo* info = nullptr;
    jsErrCode error_code = static_cast<jsErrCode>(0);
    const natsStatus s = js_GetConsumerInfo(&info, client_->jetstream(), durable.stream.c_str(),
                                            durable.name.c_str(), nullptr, &error_code);
    if (s != NATS_OK) {
      if (detail) *detail = durable.name + ": " + natsStatus_GetText(s);
      return false;
    }
    const bool caught_up = info->NumPending == 0 && info->NumAckPending == 0;
    if (detail) {
      *detail = durable.name + ": pending " + std::to_string(info->NumPending) + ", ack pending " +
                std::to_string(info->NumAckPending);
    }
    jsConsumerInfo_Destroy(info);
    return caught_up;
  }

  // The event ids notifications wrote a mail for: each mail is the file
  // <event id>.eml (eml_file_sender.cpp), so a mail written twice for one
  // event would replace its file; LogLinesFor counts the sends.
  std::vector<std::string> MailEventIds() const {
    std::vector<std::string> ids;
    const auto mail = dir_.path() / "mail";
    if (!std::filesystem::exists(mail)) return ids;
    for (const auto& entry : std::filesystem::directory_iterator(mail)) {
      if (entry.path().extension() == ".eml") ids.push_back(entry.path().stem().string());
    }
    return ids;
  }

  // The log lines of `service` (this run) whose "message" is `message`,
  // parsed; lines that are not JSON are skipped.
  std::vector<nlohmann::json> LogLines(const std::string& service, const std::string& message) {
    std::vector<nlohmann::json> lines;
    std::istringstream log(services_.at(service)->Log());
    std::string line;
    while (std::getline(log, line)) {
      if (line.find(message) == std::string::npos) continue;
      auto parsed = nlohmann::json::parse(line, nullptr, false);
      if (!parsed.is_discarded() && parsed.value("message", "") == message) lines.push_back(parsed);
    }
    return lines;
  }

 private:
  // Quick redeliveries in tests, as in OrdersSystem.
  static std::map<std::string, std::string> WithQuickRetries(
      std::map<std::string, std::string> environment) {
    environment.emplace("RETRY_INITIAL_MS", "100");
    environment.emplace("RETRY_MAX_MS", "400");
    return environment;
  }

  int stream_replicas_;
  TempDir dir_;
  NatsCluster cluster_;
  std::unique_ptr<NatsClient> client_;
  // Destroyed first: the services stop before the cluster they use.
  std::map<std::string, std::unique_ptr<ServiceProcess>> services_;
};

}  // namespace logistics::testing

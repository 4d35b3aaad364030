// MetricsServer: GET /metrics in the Prometheus text format on one address,
// served by prometheus-cpp's exposer (civetweb) on threads of its own.
//
// Each scrape calls the sampler once and serves what it returns
// (metrics_exposition.hpp): figures are read when asked for, so the paths
// that produce them pay nothing for being watched.
//
// Usage:
//   auto metrics = MetricsServer::Start("127.0.0.1:9464", [&] { return SampleMetrics(sources); });
//   if (!metrics) return Unexpected{metrics.error()};
//   ...
//   metrics->reset();  // stops serving; no sampler call runs after this returns
//
// Ownership: owns the HTTP server and the sampler (and whatever the sampler
// captures by value); what the sampler borrows must outlive the server.
// Thread-safety: the sampler runs on the server's threads, up to two scrapes
// at a time, so it must be safe to call concurrently with the service's work
// and with itself. Start and the destructor from one thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "logistics/common/result.hpp"
#include "logistics/service/metrics_snapshot.hpp"

namespace logistics::service {

// Checks a --metrics-address: "<IPv4>:<port>" or "[<IPv6>]:<port>", port 1-65535
// ("127.0.0.1:9464", "0.0.0.0:9464", "[::1]:9464"). Returns the message for
// the operator when it is not one.
common::Result<void, std::string> CheckMetricsAddress(const std::string& address);

class MetricsServer {
 public:
  using Sampler = std::function<MetricsSnapshot()>;

  // Listens on `address` (CheckMetricsAddress) and serves /metrics. Fails,
  // saying why, when the address is invalid or cannot be bound (in use, not
  // this machine's).
  static common::Result<std::unique_ptr<MetricsServer>, std::string> Start(
      const std::string& address, Sampler sampler);
  // Stops listening and waits for the scrapes in progress.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The port it listens on.
  int port() const;

 private:
  struct State;
  explicit MetricsServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace logistics::service

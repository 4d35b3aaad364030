#include "logistics/service/metrics_server.hpp"

#include <arpa/inet.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>

#include <charconv>
#include <exception>
#include <utility>
#include <vector>

#include "logistics/logging/log.hpp"
#include "logistics/service/metrics_exposition.hpp"

namespace logistics::service {
namespace {

using common::Unexpected;

// prometheus-cpp's view of our sampler. Collect runs on the exposer's
// threads; nothing may escape it as an exception into civetweb.
class SampledCollectable final : public prometheus::Collectable {
 public:
  explicit SampledCollectable(MetricsServer::Sampler sampler) : sampler_(std::move(sampler)) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    try {
      return MetricFamiliesOf(sampler_());
    } catch (const std::exception& error) {
      logging::Warn("cannot collect the metrics", {{"error", error.what()}});
      return {};
    } catch (...) {
      logging::Warn("cannot collect the metrics", {{"error", "unknown exception"}});
      return {};
    }
  }

 private:
  MetricsServer::Sampler sampler_;
};

}  // namespace

common::Result<void, std::string> CheckMetricsAddress(const std::string& address) {
  const std::string usage = "--metrics-address '" + address +
                            "' must be <IPv4>:<port> or [<IPv6>]:<port>, such as 127.0.0.1:9464";
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return Unexpected{usage};
  std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  int number = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || number < 1 ||
      number > 65535) {
    return Unexpected{usage};
  }
  unsigned char parsed[sizeof(in6_addr)];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (inet_pton(AF_INET6, host.c_str(), parsed) == 1) return {};
  } else if (inet_pton(AF_INET, host.c_str(), parsed) == 1) {
    return {};
  }
  return Unexpected{usage};
}

struct MetricsServer::State {
  // Declared first, destroyed last: the exposer's threads use it until the
  // exposer has stopped.
  std::shared_ptr<SampledCollectable> collectable;
  std::unique_ptr<prometheus::Exposer> exposer;
};

MetricsServer::MetricsServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

MetricsServer::~MetricsServer() {
  // Stops civetweb (joining its threads) before the collectable goes.
  if (state_) state_->exposer.reset();
}

common::Result<std::unique_ptr<MetricsServer>, std::string> MetricsServer::Start(
    const std::string& address, Sampler sampler) {
  if (auto checked = CheckMetricsAddress(address); !checked) return Unexpected{checked.error()};
  auto state = std::make_unique<State>();
  state->collectable = std::make_shared<SampledCollectable>(std::move(sampler));
  try {
    // Two threads: a scrape never waits behind another one that is slow.
    state->exposer = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& error) {
    // civetweb says little more than "Possible problem binding to port".
    return Unexpected{
        "cannot serve metrics on " + address +
        " (the port is in use, or the address is not one of this machine's): " + error.what()};
  }
  state->exposer->RegisterCollectable(state->collectable, "/metrics");
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(state)));
}

int MetricsServer::port() const {
  const auto ports = state_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace logistics::service

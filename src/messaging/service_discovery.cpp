#include "logistics/json/json_text.hpp"
#include "logistics/messaging/service_discovery.hpp"

#include "logistics/logging/log.hpp"

namespace logistics::messaging {
namespace {

std::vector<std::string> Tokens(std::string_view subject) {
  std::vector<std::string> tokens;
  std::size_t start = 0;
  while (start <= subject.size()) {
    const std::size_t dot = std::min(subject.find('.', start), subject.size());
    tokens.emplace_back(subject.substr(start, dot - start));
    start = dot + 1;
  }
  return tokens;
}

}  // namespace

ServiceDiscovery::ServiceDiscovery(nats::Connection& connection, ServiceIdentity identity,
                                   const Responder& responder,
                                   std::function<nlohmann::json()> figures)
    : connection_(connection),
      identity_(std::move(identity)),
      responder_(responder),
      figures_(std::move(figures)) {}

ServiceDiscovery::~ServiceDiscovery() { Stop(); }

common::Result<void, nats::NatsError> ServiceDiscovery::Start() {
  // Three plain subscriptions cover the nine subjects: every instance answers.
  for (const std::string& subject : {std::string("$SRV.*"), "$SRV.*." + identity_.name,
                                     "$SRV.*." + identity_.name + "." + identity_.id}) {
    auto subscription = nats::Subscription::Subscribe(
        connection_, subject, "", [this](nats::Message request) { OnRequest(request); });
    if (!subscription) return common::Unexpected{std::move(subscription).error()};
    subscriptions_.push_back(std::move(*subscription));
  }
  return {};
}

void ServiceDiscovery::Stop() {
  // Each Close waits until OnRequest, whose closure is this object, has
  // returned for the last time.
  for (auto& subscription : subscriptions_) {
    subscription->Close(nats::Subscription::kDefaultCloseTimeout);
  }
  subscriptions_.clear();
}

nlohmann::ordered_json ServiceDiscovery::Identity(const char* type) const {
  nlohmann::ordered_json reply;
  reply["type"] = type;
  reply["name"] = identity_.name;
  reply["id"] = identity_.id;
  reply["version"] = identity_.version;
  reply["metadata"] = nlohmann::ordered_json::object();
  for (const auto& [key, value] : identity_.metadata) reply["metadata"][key] = value;
  return reply;
}

nlohmann::ordered_json ServiceDiscovery::Ping() const {
  return Identity("io.nats.micro.v1.ping_response");
}

nlohmann::ordered_json ServiceDiscovery::Info() const {
  nlohmann::ordered_json reply = Identity("io.nats.micro.v1.info_response");
  reply["description"] = identity_.description;
  reply["endpoints"] = nlohmann::ordered_json::array();
  for (const auto& endpoint : responder_.Endpoints()) {
    // ADR-32 allows null metadata; an endpoint without schemas says so that way.
    nlohmann::ordered_json metadata = nullptr;
    for (const auto& [key, value] : endpoint.metadata) metadata[key] = value;
    reply["endpoints"].push_back({{"name", endpoint.name},
                                  {"subject", endpoint.subject},
                                  {"queue_group", endpoint.queue_group},
                                  {"metadata", metadata}});
  }
  return reply;
}

nlohmann::ordered_json ServiceDiscovery::Stats() const {
  nlohmann::ordered_json reply = Identity("io.nats.micro.v1.stats_response");
  reply["started"] = common::FormatRfc3339(identity_.started);
  reply["endpoints"] = nlohmann::ordered_json::array();
  const nlohmann::json data = figures_ ? figures_() : nlohmann::json::object();
  for (const auto& endpoint : responder_.Endpoints()) {
    reply["endpoints"].push_back(
        {{"name", endpoint.name},
         {"subject", endpoint.subject},
         {"queue_group", endpoint.queue_group},
         {"num_requests", endpoint.figures.num_requests},
         {"num_errors", endpoint.figures.num_errors},
         {"last_error", endpoint.figures.last_error},
         {"processing_time", endpoint.figures.processing_time_ns},
         {"average_processing_time", endpoint.figures.average_processing_time_ns},
         {"data", data}});
  }
  return reply;
}

void ServiceDiscovery::OnRequest(const nats::Message& request) const {
  try {
    const std::string reply_to(request.reply());
    if (reply_to.empty() || !responder_.reply_guard().Allows(request.subject(), reply_to)) return;
    const auto tokens = Tokens(request.subject());
    // $SRV.<VERB>[.<name>[.<id>]]: anything else (another service's name or
    // instance) is not for us.
    if (tokens.size() < 2 || tokens.size() > 4) return;
    if (tokens.size() >= 3 && tokens[2] != identity_.name) return;
    if (tokens.size() == 4 && tokens[3] != identity_.id) return;
    nlohmann::ordered_json reply;
    if (tokens[1] == "PING") {
      reply = Ping();
    } else if (tokens[1] == "INFO") {
      reply = Info();
    } else if (tokens[1] == "STATS") {
      reply = Stats();
    } else {
      return;
    }
    (void)connection_.Publish(reply_to, json::Serialize(reply));
  } catch (const std::exception& error) {
    logging::Error("service discovery request failed", {{"error", error.what()}});
  } catch (...) {
  }
}

}  // namespace logistics::messaging

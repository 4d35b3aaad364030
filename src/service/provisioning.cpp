#include "logistics/service/provisioning.hpp"

#include "logistics/messaging/stream_check.hpp"
#include "logistics/service/event_streams.hpp"

namespace logistics::service {
namespace {

using messaging::ProvisioningProblem;

// What a check found, as the verb of the report line, or the check's own
// failure when JetStream could not answer.
common::Result<std::string, std::string> NeededChange(
    const common::Result<void, ProvisioningProblem>& checked) {
  if (checked) return std::string("as configured");
  switch (checked.error().kind) {
    case ProvisioningProblem::Kind::kMissing:
      return std::string("created");
    case ProvisioningProblem::Kind::kDifferent:
      return std::string("updated");
    case ProvisioningProblem::Kind::kUnavailable:
      break;
  }
  return common::Unexpected{checked.error().message};
}

std::string Failed(const std::vector<std::string>& done, const std::string& error) {
  std::string message = error;
  if (!done.empty()) {
    message += " (done before it:";
    for (const std::string& line : done) message += " " + line + ";";
    message.back() = ')';
  }
  return message;
}

}  // namespace

common::Result<std::vector<std::string>, std::string> ProvisionStreams(nats::JetStream& js,
                                                                       const ProvisionSettings& settings) {
  std::vector<std::string> done;
  for (messaging::StreamSpec stream : AllStreams(settings.retention)) {
    stream.replicas = settings.replicas;
    auto change = NeededChange(messaging::CheckStream(js, stream));
    if (!change) return common::Unexpected{Failed(done, change.error())};
    if (*change != "as configured") {
      if (auto ensured = messaging::EnsureStream(js, stream); !ensured) {
        return common::Unexpected{Failed(done, "stream " + stream.name + ": " +
                                                   ensured.error().message)};
      }
    }
    done.push_back("stream " + stream.name + ": " + *change);
  }
  return done;
}

common::Result<std::vector<std::string>, std::string> Provision(nats::JetStream& js,
                                                                const ProvisionSettings& settings) {
  auto streams = ProvisionStreams(js, settings);
  if (!streams) return common::Unexpected{streams.error()};
  std::vector<std::string> done = std::move(*streams);
  for (const messaging::ConsumerSpec& consumer : AllDurableConsumers()) {
    const std::string what = "consumer " + consumer.durable + " on " + consumer.stream;
    auto change = NeededChange(messaging::CheckDurableConsumer(js, consumer));
    if (!change) return common::Unexpected{Failed(done, change.error())};
    if (*change != "as configured") {
      if (auto ensured = js.EnsureDurableConsumer(messaging::DurableConfigOf(consumer));
          !ensured) {
        return common::Unexpected{Failed(done, what + ": " + ensured.error().message)};
      }
    }
    done.push_back(what + ": " + *change);
  }
  return done;
}

}  // namespace logistics::service

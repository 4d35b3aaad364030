#include "logistics/messaging/stream_check.hpp"

#include <chrono>
#include <set>
#include <vector>

namespace logistics::messaging {
namespace {

constexpr const char* kProvision = "an administrator provisions it with `logistics-events provision`";

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return "[" + out + "]";
}

// "30 s", or "0.5 s" for what is not whole seconds.
std::string Seconds(std::chrono::nanoseconds duration) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
  if (millis % 1000 == 0) return std::to_string(millis / 1000) + " s";
  std::string fraction = std::to_string(1000 + millis % 1000).substr(1);
  while (fraction.back() == '0') fraction.pop_back();
  return std::to_string(millis / 1000) + "." + fraction + " s";
}

common::Unexpected<ProvisioningProblem> Problem(ProvisioningProblem::Kind kind,
                                                std::string message) {
  return common::Unexpected<ProvisioningProblem>{ProvisioningProblem{kind, std::move(message)}};
}

common::Unexpected<ProvisioningProblem> LookupFailed(const std::string& what,
                                                     const nats::NatsError& error) {
  if (error.kind == nats::NatsErrorKind::kNotFound) {
    return Problem(ProvisioningProblem::Kind::kMissing, what + " does not exist: " + kProvision);
  }
  return Problem(ProvisioningProblem::Kind::kUnavailable,
                 "cannot look up " + what + ": " + error.message);
}

// Every difference in one line, and what to do about them.
common::Result<void, ProvisioningProblem> Differences(const std::string& what,
                                                      const std::vector<std::string>& differences) {
  if (differences.empty()) return {};
  std::string message = what + " is configured differently: ";
  for (std::size_t i = 0; i < differences.size(); ++i) {
    message += (i == 0 ? "" : "; ") + differences[i];
  }
  return Problem(ProvisioningProblem::Kind::kDifferent,
                 message + " (an administrator corrects it with `logistics-events provision` "
                           "and the services' settings)");
}

}  // namespace

nats::DurableConsumerConfig DurableConfigOf(const ConsumerSpec& spec) {
  return nats::DurableConsumerConfig{spec.stream, spec.durable, spec.filter_subject,
                                     "logistics event consumer", spec.ack_wait};
}

common::Result<void, ProvisioningProblem> CheckStream(nats::JetStream& js, const StreamSpec& spec) {
  const std::string what = "stream " + spec.name;
  auto info = js.GetStreamInfo(spec.name);
  if (!info) return LookupFailed(what, info.error());
  const nats::StreamConfig& have = info->config;
  std::vector<std::string> differences;
  if (std::set<std::string>(have.subjects.begin(), have.subjects.end()) !=
      std::set<std::string>(spec.subjects.begin(), spec.subjects.end())) {
    differences.push_back("subjects " + Joined(have.subjects) + " instead of " +
                          Joined(spec.subjects));
  }
  if (have.duplicate_window != spec.duplicate_window) {
    differences.push_back("duplicate window " + Seconds(have.duplicate_window) + " instead of " +
                          Seconds(spec.duplicate_window));
  }
  if (have.storage != nats::StorageKind::kFile) differences.push_back("memory storage, not file");
  if (have.max_age != std::chrono::nanoseconds(spec.max_age)) {
    differences.push_back("max age " + Seconds(have.max_age) + " instead of " +
                          Seconds(spec.max_age) + " (0: none)");
  }
  const std::int64_t wanted_bytes = spec.max_bytes > 0 ? spec.max_bytes : -1;
  if (have.max_bytes != wanted_bytes) {
    differences.push_back("max bytes " + std::to_string(have.max_bytes) + " instead of " +
                          std::to_string(wanted_bytes) + " (-1: none)");
  }
  if (have.replicas != spec.replicas) {
    differences.push_back("replicas " + std::to_string(have.replicas) + " instead of " +
                          std::to_string(spec.replicas));
  } else if (spec.replicas > 1 && !info->clustered) {
    differences.push_back("replicas " + std::to_string(spec.replicas) +
                          " configured, but the server is not clustered and holds one copy");
  }
  return Differences(what, differences);
}

common::Result<void, ProvisioningProblem> CheckDurableConsumer(nats::JetStream& js,
                                                               const ConsumerSpec& spec) {
  const std::string what = "consumer " + spec.durable + " on stream " + spec.stream;
  auto info = js.GetConsumerInfo(spec.stream, spec.durable);
  if (!info) return LookupFailed(what, info.error());
  std::vector<std::string> differences;
  if (info->filter_subject != spec.filter_subject) {
    differences.push_back("filter '" + info->filter_subject + "' instead of '" +
                          spec.filter_subject + "'");
  }
  if (!info->acks_explicitly) differences.push_back("acks not explicit");
  if (!info->delivers_everything) differences.push_back("does not deliver the whole stream");
  if (info->ack_wait != std::chrono::nanoseconds(spec.ack_wait)) {
    differences.push_back("ack wait " + Seconds(info->ack_wait) + " instead of " +
                          Seconds(spec.ack_wait));
  }
  if (info->max_deliver > 0) {
    differences.push_back("max deliveries " + std::to_string(info->max_deliver) +
                          " instead of unlimited");
  }
  return Differences(what, differences);
}

}  // namespace logistics::messaging

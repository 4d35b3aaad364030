#include "logistics/messaging/stream_setup.hpp"

#include <set>

#include "logistics/logging/log.hpp"

namespace logistics::messaging {
namespace {

bool SameSubjects(const std::vector<std::string>& have, const std::vector<std::string>& wanted) {
  return std::set<std::string>(have.begin(), have.end()) ==
         std::set<std::string>(wanted.begin(), wanted.end());
}

// The server's own words in a NatsError's message: nats.c's detail follows
// its source location, "...: (jsm.c:1033): replicas > 1 not supported ...".
std::string ServerWords(const std::string& message) {
  const std::size_t location_end = message.rfind("): ");
  return location_end == std::string::npos ? message : message.substr(location_end + 3);
}

// `error` reworded, when it is a refusal of the replicas, to say what to do.
nats::NatsError ExplainReplicaRefusal(nats::NatsError error, const StreamSpec& spec) {
  if (!CannotHaveReplicas(error)) return error;
  error.message = "the NATS servers cannot give stream " + spec.name + " " +
                  std::to_string(spec.replicas) + " replicas (" + ServerWords(error.message) +
                  ", JetStream error " + std::to_string(error.jet_stream) +
                  "): run a cluster of at least " + std::to_string(spec.replicas) +
                  " servers, or set --stream-replicas 1";
  return error;
}

// A server that is not clustered refuses to create a stream with replicas
// (JetStream error 10074) but nats-server 2.9.10 accepts an update to them and
// keeps one copy: the same refusal, made here.
nats::NatsError NotClustered(const StreamSpec& spec) {
  constexpr int kReplicasNotSupported = 10074;  // JSStreamReplicasNotSupportedErr
  return ExplainReplicaRefusal(
      nats::NatsError{nats::NatsErrorKind::kRejected, 0, kReplicasNotSupported,
                      "the server is not clustered and holds one copy"},
      spec);
}

}  // namespace

bool CannotHaveReplicas(const nats::NatsError& error) {
  constexpr int kReplicasNotSupported = 10074;  // JSStreamReplicasNotSupportedErr
  constexpr int kNoSuitablePeers = 10005;       // JSClusterNoPeersErr
  return error.jet_stream == kReplicasNotSupported || error.jet_stream == kNoSuitablePeers;
}

common::Result<void, nats::NatsError> EnsureStream(nats::JetStream& js, const StreamSpec& spec) {
  nats::StreamConfig config;
  config.name = spec.name;
  config.subjects = spec.subjects;
  config.description = spec.description;
  config.storage = nats::StorageKind::kFile;
  config.duplicate_window = spec.duplicate_window;
  config.max_age = spec.max_age;
  config.max_bytes = spec.max_bytes > 0 ? spec.max_bytes : -1;
  config.replicas = spec.replicas;

  auto info = js.GetStreamInfo(spec.name);
  if (!info && info.error().kind == nats::NatsErrorKind::kNotFound) {
    if (auto created = js.AddStream(config); !created) {
      return common::Unexpected{ExplainReplicaRefusal(created.error(), spec)};
    }
    logging::Info("created stream", {{"stream", spec.name}, {"replicas", spec.replicas}});
    return {};
  }
  if (!info) return common::Unexpected{info.error()};
  if (spec.replicas > 1 && !info->clustered) return common::Unexpected{NotClustered(spec)};
  const nats::StreamConfig& have = info->config;
  if (SameSubjects(have.subjects, spec.subjects) && have.duplicate_window == config.duplicate_window &&
      have.storage == nats::StorageKind::kFile && have.max_age == config.max_age &&
      have.max_bytes == config.max_bytes && have.replicas == config.replicas) {
    return {};
  }
  // Only what the service manages changes: storage cannot change on a live
  // stream, and limits an operator set (a message size) stay as they are.
  config.storage = have.storage;
  config.max_message_size = have.max_message_size;
  if (auto updated = js.UpdateStream(config); !updated) {
    return common::Unexpected{ExplainReplicaRefusal(updated.error(), spec)};
  }
  if (have.replicas != config.replicas) {
    // More copies, or less redundancy: worth a line of its own.
    logging::Info("changed stream replicas",
                  {{"stream", spec.name}, {"from", have.replicas}, {"to", config.replicas}});
  }
  logging::Info("updated stream configuration", {{"stream", spec.name}});
  return {};
}

common::Result<StreamView, nats::NatsError> ReadStreamView(nats::JetStream& js,
                                                           const std::string& stream,
                                                           std::uint64_t sequence) {
  StreamView view;
  auto info = js.GetStreamInfo(stream);
  if (!info && info.error().kind == nats::NatsErrorKind::kNotFound) return view;
  if (!info) return common::Unexpected{info.error()};
  view.exists = true;
  view.last_sequence = info->last_sequence;
  if (sequence == 0 || sequence < info->first_sequence || sequence > info->last_sequence) {
    return view;  // nothing can be stored there
  }
  auto message = js.GetMessage(stream, sequence);
  if (!message && message.error().kind == nats::NatsErrorKind::kNotFound) return view;
  if (!message) return common::Unexpected{message.error()};
  view.message_id_at_position = message->Header("Nats-Msg-Id").value_or(std::string());
  return view;
}

}  // namespace logistics::messaging

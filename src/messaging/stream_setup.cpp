#include "logistics/messaging/stream_setup.hpp"

#include <set>

#include "logistics/logging/log.hpp"

namespace logistics::messaging {
namespace {

bool SameSubjects(const std::vector<std::string>& have, const std::vector<std::string>& wanted) {
  return std::set<std::string>(have.begin(), have.end()) ==
         std::set<std::string>(wanted.begin(), wanted.end());
}

}  // namespace

common::Result<void, nats::NatsError> EnsureStream(nats::JetStream& js, const StreamSpec& spec) {
  nats::StreamConfig config;
  config.name = spec.name;
  config.subjects = spec.subjects;
  config.description = spec.description;
  config.storage = nats::StorageKind::kFile;
  config.duplicate_window = spec.duplicate_window;
  config.max_age = spec.max_age;
  config.max_bytes = spec.max_bytes > 0 ? spec.max_bytes : -1;

  auto info = js.GetStreamInfo(spec.name);
  if (!info && info.error().kind == nats::NatsErrorKind::kNotFound) {
    if (auto created = js.AddStream(config); !created) return common::Unexpected{created.error()};
    logging::Info("created stream", {{"stream", spec.name}});
    return {};
  }
  if (!info) return common::Unexpected{info.error()};
  const nats::StreamConfig& have = info->config;
  if (SameSubjects(have.subjects, spec.subjects) && have.duplicate_window == config.duplicate_window &&
      have.storage == nats::StorageKind::kFile && have.max_age == config.max_age &&
      have.max_bytes == config.max_bytes) {
    return {};
  }
  // Only what the service manages changes: storage cannot change on a live
  // stream, and limits an operator set (a message size) stay as they are.
  config.storage = have.storage;
  config.max_message_size = have.max_message_size;
  if (auto updated = js.UpdateStream(config); !updated) return common::Unexpected{updated.error()};
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

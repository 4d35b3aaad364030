#include "logistics/messaging/stream_setup.hpp"

#include <set>

#include "logistics/logging/log.hpp"
#include "logistics/nats/handles.hpp"

namespace logistics::messaging {
namespace {

bool SameSubjects(const jsStreamConfig& config, const std::vector<std::string>& wanted) {
  std::set<std::string> have;
  for (int i = 0; i < config.SubjectsLen; ++i) have.emplace(config.Subjects[i]);
  return have == std::set<std::string>(wanted.begin(), wanted.end());
}

}  // namespace

common::Result<void, nats::NatsError> EnsureStream(jsCtx* js, const StreamSpec& spec) {
  std::vector<const char*> subjects;
  for (const auto& subject : spec.subjects) subjects.push_back(subject.c_str());
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = spec.name.c_str();
  config.Description = spec.description.empty() ? nullptr : spec.description.c_str();
  config.Subjects = subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  config.Storage = js_FileStorage;
  config.Duplicates =
      std::chrono::duration_cast<std::chrono::nanoseconds>(spec.duplicate_window).count();

  jsStreamInfo* raw_info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&raw_info, js, spec.name.c_str(), nullptr, &js_error);
  nats::StreamInfoHandle info(raw_info);
  if (s == NATS_NOT_FOUND || js_error == JSStreamNotFoundErr) {
    jsStreamInfo* created = nullptr;
    s = js_AddStream(&created, js, &config, nullptr, &js_error);
    nats::StreamInfoHandle created_info(created);
    if (s != NATS_OK) {
      return common::Unexpected{nats::MakeNatsError(s, "create stream " + spec.name, js_error)};
    }
    logging::Info("created stream", {{"stream", spec.name}});
    return {};
  }
  if (s != NATS_OK) {
    return common::Unexpected{nats::MakeNatsError(s, "look up stream " + spec.name, js_error)};
  }
  if (SameSubjects(*info->Config, spec.subjects) && info->Config->Duplicates == config.Duplicates &&
      info->Config->Storage == js_FileStorage) {
    return {};
  }
  // Storage cannot change on a live stream; keep what exists and say so.
  config.Storage = info->Config->Storage;
  jsStreamInfo* updated = nullptr;
  s = js_UpdateStream(&updated, js, &config, nullptr, &js_error);
  nats::StreamInfoHandle updated_info(updated);
  if (s != NATS_OK) {
    return common::Unexpected{nats::MakeNatsError(s, "update stream " + spec.name, js_error)};
  }
  logging::Info("updated stream configuration", {{"stream", spec.name}});
  return {};
}

common::Result<std::uint64_t, nats::NatsError> StreamLastSequence(jsCtx* js,
                                                                   const std::string& stream) {
  jsStreamInfo* raw_info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&raw_info, js, stream.c_str(), nullptr, &js_error);
  nats::StreamInfoHandle info(raw_info);
  if (s != NATS_OK) {
    return common::Unexpected{nats::MakeNatsError(s, "look up stream " + stream, js_error)};
  }
  return info->State.LastSeq;
}

common::Result<StreamView, nats::NatsError> ReadStreamView(jsCtx* js, const std::string& stream,
                                                           std::uint64_t sequence) {
  StreamView view;
  jsStreamInfo* raw_info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&raw_info, js, stream.c_str(), nullptr, &js_error);
  nats::StreamInfoHandle info(raw_info);
  if (s == NATS_NOT_FOUND || js_error == JSStreamNotFoundErr) return view;
  if (s != NATS_OK) {
    return common::Unexpected{nats::MakeNatsError(s, "look up stream " + stream, js_error)};
  }
  view.exists = true;
  view.last_sequence = info->State.LastSeq;
  if (sequence == 0 || sequence < info->State.FirstSeq || sequence > info->State.LastSeq) {
    return view;  // nothing can be stored there
  }
  natsMsg* raw_message = nullptr;
  js_error = static_cast<jsErrCode>(0);
  s = js_GetMsg(&raw_message, js, stream.c_str(), sequence, nullptr, &js_error);
  nats::MessageHandle message(raw_message);
  if (s == NATS_NOT_FOUND || js_error == JSNoMessageFoundErr) return view;
  if (s != NATS_OK) {
    return common::Unexpected{nats::MakeNatsError(
        s, "read message " + std::to_string(sequence) + " of stream " + stream, js_error)};
  }
  const char* id = nullptr;
  view.message_id_at_position =
      natsMsgHeader_Get(message.get(), "Nats-Msg-Id", &id) == NATS_OK && id != nullptr
          ? std::string(id)
          : std::string();
  return view;
}

}  // namespace logistics::messaging

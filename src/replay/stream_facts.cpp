#include "logistics/replay/stream_facts.hpp"

#include "logistics/nats/handles.hpp"
#include "logistics/nats/nats_error.hpp"
#include "logistics/nats/subject_filter.hpp"

namespace logistics::replay {

bool StreamFacts::Captures(const std::string& subject) const {
  for (const std::string& filter : subjects) {
    if (nats::SubjectMatches(filter, subject)) return true;
  }
  return false;
}

std::string StreamFacts::SubjectList() const {
  std::string list;
  for (const std::string& filter : subjects) list += (list.empty() ? "" : ", ") + filter;
  return list;
}

common::Result<StreamFacts, ReplayError> LookUpStream(jsCtx* js, const std::string& stream) {
  jsStreamInfo* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&raw, js, stream.c_str(), nullptr, &js_error);
  nats::StreamInfoHandle info(raw);
  if (s == NATS_NOT_FOUND || js_error == JSStreamNotFoundErr) {
    return common::Unexpected{ReplayError{ReplayErrorKind::kStreamNotFound, "stream " + stream + " does not exist"}};
  }
  if (s != NATS_OK) {
    return common::Unexpected{
        ReplayError{ReplayErrorKind::kNats, nats::MakeNatsError(s, "read stream " + stream, js_error).message}};
  }
  StreamFacts facts;
  facts.name = stream;
  if (info->Config != nullptr) {
    for (int i = 0; i < info->Config->SubjectsLen; ++i) facts.subjects.emplace_back(info->Config->Subjects[i]);
  }
  facts.messages = info->State.Msgs;
  facts.first_sequence = info->State.FirstSeq;
  facts.last_sequence = info->State.LastSeq;
  return facts;
}

}  // namespace logistics::replay

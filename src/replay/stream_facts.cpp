#include "logistics/replay/stream_facts.hpp"

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

common::Result<StreamFacts, ReplayError> LookUpStream(nats::JetStream& js, const std::string& stream) {
  auto info = js.GetStreamInfo(stream);
  if (!info && info.error().kind == nats::NatsErrorKind::kNotFound) {
    return common::Unexpected{ReplayError{ReplayErrorKind::kStreamNotFound, "stream " + stream + " does not exist"}};
  }
  if (!info) return common::Unexpected{ReplayError{ReplayErrorKind::kNats, info.error().message}};
  StreamFacts facts;
  facts.name = stream;
  facts.subjects = info->config.subjects;
  facts.messages = info->messages;
  facts.first_sequence = info->first_sequence;
  facts.last_sequence = info->last_sequence;
  return facts;
}

}  // namespace logistics::replay

#include "logistics/replay/event_importer.hpp"

#include <map>

#include "logistics/nats/jet_stream.hpp"
#include "logistics/replay/stored_events.hpp"
#include "logistics/replay/stream_facts.hpp"

namespace logistics::replay {
namespace {

using common::Unexpected;

std::string LinePrefix(const NumberedRecord& record) {
  return "line " + std::to_string(record.line) + ": ";
}

}  // namespace

common::Result<ImportSummary, ReplayError> EventImporter::Import(
    const std::vector<NumberedRecord>& records, const std::string& stream_override,
    const Progress& progress) {
  auto created = nats::JetStream::Create(connection_);
  if (!created) return Unexpected{ReplayError{ReplayErrorKind::kNats, created.error().message}};
  nats::JetStream& js = **created;

  // Everything that can be known before publishing is checked first.
  std::map<std::string, StreamFacts> streams;
  for (const NumberedRecord& numbered : records) {
    const std::string& target = stream_override.empty() ? numbered.record.stream : stream_override;
    if (target.empty()) {
      return Unexpected{
          ReplayError{ReplayErrorKind::kSubjectNotCaptured,
                      LinePrefix(numbered) + "the record names no stream; give --stream"}};
    }
    auto known = streams.find(target);
    if (known == streams.end()) {
      auto facts = LookUpStream(js, target);
      if (!facts) return Unexpected{facts.error()};
      known = streams.emplace(target, std::move(*facts)).first;
    }
    if (!known->second.Captures(numbered.record.subject)) {
      return Unexpected{ReplayError{ReplayErrorKind::kSubjectNotCaptured,
                                    LinePrefix(numbered) + "subject " + numbered.record.subject +
                                        " is not captured by stream " + target + " (subjects " +
                                        known->second.SubjectList() + ")"}};
    }
  }

  ImportSummary summary;
  StoredEvents stored(connection_);
  auto done = [&summary] {
    return summary.published + summary.already_stored + summary.duplicates;
  };
  auto counts = [&summary] {
    return std::to_string(summary.published) + " published, " +
           std::to_string(summary.already_stored) + " already stored, " +
           std::to_string(summary.duplicates) + " duplicates before it";
  };
  for (const NumberedRecord& numbered : records) {
    const EventRecord& record = numbered.record;
    const std::string& target = stream_override.empty() ? record.stream : stream_override;
    const std::string id = record.event.at("id").get<std::string>();
    auto held = stored.Holds(target, record.subject, id);
    if (!held) {
      return Unexpected{ReplayError{
          held.error().kind, LinePrefix(numbered) + held.error().message + " (" + counts() + ")"}};
    }
    if (*held) {
      ++summary.already_stored;
      if (progress) progress(done());
      continue;
    }
    const std::string body = record.event.dump();
    auto msg = nats::Message::Create(record.subject, body);
    common::Result<void, nats::NatsError> built =
        msg ? common::Result<void, nats::NatsError>() : common::Unexpected{msg.error()};
    for (const auto& [name, value] : record.headers) {
      // Nats-* headers steer the server (expectations, rollups); only the
      // de-duplication id is set, below, and from the event itself.
      if (built && name.rfind("Nats-", 0) != 0) built = msg->SetHeader(name, value);
    }
    if (built) built = msg->SetHeader("Nats-Msg-Id", id);
    if (built) built = msg->SetHeader("Content-Type", "application/cloudevents+json");
    if (!built) {
      return Unexpected{
          ReplayError{ReplayErrorKind::kNats,
                      LinePrefix(numbered) + "build message: " + built.error().message}};
    }
    auto ack = js.Publish(*msg, nats::PublishExpectations{target});
    if (!ack) {
      return Unexpected{
          ReplayError{ReplayErrorKind::kNats,
                      LinePrefix(numbered) + ack.error().message + " (" + counts() + ")"}};
    }
    if (ack->duplicate) {
      ++summary.duplicates;
    } else {
      ++summary.published;
    }
    stored.Remember(target, record.subject, id);
    if (progress) progress(done());
  }
  return summary;
}

}  // namespace logistics::replay

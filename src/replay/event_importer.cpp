#include "logistics/replay/event_importer.hpp"

#include <map>

#include "logistics/nats/handles.hpp"
#include "logistics/nats/nats_error.hpp"
#include "logistics/replay/stream_facts.hpp"

namespace logistics::replay {
namespace {

using common::Unexpected;

using PubAckHandle = std::unique_ptr<jsPubAck, nats::Deleter<jsPubAck, jsPubAck_Destroy>>;

std::string LinePrefix(const NumberedRecord& record) { return "line " + std::to_string(record.line) + ": "; }

}  // namespace

common::Result<ImportSummary, ReplayError> EventImporter::Import(const std::vector<NumberedRecord>& records,
                                                                 const std::string& stream_override,
                                                                 const Progress& progress) {
  jsCtx* raw_js = nullptr;
  if (natsStatus s = natsConnection_JetStream(&raw_js, connection_, nullptr); s != NATS_OK) {
    return Unexpected{ReplayError{ReplayErrorKind::kNats, nats::MakeNatsError(s, "JetStream context").message}};
  }
  nats::JetStreamHandle js(raw_js);

  // Everything that can be known before publishing is checked first.
  std::map<std::string, StreamFacts> streams;
  for (const NumberedRecord& numbered : records) {
    const std::string& target = stream_override.empty() ? numbered.record.stream : stream_override;
    if (target.empty()) {
      return Unexpected{ReplayError{ReplayErrorKind::kSubjectNotCaptured,
                                    LinePrefix(numbered) + "the record names no stream; give --stream"}};
    }
    auto known = streams.find(target);
    if (known == streams.end()) {
      auto facts = LookUpStream(js.get(), target);
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
  for (const NumberedRecord& numbered : records) {
    const EventRecord& record = numbered.record;
    const std::string& target = stream_override.empty() ? record.stream : stream_override;
    const std::string body = record.event.dump();
    const std::string id = record.event.at("id").get<std::string>();
    natsMsg* raw_msg = nullptr;
    natsStatus s = natsMsg_Create(&raw_msg, record.subject.c_str(), nullptr, body.data(), static_cast<int>(body.size()));
    nats::MessageHandle msg(raw_msg);
    for (const auto& [name, value] : record.headers) {
      // Nats-* headers steer the server (expectations, rollups); only the
      // de-duplication id is set, below, and from the event itself.
      if (s == NATS_OK && name.rfind("Nats-", 0) != 0) s = natsMsgHeader_Set(msg.get(), name.c_str(), value.c_str());
    }
    if (s == NATS_OK) s = natsMsgHeader_Set(msg.get(), "Nats-Msg-Id", id.c_str());
    if (s == NATS_OK) s = natsMsgHeader_Set(msg.get(), "Content-Type", "application/cloudevents+json");
    if (s != NATS_OK) {
      return Unexpected{ReplayError{ReplayErrorKind::kNats,
                                    nats::MakeNatsError(s, LinePrefix(numbered) + "build message").message}};
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.ExpectStream = target.c_str();
    jsPubAck* raw_ack = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    s = js_PublishMsg(&raw_ack, js.get(), msg.get(), &options, &js_error);
    PubAckHandle ack(raw_ack);
    if (s != NATS_OK) {
      return Unexpected{ReplayError{
          ReplayErrorKind::kNats,
          LinePrefix(numbered) + nats::MakePublishError(s, record.subject, js_error).message + " (" +
              std::to_string(summary.published) + " published, " + std::to_string(summary.duplicates) +
              " duplicates before it)"}};
    }
    if (ack->Duplicate) {
      ++summary.duplicates;
    } else {
      ++summary.published;
    }
    if (progress) progress(summary.published + summary.duplicates);
  }
  return summary;
}

}  // namespace logistics::replay

#include "logistics/replay/event_exporter.hpp"

#include <algorithm>

#include "logistics/nats/handles.hpp"
#include "logistics/nats/nats_error.hpp"
#include "logistics/replay/stream_facts.hpp"

namespace logistics::replay {
namespace {

using common::Unexpected;

constexpr int kBatch = 256;

Unexpected<ReplayError> NatsFailure(natsStatus s, const std::string& context, jsErrCode js_error = {}) {
  return Unexpected{ReplayError{ReplayErrorKind::kNats, nats::MakeNatsError(s, context, js_error).message}};
}

std::map<std::string, std::string> HeadersOf(natsMsg* msg) {
  std::map<std::string, std::string> headers;
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(msg, &keys, &count) != NATS_OK) return headers;
  for (int i = 0; i < count; ++i) {
    const char* value = nullptr;
    if (natsMsgHeader_Get(msg, keys[i], &value) == NATS_OK && value != nullptr) headers[keys[i]] = value;
  }
  free(static_cast<void*>(keys));  // nats.c hands the array over; the strings stay the message's
  return headers;
}

EventRecord RecordOf(const std::string& stream, std::uint64_t sequence, natsMsg* msg) {
  EventRecord record;
  record.stream = stream;
  record.sequence = sequence;
  record.subject = natsMsg_GetSubject(msg);
  record.headers = HeadersOf(msg);
  const std::string data(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  try {
    record.event = nlohmann::ordered_json::parse(data);
  } catch (const nlohmann::ordered_json::parse_error&) {
    // Keep what is there rather than stop the export; import will name it.
    record.event = nlohmann::ordered_json(data);
  }
  return record;
}

}  // namespace

common::Result<ExportSummary, ReplayError> EventExporter::Export(const ExportRequest& request, const Sink& sink,
                                                                 const Progress& progress) {
  jsCtx* raw_js = nullptr;
  if (natsStatus s = natsConnection_JetStream(&raw_js, connection_, nullptr); s != NATS_OK) {
    return NatsFailure(s, "JetStream context");
  }
  nats::JetStreamHandle js(raw_js);
  auto stream = LookUpStream(js.get(), request.stream);
  if (!stream) return Unexpected{stream.error()};

  ExportSummary summary;
  // The end is fixed now, so messages stored meanwhile do not extend the run.
  const std::uint64_t end = request.to_sequence == 0 ? stream->last_sequence
                                                     : std::min(request.to_sequence, stream->last_sequence);
  if (stream->messages == 0 || end == 0 || request.from_sequence > end) return summary;

  std::string filter = request.subject_filter;
  if (filter.empty()) {
    if (stream->subjects.size() != 1) {
      return Unexpected{ReplayError{ReplayErrorKind::kNats, "stream " + request.stream + " has " +
                                                                std::to_string(stream->subjects.size()) +
                                                                " subject filters; give --subject"}};
    }
    filter = stream->subjects.front();
  }
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = request.stream.c_str();
  options.Config.AckPolicy = js_AckNone;
  if (request.since) {
    // nats.c 3.4.1 writes the start time's fraction without leading zeros
    // (.046 s goes out as .46 s), so the server would skip messages. A whole
    // second has no fraction to spoil; the messages between it and the
    // requested time are dropped below by their stored time.
    options.Config.DeliverPolicy = js_DeliverByStartTime;
    options.Config.OptStartTime = common::ToUnixMillis(*request.since) / 1000 * 1'000'000'000;
  } else if (request.from_sequence > 0) {
    options.Config.DeliverPolicy = js_DeliverByStartSequence;
    options.Config.OptStartSeq = request.from_sequence;
  } else {
    options.Config.DeliverPolicy = js_DeliverAll;
  }
  natsSubscription* raw_sub = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&raw_sub, js.get(), filter.c_str(), nullptr, nullptr, &options, &js_error);
  nats::SubscriptionHandle subscription(raw_sub);
  if (s != NATS_OK) {
    return NatsFailure(s, "read stream " + request.stream + " (subjects " + filter + ")", js_error);
  }

  // Every fetch below is made while messages are pending (an empty consumer
  // would hold the fetch for its whole expiry), so ask first.
  jsConsumerInfo* raw_consumer = nullptr;
  s = natsSubscription_GetConsumerInfo(&raw_consumer, subscription.get(), nullptr, &js_error);
  const std::unique_ptr<jsConsumerInfo, nats::Deleter<jsConsumerInfo, jsConsumerInfo_Destroy>> consumer(raw_consumer);
  if (s != NATS_OK) {
    natsSubscription_Unsubscribe(subscription.get());
    return NatsFailure(s, "read stream " + request.stream, js_error);
  }
  if (consumer->NumPending == 0) {
    natsSubscription_Unsubscribe(subscription.get());
    return summary;
  }

  const std::int64_t since_ns = request.since ? common::ToUnixMillis(*request.since) * 1'000'000 : 0;
  bool done = false;
  common::Result<void, ReplayError> sunk;
  while (!done) {
    natsMsgList list{};
    jsFetchRequest fetch{};
    fetch.Batch = kBatch;
    fetch.NoWait = true;  // an empty answer means we have read everything there is
    fetch.Expires = 5'000'000'000;
    s = natsSubscription_FetchRequest(&list, subscription.get(), &fetch);
    if (s == NATS_NOT_FOUND || (s == NATS_TIMEOUT && list.Count == 0)) break;
    if (s != NATS_OK) {
      natsMsgList_Destroy(&list);
      natsSubscription_Unsubscribe(subscription.get());
      return NatsFailure(s, "read stream " + request.stream);
    }
    if (list.Count == 0) break;
    for (int i = 0; i < list.Count && !done; ++i) {
      jsMsgMetaData* raw_meta = nullptr;
      if (natsMsg_GetMetaData(&raw_meta, list.Msgs[i]) != NATS_OK) continue;  // not a stream message
      const std::uint64_t sequence = raw_meta->Sequence.Stream;
      const std::uint64_t pending = raw_meta->NumPending;
      const std::int64_t stored_ns = raw_meta->Timestamp;
      jsMsgMetaData_Destroy(raw_meta);
      if (sequence > end) {
        done = true;
        break;
      }
      if (since_ns > stored_ns) {
        if (sequence >= end || pending == 0) done = true;
        continue;
      }
      sunk = sink(RecordOf(request.stream, sequence, list.Msgs[i]));
      if (!sunk) {
        done = true;
        break;
      }
      if (summary.exported++ == 0) summary.first_sequence = sequence;
      summary.last_sequence = sequence;
      if (progress) progress(summary.exported);
      if (sequence >= end || pending == 0) done = true;
    }
    natsMsgList_Destroy(&list);
  }
  // Deletes the ephemeral consumer at once rather than leave it to expire.
  natsSubscription_Unsubscribe(subscription.get());
  if (!sunk) return Unexpected{sunk.error()};
  return summary;
}

}  // namespace logistics::replay

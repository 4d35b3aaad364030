#include "logistics/replay/event_exporter.hpp"

#include <algorithm>

#include "logistics/nats/jet_stream.hpp"
#include "logistics/nats/pull_subscription.hpp"
#include "logistics/replay/stream_facts.hpp"

namespace logistics::replay {
namespace {

using common::Unexpected;

constexpr std::size_t kBatch = 256;

Unexpected<ReplayError> NatsFailure(const nats::NatsError& error) {
  return Unexpected{ReplayError{ReplayErrorKind::kNats, error.message}};
}

EventRecord RecordOf(const std::string& stream, std::uint64_t sequence, const nats::Message& msg) {
  EventRecord record;
  record.stream = stream;
  record.sequence = sequence;
  record.subject = std::string(msg.subject());
  record.headers = msg.Headers();
  const std::string data(msg.data());
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
  auto created = nats::JetStream::Create(connection_);
  if (!created) return NatsFailure(created.error());
  nats::JetStream& js = **created;
  auto stream = LookUpStream(js, request.stream);
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
  nats::EphemeralReadConfig read{request.stream, filter, request.from_sequence, std::nullopt};
  if (request.since) {
    // nats.c 3.4.1 writes the start time's fraction without leading zeros
    // (.046 s goes out as .46 s), so the server would skip messages. A whole
    // second has no fraction to spoil; the messages between it and the
    // requested time are dropped below by their stored time.
    read.start_time_unix_ns = common::ToUnixMillis(*request.since) / 1000 * 1'000'000'000;
  }
  auto subscription = js.ReadEphemeral(read);
  if (!subscription) return NatsFailure(subscription.error());
  nats::PullSubscription& reader = **subscription;

  // Every fetch below is made while messages are pending (an empty consumer
  // would hold the fetch for its whole expiry), so ask first.
  auto pending = reader.Pending();
  if (!pending) {
    reader.Unsubscribe();
    return Unexpected{ReplayError{ReplayErrorKind::kNats,
                                  "read stream " + request.stream + ": " + pending.error().message}};
  }
  if (*pending == 0) {
    reader.Unsubscribe();
    return summary;
  }

  const std::int64_t since_ns = request.since ? common::ToUnixMillis(*request.since) * 1'000'000 : 0;
  bool done = false;
  common::Result<void, ReplayError> sunk;
  while (!done) {
    auto batch = reader.FetchAvailable(kBatch, std::chrono::seconds(5));
    if (!batch) {
      reader.Unsubscribe();
      return Unexpected{ReplayError{ReplayErrorKind::kNats,
                                    "read stream " + request.stream + ": " + batch.error().message}};
    }
    if (batch->empty()) break;
    for (const nats::Message& message : *batch) {
      const auto meta = message.Metadata();
      if (!meta) continue;  // not a stream message
      const std::uint64_t sequence = meta->stream_sequence;
      if (sequence > end) {
        done = true;
        break;
      }
      if (since_ns > meta->stored_at_ns) {
        if (sequence >= end || meta->pending == 0) done = true;
        if (done) break;
        continue;
      }
      sunk = sink(RecordOf(request.stream, sequence, message));
      if (!sunk) {
        done = true;
        break;
      }
      if (summary.exported++ == 0) summary.first_sequence = sequence;
      summary.last_sequence = sequence;
      if (progress) progress(summary.exported);
      if (sequence >= end || meta->pending == 0) {
        done = true;
        break;
      }
    }
  }
  // Deletes the ephemeral consumer at once rather than leave it to expire.
  reader.Unsubscribe();
  if (!sunk) return Unexpected{sunk.error()};
  return summary;
}

}  // namespace logistics::replay

// EventExporter: reads a range of a JetStream stream as event records.
//
// It reads with an ephemeral pull consumer (no acks, deleted on exit and
// dropped by the server after a minute of inactivity should the tool die):
// from the first sequence, a given sequence, or the first message stored at or
// after a given time, up to the last sequence the stream held when the export
// started (or a given sequence), optionally only the subjects a filter matches
// (NATS wildcards). Deleted sequences are simply not delivered. Messages
// stored after the export started are not read, so an export of a busy stream
// ends.
//
// Ownership: borrows the connection, which must outlive the exporter.
// Thread-safety: one Export at a time per exporter.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "logistics/common/result.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/common/time.hpp"
#include "logistics/replay/event_record.hpp"
#include "logistics/replay/replay_error.hpp"

namespace logistics::replay {

struct ExportRequest {
  std::string stream;                       // "ORDERS"
  std::string subject_filter;               // "" = every subject of the stream
  std::uint64_t from_sequence = 0;          // 0 = from the first message
  std::optional<common::Timestamp> since;   // start at the first message stored at or after
  std::uint64_t to_sequence = 0;            // 0 = up to the last message at the start
};

struct ExportSummary {
  std::uint64_t exported = 0;
  std::uint64_t first_sequence = 0;  // of the records written; 0 when none
  std::uint64_t last_sequence = 0;
};

class EventExporter {
 public:
  // Called for each record in sequence order; a failure stops the export
  // and is returned as is.
  using Sink = std::function<common::Result<void, ReplayError>(const EventRecord&)>;
  // Called after each record with the count so far.
  using Progress = std::function<void(std::uint64_t exported)>;

  explicit EventExporter(nats::Connection& connection) : connection_(connection) {}

  // Fails with kStreamNotFound when the stream does not exist, kNats when
  // JetStream fails or refuses the consumer (e.g. a filter outside the
  // stream's subjects), or with whatever the sink returned. A message whose
  // data is not JSON is exported with its text as a JSON string in "event"
  // (which import then reports as an invalid line).
  common::Result<ExportSummary, ReplayError> Export(const ExportRequest& request, const Sink& sink,
                                                    const Progress& progress = {});

 private:
  nats::Connection& connection_;
};

}  // namespace logistics::replay

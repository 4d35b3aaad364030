// EventRecord: one stream message as a line of a JSON Lines export file.
//
//   {"stream":"ORDERS","sequence":12,"subject":"orders.events.<id>.created",
//    "headers":{"Content-Type":"application/cloudevents+json","Nats-Msg-Id":"..."},
//    "event":{...the CloudEvent, members in the order they were sent...}}
//
// The exporter writes these lines and the importer reads them back. The event
// is kept as an insertion-ordered JSON value, so an exported event published
// again has its members in their original order. Headers are written sorted by
// name; a header sent with several values keeps its first.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "logistics/common/result.hpp"
#include "logistics/replay/event_validator.hpp"

namespace logistics::replay {

// (clang-tidy 14 cannot see that nlohmann::json's move is noexcept.)
struct EventRecord {  // NOLINT(bugprone-exception-escape)
  std::string stream;
  std::uint64_t sequence = 0;  // 0 when the line gave none
  std::string subject;
  std::map<std::string, std::string> headers;
  nlohmann::ordered_json event;
};

// The record as one line of JSON (UTF-8, no trailing newline).
std::string ToJsonLine(const EventRecord& record);

// Reads one line. Fails, with every problem found, when the line is not JSON
// or not a record: an object with a string "subject" and an object "event",
// and, when present, a string "stream", a non-negative integer "sequence" and
// an object of strings "headers". Other members are ignored. The event itself
// is not validated here (see EventValidator).
common::Result<EventRecord, std::vector<ValidationProblem>> ParseEventRecord(std::string_view line);

}  // namespace logistics::replay

// What an event stream (ORDERS, PAYMENTS) must hold whatever a test broke:
// every event once, by id, published with its id as Nats-Msg-Id (what the
// stream de-duplicates on), and each aggregate's versions 1, 2, 3... in
// stream order, with no gap and no repeat.
//
// ExamineEventStream only reads and lists what is wrong, so a test that waits
// can ask it again; CheckOnceInOrder reports the findings as one Catch2 CHECK
// (how many problems, the first few), which stays readable on a stream of
// thousands of events.
//
// Header-only; CheckOnceInOrder only from a Catch2 test thread.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/harness/nats_client.hpp"

namespace logistics::testing {

struct EventStreamFindings {
  // The highest version seen of each aggregate (the event's `subject`).
  std::map<std::string, std::int64_t> last_versions;
  // What breaks the rules above, in stream order ("ORDERS sequence 7: ...").
  std::vector<std::string> problems;
};

inline EventStreamFindings ExamineEventStream(const std::string& stream,
                                              const std::vector<StreamMessage>& messages) {
  EventStreamFindings findings;
  std::set<std::string> ids;
  for (const StreamMessage& message : messages) {
    const std::string where = stream + " sequence " + std::to_string(message.sequence);
    const nlohmann::json event = nlohmann::json::parse(message.data, nullptr, false);
    if (!event.is_object()) {
      findings.problems.push_back(where + ": not a JSON object");
      continue;
    }
    const std::string id = event.value("id", "");
    if (!ids.insert(id).second) findings.problems.push_back(where + ": event " + id + " again");
    const auto msg_id = message.headers.find("Nats-Msg-Id");
    if (msg_id == message.headers.end() || msg_id->second != id) {
      findings.problems.push_back(where + ": Nats-Msg-Id is not the event id " + id);
    }
    const std::string aggregate = event.value("subject", "");
    const std::int64_t version = event.value("aggregateversion", std::int64_t{-1});
    auto& last = findings.last_versions[aggregate];
    if (version != last + 1) {
      findings.problems.push_back(where + ": " + aggregate + " version " + std::to_string(version) +
                                  " after " + std::to_string(last));
    }
    // A repeat is reported once, not again at every later version.
    last = std::max(last, version);
  }
  return findings;
}

// CHECKs the rules above on `messages`, read from `stream`. Returns the
// highest version of each aggregate.
inline std::map<std::string, std::int64_t> CheckOnceInOrder(
    const std::string& stream, const std::vector<StreamMessage>& messages) {
  EventStreamFindings findings = ExamineEventStream(stream, messages);
  std::string first;
  for (std::size_t i = 0; i < findings.problems.size() && i < 5; ++i) {
    first += "\n  " + findings.problems[i];
  }
  INFO(stream << " (" << messages.size() << " events): " << findings.problems.size()
              << " problems" << first);
  CHECK(findings.problems.empty());
  return std::move(findings.last_versions);
}

// The event types of each aggregate, in stream order.
inline std::map<std::string, std::vector<std::string>> TypesByAggregate(
    const std::vector<StreamMessage>& messages) {
  std::map<std::string, std::vector<std::string>> types;
  for (const StreamMessage& message : messages) {
    const nlohmann::json event = nlohmann::json::parse(message.data, nullptr, false);
    if (event.is_object()) types[event.value("subject", "")].push_back(event.value("type", ""));
  }
  return types;
}

}  // namespace logistics::testing

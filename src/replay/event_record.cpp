#include "logistics/json/json_text.hpp"
#include "logistics/replay/event_record.hpp"

namespace logistics::replay {

using Json = nlohmann::ordered_json;

std::string ToJsonLine(const EventRecord& record) {
  Json headers = Json::object();
  for (const auto& [name, value] : record.headers) headers[name] = value;
  Json line = Json::object();
  line["stream"] = record.stream;
  line["sequence"] = record.sequence;
  line["subject"] = record.subject;
  line["headers"] = std::move(headers);
  line["event"] = record.event;
  // Invalid UTF-8 cannot come from a parsed event; replacing keeps a header
  // with stray bytes from aborting a whole export.
  return json::Serialize(line);
}

common::Result<EventRecord, std::vector<ValidationProblem>> ParseEventRecord(std::string_view line) {
  Json parsed;
  try {
    parsed = Json::parse(line);
  } catch (const Json::parse_error& error) {
    return common::Unexpected{std::vector<ValidationProblem>{{"", std::string("not valid JSON: ") + error.what()}}};
  }
  std::vector<ValidationProblem> problems;
  if (!parsed.is_object()) {
    problems.push_back({"(record)", "is not a JSON object"});
    return common::Unexpected{std::move(problems)};
  }
  EventRecord record;
  if (auto it = parsed.find("stream"); it != parsed.end()) {
    if (it->is_string()) {
      record.stream = it->get<std::string>();
    } else {
      problems.push_back({"(record).stream", "must be a string"});
    }
  }
  if (auto it = parsed.find("sequence"); it != parsed.end()) {
    if (it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0)) {
      record.sequence = it->get<std::uint64_t>();
    } else {
      problems.push_back({"(record).sequence", "must be a non-negative integer"});
    }
  }
  if (auto it = parsed.find("subject"); it == parsed.end()) {
    problems.push_back({"(record)", "\"subject\" is a required property"});
  } else if (!it->is_string()) {
    problems.push_back({"(record).subject", "must be a string"});
  } else {
    record.subject = it->get<std::string>();
  }
  if (auto it = parsed.find("headers"); it != parsed.end()) {
    if (!it->is_object()) {
      problems.push_back({"(record).headers", "must be an object"});
    } else {
      for (const auto& [name, value] : it->items()) {
        if (value.is_string()) {
          record.headers[name] = value.get<std::string>();
        } else {
          problems.push_back({"(record).headers." + name, "must be a string"});
        }
      }
    }
  }
  if (auto it = parsed.find("event"); it == parsed.end()) {
    problems.push_back({"(record)", "\"event\" is a required property"});
  } else {
    record.event = std::move(*it);
  }
  if (!problems.empty()) return common::Unexpected{std::move(problems)};
  return record;
}

}  // namespace logistics::replay

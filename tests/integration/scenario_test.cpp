// Scenario tests: tests/scenarios/*.json drive the real orders and payments
// services with commands, in order, and compare the events on the ORDERS and
// PAYMENTS streams with a recorded expectation.
//
// A scenario file:
//   {"description": "...",
//    "steps": [{"send": "orders.cmd.create", "body": {...}, "headers": {...},
//               "status": 200, "save": {"order": "order_id"}}, ...],
//    "expected": {"ORDERS": [...], "PAYMENTS": [...]}}
// A body may use "$order" (a value saved by an earlier step's `save`, from its
// reply). After every step the runner waits until both services are idle
// (outboxes published, consumers caught up), so the streams' order is the
// same in every run. Events are compared whole (subject, headers, CloudEvent)
// after normalising: each distinct UUID becomes <id-1>, <id-2>, ... in order
// of first appearance, and every RFC 3339 time becomes <time>.
//
// LOGISTICS_RECORD_SCENARIOS=1 rewrites each file's "expected" with what the
// services did (review the diff before committing it).
#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <thread>
#include <regex>
#include <sstream>

#include "integration/orders_system.hpp"

using logistics::testing::Eventually;
using logistics::testing::OrdersSystem;
using nlohmann::json;

namespace {

const std::filesystem::path kScenarios = std::filesystem::path(LOGISTICS_SOURCE_DIR) / "tests/scenarios";

// Replaces "$name" strings with saved values, recursively.
json Substitute(const json& value, const std::map<std::string, std::string>& saved) {
  if (value.is_string()) {
    const auto text = value.get<std::string>();
    if (text.size() > 1 && text[0] == '$') {
      const auto found = saved.find(text.substr(1));
      REQUIRE(found != saved.end());
      return found->second;
    }
    return value;
  }
  json result = value;
  if (value.is_object()) {
    for (auto& [key, item] : result.items()) item = Substitute(value[key], saved);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) result[i] = Substitute(value[i], saved);
  }
  return result;
}

class Normaliser {
 public:
  json Apply(const json& value) {
    if (value.is_string()) return Text(value.get<std::string>());
    json result = value;
    if (value.is_object()) {
      for (auto& [key, item] : result.items()) item = Apply(value[key]);
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) result[i] = Apply(value[i]);
    }
    return result;
  }

 private:
  std::string Text(const std::string& text) {
    static const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    static const std::regex time(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), uuid);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      out += text.substr(last, it->position() - last);
      auto [entry, added] = ids_.emplace(it->str(), "<id-" + std::to_string(ids_.size() + 1) + ">");
      out += entry->second;
      last = it->position() + it->length();
    }
    out += text.substr(last);
    return std::regex_replace(out, time, "<time>");
  }
  std::map<std::string, std::string> ids_;
};

// One look at the system: idle when both outboxes are published and the
// server holds nothing pending or unacknowledged for either durable consumer.
// Returns the streams' last sequences (the "fingerprint") when idle.
std::optional<std::pair<std::uint64_t, std::uint64_t>> IdleState(OrdersSystem& system) {
  for (const char* service : {"orders", "payments"}) {
    auto reply = system.client().Request(std::string(service) + ".query.status", "{}");
    if (reply.Status() != 200) return std::nullopt;
    const json status = reply.Json();
    if (status["outbox"]["unpublished"] != 0 || status["writer"]["queue_depth"] != 0) return std::nullopt;
  }
  for (const auto& [stream, durable] : {std::pair{"ORDERS", "payments-orders"},
                                        std::pair{"PAYMENTS", "orders-payments"}}) {
    jsConsumerInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    if (js_GetConsumerInfo(&info, system.client().jetstream(), stream, durable, nullptr, &error) !=
        NATS_OK) {
      return std::nullopt;
    }
    const bool caught_up = info->NumPending == 0 && info->NumAckPending == 0;
    jsConsumerInfo_Destroy(info);
    if (!caught_up) return std::nullopt;
  }
  return std::make_pair(system.client().StreamLastSequence("ORDERS"),
                        system.client().StreamLastSequence("PAYMENTS"));
}

// Idle, and still idle with the same streams a moment later: nothing is
// between an outbox and a consumer.
bool Idle(OrdersSystem& system) {
  const auto first = IdleState(system);
  if (!first) return false;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the gap between two looks
  return IdleState(system) == first;
}

// A readable line diff of two JSON documents (longest common subsequence).
std::string Diff(const json& expected, const json& actual) {
  auto lines = [](const json& value) {
    std::vector<std::string> out;
    std::istringstream text(value.dump(2));
    for (std::string line; std::getline(text, line);) out.push_back(line);
    return out;
  };
  const auto a = lines(expected);
  const auto b = lines(actual);
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out = "--- expected\n+++ actual\n";
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out += "  " + a[i++] + "\n";
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out += "+ " + b[j++] + "\n";
    } else {
      out += "- " + a[i++] + "\n";
    }
  }
  return out;
}

json StreamEvents(OrdersSystem& system, const std::string& stream) {
  json events = json::array();
  for (const auto& message : system.client().ReadStream(stream)) {
    events.push_back({{"subject", message.subject},
                      {"headers", message.headers},
                      {"event", message.Json()}});
  }
  return events;
}

void RunScenario(const std::filesystem::path& file) {
  std::ifstream in(file);
  json scenario = json::parse(in);
  INFO("scenario " << file.filename().string() << ": " << scenario.value("description", ""));
  OrdersSystem system;
  system.StartOrders();
  system.StartPayments();
  std::map<std::string, std::string> saved;
  int number = 0;
  for (const auto& step : scenario["steps"]) {
    ++number;
    const json body = Substitute(step.value("body", json::object()), saved);
    std::map<std::string, std::string> headers = step.value("headers", std::map<std::string, std::string>{});
    auto reply = system.client().Request(step["send"].get<std::string>(), body.dump(), headers);
    INFO("step " << number << ": " << step["send"] << " " << body.dump() << " -> " << reply.Status()
                 << " " << reply.body);
    CHECK(reply.Status() == step.value("status", 200));
    if (step.contains("save") && reply.Status() == 200) {
      for (const auto& [name, field] : step["save"].items()) {
        saved[name] = reply.Json()[field.get<std::string>()].get<std::string>();
      }
    }
    REQUIRE(Eventually([&] { return Idle(system); }, std::chrono::seconds(20)));
  }
  Normaliser normalise;
  const json actual = normalise.Apply(
      json{{"ORDERS", StreamEvents(system, "ORDERS")}, {"PAYMENTS", StreamEvents(system, "PAYMENTS")}});
  if (const char* record = std::getenv("LOGISTICS_RECORD_SCENARIOS"); record != nullptr && *record == '1') {
    scenario["expected"] = actual;
    std::ofstream(file) << scenario.dump(2) << "\n";
    WARN("re-recorded " << file.string());
    return;
  }
  REQUIRE(scenario.contains("expected"));
  if (scenario["expected"] != actual) {
    FAIL("the events differ from the recorded expectation (LOGISTICS_RECORD_SCENARIOS=1 re-records):\n"
         << Diff(scenario["expected"], actual));
  }
}

}  // namespace

TEST_CASE("every scenario in tests/scenarios produces exactly its recorded events",
          "[scenarios][integration]") {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarios)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 3);
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.filename().string()) { RunScenario(file); }
  }
}

// Alarms (alarms.hpp): which inputs raise which alarm, and a board that keeps
// when each began and forgets it when it ends.
#include "logistics/service/alarms.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

using logistics::common::FromUnixMillis;
using logistics::service::AlarmBoard;
using logistics::service::AlarmInputs;
using logistics::service::AlarmThresholds;
using logistics::service::JudgeAlarms;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> Names(const AlarmInputs& inputs, const AlarmThresholds& thresholds = {}) {
  std::vector<std::string> names;
  for (const auto& alarm : JudgeAlarms(inputs, thresholds)) names.push_back(alarm.name);
  return names;
}

}  // namespace

TEST_CASE("a quiet service raises no alarm", "[service][alarms]") {
  AlarmInputs quiet;
  quiet.oldest_unpublished_age = 59s;
  quiet.dead_letters = {{"payments-orders", 0}};
  quiet.consumer_lag = {{"payments-orders", 10000}};
  CHECK(Names(quiet).empty());
}

TEST_CASE("each condition raises its own alarm, past its threshold", "[service][alarms]") {
  AlarmInputs inputs;
  inputs.oldest_unpublished_age = 61s;
  inputs.parked = 3;
  inputs.dead_letters = {{"notifications-orders", 0}, {"payments-orders", 2}};
  inputs.consumer_lag = {{"payments-orders", 10001}, {"notifications-orders", 5}};
  const auto raised = JudgeAlarms(inputs, AlarmThresholds{});
  REQUIRE(raised.size() == 4);
  CHECK(raised[0].name == "unpublished_too_old");
  CHECK(raised[0].detail == "oldest unpublished event is 61 s old (threshold 60 s)");
  CHECK(raised[1].name == "events_parked");
  CHECK(raised[1].detail == "3 event(s) parked");
  CHECK(raised[2].name == "dead_letters");
  CHECK(raised[2].detail == "payments-orders: 2");
  CHECK(raised[3].name == "consumer_lag");
  CHECK(raised[3].detail == "payments-orders: 10001 pending (threshold 10000)");

  AlarmThresholds tight;
  tight.unpublished_age = 1s;
  tight.consumer_lag = 4;
  AlarmInputs small;
  small.oldest_unpublished_age = 2s;
  small.consumer_lag = {{"notifications-orders", 5}};
  CHECK(Names(small, tight) == std::vector<std::string>{"unpublished_too_old", "consumer_lag"});
}

TEST_CASE("an alarm keeps the time it began while it stays raised, and ends when it is not",
          "[service][alarms]") {
  AlarmBoard board;
  board.Update({{"events_parked", "1 event(s) parked"}}, FromUnixMillis(1000));
  board.Update({{"events_parked", "2 event(s) parked"}, {"dead_letters", "x: 1"}},
               FromUnixMillis(5000));
  auto figures = board.Figures();
  REQUIRE(figures.size() == 2);
  CHECK(figures[0]["name"] == "dead_letters");
  CHECK(figures[1]["name"] == "events_parked");
  CHECK(figures[1]["detail"] == "2 event(s) parked");
  CHECK(figures[1]["since"] == "1970-01-01T00:00:01.000Z");
  board.Update({{"dead_letters", "x: 1"}}, FromUnixMillis(9000));
  CHECK(board.Active() == std::vector<std::string>{"dead_letters"});
  board.Update({}, FromUnixMillis(9500));
  CHECK(board.Active().empty());
  CHECK(board.Figures().empty());
}

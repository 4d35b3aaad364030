// JudgeStreamTail: whether a stream lost events it acknowledged, from what it
// holds now at the last acknowledged position.
#include <catch2/catch.hpp>

#include "logistics/messaging/stream_tail.hpp"

using logistics::messaging::AcknowledgedPosition;
using logistics::messaging::JudgeStreamTail;
using logistics::messaging::StreamView;

TEST_CASE("a stream's tail is judged lost exactly when the acknowledged event is gone for good",
          "[messaging][relay][lost-tail]") {
  const AcknowledgedPosition acknowledged{"ORDERS", 10, "event-10"};
  struct Case {
    const char* what;
    StreamView now;
    bool lost;
  };
  const auto c = GENERATE(values<Case>({
      {"the message is there under the same id", {true, 10, std::string("event-10")}, false},
      {"later messages followed it", {true, 25, std::string("event-10")}, false},
      {"the stream is gone (store wiped)", {false, 0, std::nullopt}, true},
      {"the stream was recreated empty", {true, 0, std::nullopt}, true},
      {"the stream went back before it", {true, 7, std::nullopt}, true},
      {"another event sits at its sequence (recreated and refilled)",
       {true, 12, std::string("other-event")},
       true},
      {"it was removed by limits or a purge while the stream went on", {true, 40, std::nullopt},
       false},
  }));
  INFO(c.what);
  const auto verdict = JudgeStreamTail(acknowledged, c.now);
  CHECK(verdict.lost == c.lost);
  CHECK_FALSE(verdict.reason.empty());
}

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/event_metadata.hpp"

using namespace logistics::messaging;

namespace {

constexpr const char* kEventId = "0193a5b2-7c1d-7e4f-8a90-123456789abc";

ConsumedEvent EventWithCorrelation(nlohmann::json correlation) {
  ConsumedEvent event;
  event.event_id = kEventId;
  event.cloud_event = {{"id", kEventId}, {"correlationid", std::move(correlation)}};
  event.max_event_bytes = 4096;
  return event;
}

}  // namespace

TEST_CASE("a command's events carry its ids, trace context and the server's message limit",
          "[messaging]") {
  RequestMetadata request;
  request.request_id = "create-TRK-1";
  request.correlation_id = "checkout-991";
  request.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  request.max_event_bytes = 4096;
  const EventMetadata metadata = CausedByRequest(request);
  CHECK(metadata.correlation_id == "checkout-991");
  CHECK(metadata.causation_id == "create-TRK-1");
  CHECK(metadata.traceparent == request.traceparent);
  CHECK(metadata.max_event_bytes == 4096);
}

TEST_CASE("a consumed event's correlation is carried on only when it is a valid Correlation-Id",
          "[messaging][headers]") {
  struct Row {
    nlohmann::json correlation;
    std::string carried;
  };
  const Row row = GENERATE(Row{"checkout-991", "checkout-991"},
                           Row{std::string(128, 'c'), std::string(128, 'c')},
                           Row{std::string(129, 'c'), kEventId},
                           Row{"two words", kEventId},
                           Row{"line\r\nInjected: header", kEventId},
                           Row{"", kEventId});
  INFO(row.correlation.dump());
  const EventMetadata metadata = CausedByEvent(EventWithCorrelation(row.correlation));
  CHECK(metadata.correlation_id == row.carried);
  CHECK(metadata.causation_id == kEventId);
  CHECK(metadata.max_event_bytes == 4096);
}

// ParkedAdmin: the operators' endpoints for the events the relay parked
// (sqlite_parked_events.hpp), <service>.admin.parked.{list,show,requeue,discard}
// (laid out with the other admin endpoints in service/admin_endpoints.hpp).
//
//   list     {"limit"? (1-500, default 50), "cursor"?}
//            -> {"parked":[event...], "next_cursor"?}, in outbox id order
//   show     {"event_id"} -> one parked event; 404 PARKED_EVENT_NOT_FOUND
//   requeue  {"aggregate"? | "event_id"?, "by"?, "reason"?}: hands the parked
//            events of the aggregate (of the event's aggregate; of every
//            aggregate when neither is given) back to the relay, which
//            publishes them in their original id order once the requeue has
//            committed -> {"event_id", "aggregate", "outcome": "requeued",
//            "requeued_at", "requeued_from_outbox_id", "by", "reason"}; 404
//            when nothing is parked there
//   discard  {"event_id", "reason", "by"} (both required, not blank): deletes
//            the parked event for good, logged as a warning with who, when
//            and why -> the event with "discarded_at", "by", "reason"; 404
//            when it is not parked
//
// An event is {"outbox_id","event_id","subject","aggregate","created_at",
// "parked_at","attempts","error"}. Requeue before the cause is fixed and the
// events are parked again after --park-after-attempts refusals.
//
// Ownership: borrows the read pool, the writer, the relay and the clock,
// which outlive the endpoints' subscriptions. Thread-safety: handlers run on
// nats.c threads; requeues and discards are serialised by the writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "logistics/common/clock.hpp"
#include "logistics/common/result.hpp"
#include "logistics/json/body_reader.hpp"
#include "logistics/messaging/incoming_request.hpp"
#include "logistics/messaging/relay.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/sqlite/read_pool.hpp"

namespace logistics::messaging {

struct ParkedListRequest {
  std::int64_t limit = 50;
  std::int64_t after_id = 0;
};

struct ParkedRequeueRequest {
  std::string aggregate;  // "" with event_id "" too: every aggregate
  std::string event_id;
  std::string by;
  std::string reason;
};

struct ParkedDiscardRequest {
  std::string event_id;
  std::string by;
  std::string reason;
};

common::Result<ParkedListRequest, json::BodyError> DecodeParkedList(std::string_view body,
                                                                    std::size_t max_bytes);
common::Result<std::string, json::BodyError> DecodeParkedShow(std::string_view body,
                                                              std::size_t max_bytes);
common::Result<ParkedRequeueRequest, json::BodyError> DecodeParkedRequeue(std::string_view body,
                                                                          std::size_t max_bytes);
common::Result<ParkedDiscardRequest, json::BodyError> DecodeParkedDiscard(std::string_view body,
                                                                          std::size_t max_bytes);

class ParkedAdmin {
 public:
  using RequestPtr = std::shared_ptr<IncomingRequest>;

  ParkedAdmin(sqlite::ReadPool& reads, Writer& writer, Relay& relay, const common::Clock& clock,
              std::size_t max_body_bytes);

  void List(const RequestPtr& request);
  void Show(const RequestPtr& request);
  void Requeue(const RequestPtr& request);
  void Discard(const RequestPtr& request);

 private:
  sqlite::ReadPool& reads_;
  Writer& writer_;
  Relay& relay_;
  const common::Clock& clock_;
  const std::size_t max_body_bytes_;
};

}  // namespace logistics::messaging

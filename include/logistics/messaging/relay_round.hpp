// Relay round bookkeeping: what the relay decides after each round of
// publishes, as pure functions (table-tested in relay_round_test.cpp). The
// relay (relay.cpp) does the I/O around them.
//
// A round sends rows in id order and collects their PubAcks. JudgeRound says
// which row failed first: the lowest refused one (the server said no, or the
// send failed) or the first that got no PubAck, whichever comes first.
// Every acknowledged row is marked published, even one after the failure
// (it is stored; the stream drops its copy when it is sent again).
//
// AfterRound moves the relay on:
//
//   round            next read starts after   next round       wait before it
//   all acknowledged the last row             a full window    none
//   a row failed     the row before it        one row (probe)  retry delay, then doubled
//
// After a failed round the first unacknowledged row goes alone ("probe")
// until it is acknowledged: pipelined, rows after it could be stored before
// it while the server keeps refusing it (a limit), breaking per-aggregate
// commit order. A failure of kind kNoResponders (no stream captures the
// subject: someone deleted the stream) also has the relay set its streams up
// again before the next round.
//
// Parking: a refusal that retrying will not fix soon (IsLastingRefusal: too
// large for the server or the stream, no stream captures the subject, a
// stream that rejects the event) is retried with the same backoff; after
// `park_after` such refusals in a row (ShouldPark) the row is parked with the
// later events of its aggregate (sqlite_parked_events.hpp) and the relay goes
// on after it (AfterParking). A transient failure (no PubAck in time, not
// connected, a server out of storage) is never parked: the relay waits and
// resumes.
//
// Failed marks: acknowledged rows whose mark could not be committed wait in
// the relay and are submitted again after MarkRetryDelay; when they are,
// LastPositionPerStream keeps one acknowledged position per stream.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "logistics/messaging/stream_tail.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::messaging {

struct RoundOutcome {
  std::vector<std::int64_t> acknowledged;  // sorted ascending
  // The first row that failed; nullopt when every row was acknowledged.
  std::optional<std::int64_t> first_failed;
  // True when that first failure is a row with no PubAck (not a refusal).
  bool first_failed_unanswered = false;
};

// `sent` are the round's row ids in the order they were read (ascending),
// `acknowledged` those with a PubAck (any order), `first_refused` the lowest
// row refused by the server or not sent.
RoundOutcome JudgeRound(const std::vector<std::int64_t>& sent,
                        std::vector<std::int64_t> acknowledged,
                        std::optional<std::int64_t> first_refused);

struct RelayPosition {
  std::int64_t cursor = 0;  // every row with id <= cursor has been acknowledged
  bool probing = false;     // the next round sends one row
  std::chrono::milliseconds retry_delay{0};
};

struct RetryPolicy {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds max{5000};
};

struct NextRound {
  RelayPosition position;
  std::chrono::milliseconds wait{0};  // before the next round
  bool set_up_streams = false;        // check (create) the streams first
};

// Where the relay goes on after a round whose last row read was `last_row`.
// `first_error` is the kind of the first failure (ignored when none failed).
NextRound AfterRound(const RelayPosition& before, std::int64_t last_row, const RoundOutcome& outcome,
                     nats::NatsErrorKind first_error, const RetryPolicy& policy);

// True for a refusal that retrying will not fix soon.
bool IsLastingRefusal(nats::NatsErrorKind kind);

// True when a row refused `lasting_refusals` times in a row by lasting
// refusals is to be parked (`park_after` 0: never).
bool ShouldPark(std::int64_t lasting_refusals, std::int64_t park_after);

// Where the relay goes on after parking the row `parked_id`: past it, a full
// window, no wait.
NextRound AfterParking(std::int64_t parked_id, const RetryPolicy& policy);

// Rows to read for the next round: one while probing, else the window.
std::size_t RoundSize(const RelayPosition& position, std::size_t window);

// How many of the rows read (their aggregates, in id order) go into one
// round: the rows up to the first whose aggregate already has a row before
// it. So at most one event per aggregate is ever in flight, and an event is
// sent only after the previous event of its aggregate was acknowledged: a
// publish that fails while later ones succeed (a refusal, a timeout, a
// connection lost and the client's buffered publishes re-sent to another
// server after its reconnect) can never let a later event of the same
// aggregate be stored before an earlier one.
std::size_t DistinctAggregatePrefix(const std::vector<std::string>& aggregates);

// The next delay of a backoff: double the current one, at least `initial`
// (so a backoff that was reset to zero starts there), at most `max`.
std::chrono::milliseconds Backoff(std::chrono::milliseconds current, const RetryPolicy& policy);

// Keeps, per stream, the highest acknowledged sequence (a PubAck arrived).
void KeepHighest(std::unordered_map<std::string, AcknowledgedPosition>& positions,
                 const AcknowledgedPosition& acknowledged);

// One position per stream, the last given for it winning (failed marks
// accumulate in the order their rounds ran).
std::vector<AcknowledgedPosition> LastPositionPerStream(std::vector<AcknowledgedPosition> positions);

}  // namespace logistics::messaging

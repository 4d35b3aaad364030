// StreamSpec and EnsureStream: the JetStream streams a service publishes to.
//
// Services create or update their own streams at start-up (and again after a
// reconnect, in case the server lost its store), with file storage and a
// duplicate window that must cover the relay's re-publish horizon. A stream
// never captures a command subject: it would answer `nats req` with a PubAck.
//
// Thread-safety: the functions may be called from any thread (JetStream is
// thread-safe).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/messaging/stream_tail.hpp"
#include "logistics/nats/jet_stream.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::messaging {

struct StreamSpec {
  std::string name;                   // "ORDERS"
  std::vector<std::string> subjects;  // {"orders.events.>"}
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(10)};
  std::string description;
  // Retention, so a stream cannot fill a disk unnoticed: messages older than
  // max_age go, and past max_bytes the oldest go (0: no limit). Consumers
  // further behind than that lose those events (the consumer_lag alarm warns
  // well before).
  std::chrono::milliseconds max_age{0};
  std::int64_t max_bytes = 0;
  // Copies of the stream on a cluster (R3 acknowledges a publish once two of
  // three servers hold it). 1 on a single server.
  int replicas = 1;
};

// Creates the stream, or updates its subjects and duplicate window when they
// differ. Fails when JetStream is unavailable or refuses the configuration
// (for example, subjects that overlap another stream).
common::Result<void, nats::NatsError> EnsureStream(nats::JetStream& js, const StreamSpec& spec);

// What `stream` holds now at `sequence` (see StreamView): its existence, its
// last sequence and the Nats-Msg-Id of the message stored there. Fails when
// JetStream cannot answer (unavailable, timeout, not connected); a missing
// stream or message is a view, not a failure.
common::Result<StreamView, nats::NatsError> ReadStreamView(nats::JetStream& js,
                                                           const std::string& stream,
                                                           std::uint64_t sequence);

}  // namespace logistics::messaging

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

// Creates the stream, or updates its subjects, duplicate window, retention
// and replica count when they differ (nats-server 2.9 scales a stream's
// replicas up and down in place). Fails when JetStream is unavailable or
// refuses the configuration (for example, subjects that overlap another
// stream). When the servers cannot give the replicas asked for
// (CannotHaveReplicas), the error says so and what to do: "the NATS servers
// cannot give stream ORDERS 3 replicas (<server's words>): run a cluster of at
// least 3 servers, or set --stream-replicas 1".
common::Result<void, nats::NatsError> EnsureStream(nats::JetStream& js, const StreamSpec& spec);

// True when the server refused a stream because it cannot place the replicas
// asked for: a server that is not clustered (JetStream error 10074, "replicas
// > 1 not supported in non-clustered mode") or a cluster with fewer servers
// than replicas (10005, "no suitable peers for placement"; what nats-server
// 2.9.10 answers, rather than 10023 "insufficient resources", which is about
// storage and stays a limit). Retrying will not help; fewer replicas or more
// servers will. Decided by the JetStream error code only.
bool CannotHaveReplicas(const nats::NatsError& error);

// What `stream` holds now at `sequence` (see StreamView): its existence, its
// last sequence and the Nats-Msg-Id of the message stored there. Fails when
// JetStream cannot answer (unavailable, timeout, not connected); a missing
// stream or message is a view, not a failure.
common::Result<StreamView, nats::NatsError> ReadStreamView(nats::JetStream& js,
                                                           const std::string& stream,
                                                           std::uint64_t sequence);

}  // namespace logistics::messaging

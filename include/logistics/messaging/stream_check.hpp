// Checks of the streams and durable consumers a service depends on, for a
// service that may not manage them (secure deployments: an administrator
// provisions them with `logistics-events provision`, and the services' NATS
// users may only read their configuration).
//
// A check compares what the server holds with what the service would have
// created: for a stream its subjects, duplicate window, file storage,
// retention and replica count ("replicas 1 instead of 3"); for
// a durable consumer its filter, explicit acks, delivery of the whole stream,
// ack wait and unlimited deliveries (the service counts them). A problem says
// which setting differs and what to run, so the operator can act on one line.
//
// Thread-safety: as JetStream (any thread).
#pragma once

#include <string>

#include "logistics/common/result.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/stream_setup.hpp"
#include "logistics/nats/jet_stream.hpp"

namespace logistics::messaging {

struct ProvisioningProblem {
  enum class Kind {
    kMissing,      // the stream or consumer does not exist
    kDifferent,    // it exists with another configuration
    kUnavailable,  // JetStream could not answer (not connected, timeout, ...)
  };
  Kind kind = Kind::kUnavailable;
  std::string message;
};

// The server-side configuration of a service's durable consumer: explicit
// acks, the whole stream, the spec's ack wait, no delivery limit.
nats::DurableConsumerConfig DurableConfigOf(const ConsumerSpec& spec);

common::Result<void, ProvisioningProblem> CheckStream(nats::JetStream& js, const StreamSpec& spec);
common::Result<void, ProvisioningProblem> CheckDurableConsumer(nats::JetStream& js,
                                                               const ConsumerSpec& spec);

}  // namespace logistics::messaging

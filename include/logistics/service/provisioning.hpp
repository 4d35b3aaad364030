// Provision: creates or corrects every stream and durable consumer of the
// system (event_streams.hpp), as an administrator does for a deployment whose
// services may not manage streams (`logistics-events provision`; secure
// deployments, see deploy/nats/nats-server.conf).
//
// Idempotent: what is already as the services expect is left alone, what
// differs is updated, what is missing is created. A stream's storage cannot
// change on a live stream; everything a service checks can. The result lists
// one line per stream and consumer, in catalogue order, saying which of the
// three happened.
//
// Thread-safety: as JetStream.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/nats/jet_stream.hpp"
#include "logistics/service/event_streams.hpp"

namespace logistics::service {

struct ProvisionSettings {
  // Must equal the services' --duplicate-window, --stream-max-age and
  // --stream-max-bytes (they check them).
  StreamRetention retention;
  // Copies of each stream; must equal the services' --stream-replicas.
  int replicas = 1;
};

// The streams only ("stream ORDERS: created", ...), as Provision does them:
// `logistics-events import --create-streams` on a fresh server. Fails at the
// first stream the server refuses or cannot answer for.
common::Result<std::vector<std::string>, std::string> ProvisionStreams(nats::JetStream& js,
                                                                       const ProvisionSettings& settings);

// "stream ORDERS: created", "consumer payments-orders on ORDERS: as configured", ...
// Fails at the first stream or consumer the server refuses or cannot answer
// for, with what was done before it in the message.
common::Result<std::vector<std::string>, std::string> Provision(nats::JetStream& js,
                                                                const ProvisionSettings& settings);

}  // namespace logistics::service

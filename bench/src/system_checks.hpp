// What the bench asks of the running system besides load: how many events a
// stream holds and whether each belongs to a distinct order, and a service's
// own figures (<service>.query.status).
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace logistics::bench {

struct StreamCheckResult {
  std::uint64_t messages = 0;           // in the stream, under `filter`
  std::uint64_t distinct_subjects = 0;  // distinct aggregate ids (the subject's third token)
  bool ok = false;                      // messages == expected == distinct_subjects
};

// Waits (up to `timeout`) until `stream` holds at least `expected` messages,
// then reads every message under `filter` with an ordered consumer.
StreamCheckResult CheckStream(natsConnection* connection, const std::string& stream,
                              const std::string& filter, std::uint64_t expected,
                              std::chrono::seconds timeout);

// The JSON text of `<service>.query.status`; throws std::runtime_error.
std::string ServiceStatus(natsConnection* connection, const std::string& service);

}  // namespace logistics::bench

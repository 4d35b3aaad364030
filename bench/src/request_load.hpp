// RequestLoad: `count` requests to one subject, closed-loop (a fixed number
// in flight, the next sent as each reply comes) or open-loop (paced at a fixed
// rate, so latency is measured under a steady offered load rather than under
// the load the system lets through).
//
// Every run is bounded: it stops sending at `max_seconds` and waits for the
// replies in flight at most a few seconds more; requests without a reply then
// count as failed.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "body_template.hpp"
#include "latencies.hpp"

namespace logistics::bench {

struct RequestLoadSettings {
  std::string subject;
  std::size_t in_flight = 1;
  std::uint64_t count = 1000;
  double rate_per_s = 0;  // 0: closed loop; else open loop at this rate (in_flight is a cap)
  std::chrono::seconds max_duration{60};
};

struct RequestLoadResult {
  std::uint64_t sent = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;  // error replies, publish failures and missing replies
  double seconds = 0;        // first send to last reply
  Latencies latencies;       // of successful replies
  std::string first_error;
};

RequestLoadResult RunRequestLoad(natsConnection* connection, const RequestLoadSettings& settings,
                                 const BodyTemplate& body);

}  // namespace logistics::bench

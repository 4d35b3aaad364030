// LifecycleLoad: whole orders through both services, `in_flight` at a time.
//
// Each order goes create -> assign -> payments.cmd.register -> confirm; the
// payments service's event then makes the order PAID (the choreography), which
// this load sees on orders.events.*.paid; only an order that is both confirmed
// and paid is dispatched and delivered. An order counts as completed when its
// deliver reply arrives; any error reply fails that order and the next starts.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace logistics::bench {

struct LifecycleResult {
  std::uint64_t started = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  double seconds = 0;
  std::string first_error;
};

LifecycleResult RunLifecycleLoad(natsConnection* connection, std::uint64_t orders,
                                 std::size_t in_flight, std::chrono::seconds max_duration);

}  // namespace logistics::bench

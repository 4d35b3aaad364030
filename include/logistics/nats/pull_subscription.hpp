// PullSubscription: a subscription to a JetStream pull consumer (durable, or
// an ephemeral read), from which batches of messages are fetched.
//
// Fetched messages are owned nats::Messages; a durable consumer's are settled
// with Message::Ack/Nak/NakWithDelay/InProgress/Term.
//
// Ownership: owns the natsSubscription; borrows the connection and the
// JetStream it came from (both must outlive it). Unsubscribe() deletes an
// ephemeral consumer at once; the destructor only drops the interest (the
// server removes an ephemeral consumer after a while by itself); a durable
// consumer stays either way. Thread-safety: one fetching thread; the messages may be
// settled from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/nats/handles.hpp"
#include "logistics/nats/message.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::nats {

class PullSubscription {
 public:
  explicit PullSubscription(SubscriptionHandle handle) : handle_(std::move(handle)) {}
  ~PullSubscription();
  PullSubscription(const PullSubscription&) = delete;
  PullSubscription& operator=(const PullSubscription&) = delete;

  // Waits up to `wait` for up to `batch` messages; returns as soon as some
  // came. kTimeout when none came (the consumer is caught up); other kinds
  // (kNotConnected, kNotFound: the consumer is gone, ...) mean subscribing
  // again.
  common::Result<std::vector<Message>, NatsError> Fetch(std::size_t batch,
                                                        std::chrono::milliseconds wait);
  // Takes up to `batch` messages the consumer holds now, without waiting for
  // more: an empty list means everything was read.
  common::Result<std::vector<Message>, NatsError> FetchAvailable(std::size_t batch,
                                                                 std::chrono::milliseconds expires);
  // How many messages the consumer still holds for us (for an ephemeral read;
  // nats.c 3.4.1 refuses it on a subscription bound to a durable).
  common::Result<std::uint64_t, NatsError> Pending();
  // Ends the subscription (deleting an ephemeral consumer). Safe to repeat.
  void Unsubscribe();

 private:
  SubscriptionHandle handle_;
  bool unsubscribed_ = false;
};

}  // namespace logistics::nats

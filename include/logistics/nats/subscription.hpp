// Subscription: an asynchronous nats.c subscription that knows when its
// message handler has run for the last time.
//
// nats.c calls the handler on the subscription's delivery thread, and keeps
// doing so after natsSubscription_Unsubscribe has returned: a message already
// taken from the queue is still handed over. So the handler's closure must
// outlive that last call, which only nats.c's on-complete callback reports.
// Close() unsubscribes and waits for it; the destructor calls Close().
//
// The handler receives each message as an owned nats::Message. It is called
// through a noexcept trampoline: an exception it lets escape is logged and
// swallowed (nothing may unwind into nats.c).
//
// Usage:
//   auto sub = Subscription::Subscribe(connection, "orders.cmd.create", "orders",
//                                      [endpoint](nats::Message m) { ... });
//   ...
//   sub->Close(std::chrono::seconds(10));  // the handler will not run again
//   // now what it captured may be freed
//
// Ownership: owns the natsSubscription and the handler (kept, shared with
// nats.c, until its last call); borrows the connection (which must outlive
// it) and whatever the handler captures (which must outlive Close()).
// Thread-safety: Close and Drain from the owner's thread, never from inside
// the handler (it would wait for itself until the timeout).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "logistics/common/result.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/handles.hpp"
#include "logistics/nats/message.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::nats {

// Called on the subscription's delivery thread, one message at a time.
using MessageHandler = std::function<void(Message)>;

class Subscription {
 public:
  // How long the destructor waits for the handler's last call.
  static constexpr std::chrono::milliseconds kDefaultCloseTimeout{10000};

  // Subscribes `handler` to `subject`, in `queue_group` unless that is
  // empty. Fails when nats.c refuses the subscription (an invalid subject, a
  // closed connection).
  static common::Result<std::unique_ptr<Subscription>, NatsError> Subscribe(
      Connection& connection, const std::string& subject, const std::string& queue_group,
      MessageHandler handler);
  // Close(kDefaultCloseTimeout), unless Close() was called already.
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // How many messages (and bytes) may wait for the handler before nats.c
  // drops new ones as a slow consumer. Fails for non-positive limits.
  common::Result<void, NatsError> SetPendingLimits(int messages, int bytes);

  // Stops taking new messages; those already received are still handed to
  // the handler, then the subscription closes. Returns at once; WaitForDrain
  // waits. Fails (harmlessly) when the subscription closed already.
  common::Result<void, NatsError> Drain();
  // Waits up to `timeout` for a Drain to complete. Fails with kTimeout.
  common::Result<void, NatsError> WaitForDrain(std::chrono::milliseconds timeout);

  // Stops delivery (nothing to stop if the subscription already closed: it
  // was drained, or its connection closed) and waits up to `timeout` until the
  // handler has returned for the last time. Returns true then; false, with an
  // error logged, if a handler call is still running at the deadline (the
  // closure must then stay alive: its owner should leak it rather than free it).
  bool Close(std::chrono::milliseconds timeout);

 private:
  // Set by nats.c's on-complete callback; shared with it, so the callback can
  // finish even if this object is gone by then.
  struct Completion;
  Subscription(std::shared_ptr<Completion> completion, SubscriptionHandle handle,
               std::string subject);

  std::shared_ptr<Completion> completion_;
  SubscriptionHandle handle_;
  std::string subject_;  // for the log line of a Close that timed out
  bool close_called_ = false;
};

}  // namespace logistics::nats

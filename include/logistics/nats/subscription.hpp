// Subscription: an asynchronous nats.c subscription that knows when its
// message handler has run for the last time.
//
// nats.c calls the handler on the subscription's delivery thread, and keeps
// doing so after natsSubscription_Unsubscribe has returned: a message already
// taken from the queue is still handed over. So the handler's closure must
// outlive that last call, which only nats.c's on-complete callback reports.
// Close() unsubscribes and waits for it; the destructor calls Close().
//
// Usage:
//   auto sub = Subscription::Subscribe(connection, "orders.cmd.create", "orders",
//                                      &Responder::OnMessage, closure);
//   ...
//   sub->Close(std::chrono::seconds(10));  // OnMessage will not run again
//   // now the closure may be freed
//
// Ownership: owns the natsSubscription; borrows the connection (which must
// outlive it) and the closure (which must outlive Close()). Thread-safety:
// Close from the owner's thread, never from inside the handler (it would wait
// for itself until the timeout); get() from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "logistics/common/result.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/handles.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::nats {

class Subscription {
 public:
  // How long the destructor waits for the handler's last call.
  static constexpr std::chrono::milliseconds kDefaultCloseTimeout{10000};

  // Subscribes `handler` (called with `closure`) to `subject`, in
  // `queue_group` unless that is empty. Fails when nats.c refuses the
  // subscription (an invalid subject, a closed connection).
  static common::Result<std::unique_ptr<Subscription>, NatsError> Subscribe(
      Connection& connection, const std::string& subject, const std::string& queue_group,
      natsMsgHandler handler, void* closure);
  // Close(kDefaultCloseTimeout), unless Close() was called already.
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  natsSubscription* get() const { return handle_.get(); }

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

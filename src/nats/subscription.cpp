#include "logistics/nats/subscription.hpp"

#include <condition_variable>
#include <mutex>

#include "logistics/logging/log.hpp"

namespace logistics::nats {

// nats.c calls OnComplete once, on the delivery thread, after the handler's
// last call has returned. It holds this state (held_by_nats) until then, so a
// Subscription destroyed after a Close that timed out leaves it nothing freed.
struct Subscription::Completion {
  static void OnComplete(void* closure) noexcept {
    auto* self = static_cast<Completion*>(closure);
    std::shared_ptr<Completion> last_reference;  // released after the lock below
    std::lock_guard lock(self->mutex);
    last_reference = std::move(self->held_by_nats);
    self->done = true;
    self->changed.notify_all();
  }

  std::mutex mutex;
  std::condition_variable changed;
  bool done = false;
  std::shared_ptr<Completion> held_by_nats;
};

Subscription::Subscription(std::shared_ptr<Completion> completion, SubscriptionHandle handle,
                           std::string subject)
    : completion_(std::move(completion)),
      handle_(std::move(handle)),
      subject_(std::move(subject)) {}

common::Result<std::unique_ptr<Subscription>, NatsError> Subscription::Subscribe(
    Connection& connection, const std::string& subject, const std::string& queue_group,
    natsMsgHandler handler, void* closure) {
  natsSubscription* raw = nullptr;
  const natsStatus s =
      queue_group.empty()
          ? natsConnection_Subscribe(&raw, connection.get(), subject.c_str(), handler, closure)
          : natsConnection_QueueSubscribe(&raw, connection.get(), subject.c_str(),
                                          queue_group.c_str(), handler, closure);
  SubscriptionHandle handle(raw);
  if (s != NATS_OK) return common::Unexpected{MakeNatsError(s, "subscribe to " + subject)};
  auto completion = std::make_shared<Completion>();
  completion->held_by_nats = completion;
  // nats.c refuses this only for a subscription that has closed already (its
  // connection closed in between); it is then of no use anyway.
  if (const natsStatus watched =
          natsSubscription_SetOnCompleteCB(raw, &Completion::OnComplete, completion.get());
      watched != NATS_OK) {
    completion->held_by_nats.reset();
    return common::Unexpected{MakeNatsError(watched, "watch the subscription to " + subject)};
  }
  return std::unique_ptr<Subscription>(
      new Subscription(std::move(completion), std::move(handle), subject));
}

Subscription::~Subscription() {
  if (!close_called_) Close(kDefaultCloseTimeout);
}

bool Subscription::Close(std::chrono::milliseconds timeout) {
  if (!close_called_) {
    close_called_ = true;
    // Fails, harmlessly, when the subscription has closed already.
    natsSubscription_Unsubscribe(handle_.get());
  }
  std::unique_lock lock(completion_->mutex);
  if (completion_->changed.wait_for(lock, timeout, [this] { return completion_->done; })) {
    return true;
  }
  logging::Error("a NATS message handler is still running after its subscription closed",
                 {{"subject", subject_}, {"waited_ms", timeout.count()}});
  return false;
}

}  // namespace logistics::nats

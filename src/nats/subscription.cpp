#include "logistics/nats/subscription.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "logistics/logging/log.hpp"

namespace logistics::nats {

// nats.c calls OnComplete once, on the delivery thread, after the handler's
// last call has returned. It holds this state (held_by_nats) until then, so a
// Subscription destroyed after a Close that timed out leaves it nothing freed.
struct Subscription::Completion {
  explicit Completion(MessageHandler h) : handler(std::move(h)) {}

  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) noexcept {
    Message message{MessageHandle(msg)};  // the handler owns the message
    try {
      static_cast<Completion*>(closure)->handler(std::move(message));
    } catch (const std::exception& error) {
      logging::Error("a NATS message handler threw", {{"error", error.what()}});
    } catch (...) {
      logging::Error("a NATS message handler threw an unknown exception");
    }
  }

  static void OnComplete(void* closure) noexcept {
    auto* self = static_cast<Completion*>(closure);
    std::shared_ptr<Completion> last_reference;  // released after the lock below
    std::lock_guard lock(self->mutex);
    last_reference = std::move(self->held_by_nats);
    self->done = true;
    self->changed.notify_all();
  }

  const MessageHandler handler;
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
    MessageHandler handler) {
  auto completion = std::make_shared<Completion>(std::move(handler));
  void* closure = completion.get();
  natsSubscription* raw = nullptr;
  const natsStatus s =
      queue_group.empty()
          ? natsConnection_Subscribe(&raw, connection.get(), subject.c_str(),
                                     &Completion::OnMessage, closure)
          : natsConnection_QueueSubscribe(&raw, connection.get(), subject.c_str(),
                                          queue_group.c_str(), &Completion::OnMessage, closure);
  SubscriptionHandle handle(raw);
  if (s != NATS_OK) return common::Unexpected{MakeNatsError(s, "subscribe to " + subject)};
  // From here nats.c may call OnMessage, and will call OnComplete once.
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

common::Result<void, NatsError> Subscription::SetPendingLimits(int messages, int bytes) {
  if (natsStatus s = natsSubscription_SetPendingLimits(handle_.get(), messages, bytes);
      s != NATS_OK) {
    return common::Unexpected{MakeNatsError(s, "pending limits of " + subject_)};
  }
  return {};
}

common::Result<void, NatsError> Subscription::Drain() {
  if (natsStatus s = natsSubscription_Drain(handle_.get()); s != NATS_OK) {
    return common::Unexpected{MakeNatsError(s, "drain " + subject_)};
  }
  return {};
}

common::Result<void, NatsError> Subscription::WaitForDrain(std::chrono::milliseconds timeout) {
  if (natsStatus s = natsSubscription_WaitForDrainCompletion(
          handle_.get(), std::max<std::int64_t>(timeout.count(), 1));
      s != NATS_OK) {
    return common::Unexpected{MakeNatsError(s, "drain " + subject_)};
  }
  return {};
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

#include "logistics/nats/pull_subscription.hpp"

#include <algorithm>

namespace logistics::nats {
namespace {

// Moves every message out of a nats.c list and frees the list.
std::vector<Message> TakeAll(natsMsgList& list) {
  std::vector<Message> messages;
  messages.reserve(static_cast<std::size_t>(std::max(list.Count, 0)));
  for (int i = 0; i < list.Count; ++i) {
    messages.emplace_back(MessageHandle(list.Msgs[i]));
    list.Msgs[i] = nullptr;
  }
  natsMsgList_Destroy(&list);
  return messages;
}

}  // namespace

PullSubscription::~PullSubscription() = default;

common::Result<std::vector<Message>, NatsError> PullSubscription::Fetch(
    std::size_t batch, std::chrono::milliseconds wait) {
  natsMsgList list{};
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = natsSubscription_Fetch(&list, handle_.get(), static_cast<int>(batch),
                                              wait.count(), &js_error);
  auto messages = TakeAll(list);
  if (s != NATS_OK) return common::Unexpected{MakeNatsError(s, "fetch", js_error)};
  return messages;
}

common::Result<std::vector<Message>, NatsError> PullSubscription::FetchAvailable(
    std::size_t batch, std::chrono::milliseconds expires) {
  natsMsgList list{};
  jsFetchRequest request{};
  request.Batch = static_cast<int>(batch);
  request.NoWait = true;  // an empty answer means there is nothing more
  request.Expires = std::chrono::duration_cast<std::chrono::nanoseconds>(expires).count();
  const natsStatus s = natsSubscription_FetchRequest(&list, handle_.get(), &request);
  const bool nothing = list.Count == 0;
  auto messages = TakeAll(list);
  // NoWait: the server answers "no messages" (404) when the consumer is empty.
  if (s == NATS_NOT_FOUND || (s == NATS_TIMEOUT && nothing)) return std::vector<Message>{};
  if (s != NATS_OK) return common::Unexpected{MakeNatsError(s, "fetch")};
  return messages;
}

common::Result<std::uint64_t, NatsError> PullSubscription::Pending() {
  jsConsumerInfo* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = natsSubscription_GetConsumerInfo(&raw, handle_.get(), nullptr, &js_error);
  const std::unique_ptr<jsConsumerInfo, Deleter<jsConsumerInfo, jsConsumerInfo_Destroy>> info(raw);
  if (s != NATS_OK) return common::Unexpected{MakeNatsError(s, "consumer info", js_error)};
  return info->NumPending;
}

void PullSubscription::Unsubscribe() {
  if (unsubscribed_) return;
  unsubscribed_ = true;
  // Fails, harmlessly, when the subscription has closed already.
  natsSubscription_Unsubscribe(handle_.get());
}

}  // namespace logistics::nats

#include "logistics/nats/message.hpp"

#include <cstdlib>

namespace logistics::nats {
namespace {

common::Result<void, NatsError> Check(natsStatus s, std::string_view context) {
  if (s != NATS_OK) return common::Unexpected{MakeNatsError(s, context)};
  return {};
}

}  // namespace

common::Result<Message, NatsError> Message::Create(const std::string& subject,
                                                   std::string_view data) {
  natsMsg* raw = nullptr;
  const natsStatus s = natsMsg_Create(&raw, subject.c_str(), nullptr, data.data(),
                                      static_cast<int>(data.size()));
  MessageHandle handle(raw);
  if (s != NATS_OK) return common::Unexpected{MakeNatsError(s, "message to " + subject)};
  return Message(std::move(handle));
}

std::string_view Message::subject() const {
  const char* subject = natsMsg_GetSubject(handle_.get());
  return subject == nullptr ? std::string_view() : std::string_view(subject);
}

std::string_view Message::data() const {
  const char* data = natsMsg_GetData(handle_.get());
  return data == nullptr ? std::string_view()
                         : std::string_view(data, static_cast<std::size_t>(
                                                      natsMsg_GetDataLength(handle_.get())));
}

std::string_view Message::reply() const {
  const char* reply = natsMsg_GetReply(handle_.get());
  return reply == nullptr ? std::string_view() : std::string_view(reply);
}

std::optional<std::string> Message::Header(const std::string& key) const {
  return HeaderOf(handle_.get(), key.c_str());
}

std::map<std::string, std::string> Message::Headers() const {
  std::map<std::string, std::string> headers;
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(handle_.get(), &keys, &count) != NATS_OK) return headers;
  for (int i = 0; i < count; ++i) {
    const char* value = nullptr;
    if (natsMsgHeader_Get(handle_.get(), keys[i], &value) == NATS_OK && value != nullptr) {
      headers[keys[i]] = value;
    }
  }
  free(static_cast<void*>(keys));  // nats.c hands the array over; the strings stay the message's
  return headers;
}

common::Result<void, NatsError> Message::SetHeader(const std::string& key,
                                                   const std::string& value) {
  return Check(natsMsgHeader_Set(handle_.get(), key.c_str(), value.c_str()), "header " + key);
}

std::optional<DeliveryMetadata> Message::Metadata() const {
  jsMsgMetaData* raw = nullptr;
  if (natsMsg_GetMetaData(&raw, handle_.get()) != NATS_OK) return std::nullopt;
  const std::unique_ptr<jsMsgMetaData, Deleter<jsMsgMetaData, jsMsgMetaData_Destroy>> meta(raw);
  return DeliveryMetadata{meta->Sequence.Stream, meta->NumDelivered, meta->NumPending,
                          meta->Timestamp};
}

common::Result<void, NatsError> Message::Ack() {
  return Check(natsMsg_Ack(handle_.get(), nullptr), "ack");
}

common::Result<void, NatsError> Message::Nak() {
  return Check(natsMsg_Nak(handle_.get(), nullptr), "nak");
}

common::Result<void, NatsError> Message::NakWithDelay(std::chrono::milliseconds delay) {
  // nats.c takes this delay in milliseconds (unlike AckWait, in nanoseconds).
  return Check(natsMsg_NakWithDelay(handle_.get(), delay.count(), nullptr), "nak");
}

common::Result<void, NatsError> Message::InProgress() {
  return Check(natsMsg_InProgress(handle_.get(), nullptr), "in progress");
}

common::Result<void, NatsError> Message::Term() {
  return Check(natsMsg_Term(handle_.get(), nullptr), "term");
}

std::optional<std::string> HeaderOf(natsMsg* message, const char* key) {
  const char* value = nullptr;
  if (natsMsgHeader_Get(message, key, &value) != NATS_OK || value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace logistics::nats

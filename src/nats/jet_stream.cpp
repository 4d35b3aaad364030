#include "logistics/nats/jet_stream.hpp"

#include "logistics/logging/log.hpp"
#include "logistics/nats/pull_subscription.hpp"

namespace logistics::nats {
namespace {

using common::Unexpected;
using ConsumerInfoHandle =
    std::unique_ptr<jsConsumerInfo, Deleter<jsConsumerInfo, jsConsumerInfo_Destroy>>;
using PubAckHandle = std::unique_ptr<jsPubAck, Deleter<jsPubAck, jsPubAck_Destroy>>;

StreamInfo InfoOf(const jsStreamInfo& info) {
  StreamInfo out;
  if (const jsStreamConfig* config = info.Config; config != nullptr) {
    if (config->Name != nullptr) out.config.name = config->Name;
    if (config->Description != nullptr) out.config.description = config->Description;
    for (int i = 0; i < config->SubjectsLen; ++i) out.config.subjects.emplace_back(config->Subjects[i]);
    out.config.storage = config->Storage == js_MemoryStorage ? StorageKind::kMemory : StorageKind::kFile;
    out.config.duplicate_window = std::chrono::nanoseconds(config->Duplicates);
    out.config.max_message_size = config->MaxMsgSize;
    out.config.max_age = std::chrono::nanoseconds(config->MaxAge);
    out.config.max_bytes = config->MaxBytes;
    out.config.replicas = static_cast<int>(config->Replicas);
  }
  out.messages = info.State.Msgs;
  out.first_sequence = info.State.FirstSeq;
  out.last_sequence = info.State.LastSeq;
  out.clustered = info.Cluster != nullptr;
  return out;
}

// A jsStreamConfig pointing into `config` and `subjects`, which must outlive it.
jsStreamConfig RawConfigOf(const StreamConfig& config, std::vector<const char*>& subjects) {
  subjects.clear();
  for (const auto& subject : config.subjects) subjects.push_back(subject.c_str());
  jsStreamConfig raw;
  jsStreamConfig_Init(&raw);
  raw.Name = config.name.c_str();
  raw.Description = config.description.empty() ? nullptr : config.description.c_str();
  raw.Subjects = subjects.data();
  raw.SubjectsLen = static_cast<int>(subjects.size());
  raw.Storage = config.storage == StorageKind::kMemory ? js_MemoryStorage : js_FileStorage;
  raw.Duplicates = config.duplicate_window.count();
  raw.MaxMsgSize = config.max_message_size;
  raw.MaxAge = config.max_age.count();
  raw.MaxBytes = config.max_bytes;
  raw.Replicas = config.replicas;
  return raw;
}

// js_AddStream or js_UpdateStream with `config`; `action` names the error.
using StreamConfigCall = natsStatus (*)(jsStreamInfo**, jsCtx*, jsStreamConfig*, jsOptions*,
                                        jsErrCode*);
common::Result<StreamInfo, NatsError> ApplyStreamConfig(StreamConfigCall call, jsCtx* context,
                                                        const StreamConfig& config,
                                                        const char* action) {
  std::vector<const char*> subjects;
  jsStreamConfig raw_config = RawConfigOf(config, subjects);
  jsStreamInfo* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = call(&raw, context, &raw_config, nullptr, &js_error);
  StreamInfoHandle info(raw);
  if (s != NATS_OK) return Unexpected{MakeNatsError(s, action + config.name, js_error)};
  return InfoOf(*info);
}

}  // namespace

// The asynchronous PubAck callback and its trampoline; nats.c holds a
// pointer to it for as long as the context lives.
struct JetStream::AckCallback {
  static void OnPubAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                       void* closure) noexcept {
    const Message sent{MessageHandle(msg)};  // the ack handler owns the original message
    try {
      auto* self = static_cast<AckCallback*>(closure);
      if (!self->on_ack) return;
      if (ack != nullptr) {
        self->on_ack(sent, PubAck{ack->Stream != nullptr ? ack->Stream : "", ack->Sequence,
                                  ack->Duplicate});
      } else if (error != nullptr) {
        self->on_ack(sent, Unexpected{MakePublishError(error->Err, sent.subject(), error->ErrCode,
                                                       error->ErrText ? error->ErrText : "")});
      }
    } catch (const std::exception& failure) {
      logging::Error("a PubAck callback threw", {{"error", failure.what()}});
    } catch (...) {
      logging::Error("a PubAck callback threw an unknown exception");
    }
  }

  std::function<void(const Message&, PubAckResult)> on_ack;
};

JetStream::JetStream(jsCtx* context, JetStreamHandle owned, std::unique_ptr<AckCallback> callback)
    : context_(context), callback_(std::move(callback)), owned_(std::move(owned)) {}

JetStream::~JetStream() = default;

common::Result<std::unique_ptr<JetStream>, NatsError> JetStream::Create(Connection& connection,
                                                                        AsyncPublishSettings async) {
  auto callback = std::make_unique<AckCallback>();
  callback->on_ack = std::move(async.on_ack);
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = static_cast<int64_t>(async.max_pending);
  if (callback->on_ack) {
    options.PublishAsync.AckHandler = &AckCallback::OnPubAck;
    options.PublishAsync.AckHandlerClosure = callback.get();
  }
  jsCtx* raw = nullptr;
  const natsStatus s = natsConnection_JetStream(&raw, connection.get(), &options);
  JetStreamHandle owned(raw);
  if (s != NATS_OK) return Unexpected{MakeNatsError(s, "create JetStream context")};
  return std::unique_ptr<JetStream>(new JetStream(raw, std::move(owned), std::move(callback)));
}

std::unique_ptr<JetStream> JetStream::Borrow(jsCtx* context) {
  return std::unique_ptr<JetStream>(new JetStream(context, nullptr, std::make_unique<AckCallback>()));
}

common::Result<StreamInfo, NatsError> JetStream::GetStreamInfo(const std::string& stream) {
  jsStreamInfo* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&raw, context_, stream.c_str(), nullptr, &js_error);
  StreamInfoHandle info(raw);
  if (s != NATS_OK) return Unexpected{MakeNatsError(s, "look up stream " + stream, js_error)};
  return InfoOf(*info);
}

common::Result<StreamInfo, NatsError> JetStream::AddStream(const StreamConfig& config) {
  return ApplyStreamConfig(js_AddStream, context_, config, "create stream ");
}

common::Result<StreamInfo, NatsError> JetStream::UpdateStream(const StreamConfig& config) {
  return ApplyStreamConfig(js_UpdateStream, context_, config, "update stream ");
}

common::Result<Message, NatsError> JetStream::GetMessage(const std::string& stream,
                                                         std::uint64_t sequence) {
  natsMsg* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetMsg(&raw, context_, stream.c_str(), sequence, nullptr, &js_error);
  MessageHandle message(raw);
  if (s != NATS_OK) {
    return Unexpected{MakeNatsError(
        s, "read message " + std::to_string(sequence) + " of stream " + stream, js_error)};
  }
  return Message(std::move(message));
}

common::Result<void, NatsError> JetStream::EnsureDurableConsumer(const DurableConsumerConfig& config) {
  jsConsumerConfig raw_config;
  jsConsumerConfig_Init(&raw_config);
  raw_config.Durable = config.durable.c_str();
  raw_config.Description = config.description.empty() ? nullptr : config.description.c_str();
  raw_config.DeliverPolicy = js_DeliverAll;
  raw_config.AckPolicy = js_AckExplicit;
  raw_config.AckWait = config.ack_wait.count();
  raw_config.MaxDeliver = -1;
  raw_config.FilterSubject = config.filter_subject.c_str();

  jsConsumerInfo* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_AddConsumer(&raw, context_, config.stream.c_str(), &raw_config, nullptr, &js_error);
  ConsumerInfoHandle added(raw);
  if (s != NATS_OK && js_error == JSConsumerNameExistErr) {
    raw = nullptr;
    s = js_UpdateConsumer(&raw, context_, config.stream.c_str(), &raw_config, nullptr, &js_error);
    ConsumerInfoHandle updated(raw);
  }
  if (s != NATS_OK) {
    return Unexpected{MakeNatsError(s, "create consumer " + config.durable, js_error)};
  }
  return {};
}

common::Result<ConsumerInfo, NatsError> JetStream::GetConsumerInfo(const std::string& stream,
                                                                   const std::string& durable) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_GetConsumerInfo(&raw, context_, stream.c_str(), durable.c_str(), nullptr, &js_error);
  ConsumerInfoHandle info(raw);
  if (s != NATS_OK) {
    return Unexpected{MakeNatsError(s, "look up consumer " + durable + " on " + stream, js_error)};
  }
  ConsumerInfo out;
  out.stream = stream;
  out.durable = durable;
  if (const jsConsumerConfig* config = info->Config; config != nullptr) {
    if (config->FilterSubject != nullptr) out.filter_subject = config->FilterSubject;
    out.acks_explicitly = config->AckPolicy == js_AckExplicit;
    out.delivers_everything = config->DeliverPolicy == js_DeliverAll;
    out.ack_wait = std::chrono::nanoseconds(config->AckWait);
    out.max_deliver = config->MaxDeliver;
  }
  out.pending = info->NumPending;
  if (info->Cluster != nullptr && info->Cluster->Leader != nullptr) out.leader = info->Cluster->Leader;
  return out;
}

common::Result<std::unique_ptr<PullSubscription>, NatsError> JetStream::BindPull(
    const DurableConsumerConfig& config) {
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = config.stream.c_str();
  options.Consumer = config.durable.c_str();
  options.ManualAck = true;
  natsSubscription* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = js_PullSubscribe(&raw, context_, config.filter_subject.c_str(),
                                        config.durable.c_str(), nullptr, &options, &js_error);
  SubscriptionHandle handle(raw);
  if (s != NATS_OK) return Unexpected{MakeNatsError(s, "pull subscribe", js_error)};
  return std::make_unique<PullSubscription>(std::move(handle));
}

common::Result<std::unique_ptr<PullSubscription>, NatsError> JetStream::ReadEphemeral(
    const EphemeralReadConfig& config) {
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = config.stream.c_str();
  options.Config.AckPolicy = js_AckNone;
  if (config.start_time_unix_ns) {
    options.Config.DeliverPolicy = js_DeliverByStartTime;
    options.Config.OptStartTime = *config.start_time_unix_ns;
  } else if (config.start_sequence > 0) {
    options.Config.DeliverPolicy = js_DeliverByStartSequence;
    options.Config.OptStartSeq = config.start_sequence;
  } else {
    options.Config.DeliverPolicy = js_DeliverAll;
  }
  natsSubscription* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = js_PullSubscribe(&raw, context_, config.filter_subject.c_str(), nullptr,
                                        nullptr, &options, &js_error);
  SubscriptionHandle handle(raw);
  if (s != NATS_OK) {
    return Unexpected{MakeNatsError(
        s, "read stream " + config.stream + " (subjects " + config.filter_subject + ")", js_error)};
  }
  return std::make_unique<PullSubscription>(std::move(handle));
}

PubAckResult JetStream::Publish(const Message& message, const PublishExpectations& expectations) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = expectations.max_wait.count();
  if (!expectations.stream.empty()) options.ExpectStream = expectations.stream.c_str();
  jsPubAck* raw = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  const natsStatus s = js_PublishMsg(&raw, context_, message.get(), &options, &js_error);
  PubAckHandle ack(raw);
  if (s != NATS_OK) return Unexpected{MakePublishError(s, message.subject(), js_error)};
  return PubAck{ack->Stream != nullptr ? ack->Stream : "", ack->Sequence, ack->Duplicate};
}

common::Result<void, NatsError> JetStream::PublishAsync(Message message,
                                                        std::chrono::milliseconds ack_timeout) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = ack_timeout.count();
  const std::string subject(message.subject());
  natsMsg* handed = message.release();
  const natsStatus s = js_PublishMsgAsync(context_, &handed, &options);
  MessageHandle kept(handed);  // null when nats.c took ownership
  if (s != NATS_OK) return Unexpected{MakePublishError(s, subject)};
  return {};
}

common::Result<void, NatsError> JetStream::WaitForPublishes(std::chrono::milliseconds timeout) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = timeout.count();
  if (natsStatus s = js_PublishAsyncComplete(context_, &options); s != NATS_OK) {
    return Unexpected{MakeNatsError(s, "wait for PubAcks")};
  }
  return {};
}

void JetStream::AbandonPendingPublishes() {
  natsMsgList pending{};
  if (js_PublishAsyncGetPendingList(&pending, context_) == NATS_OK) natsMsgList_Destroy(&pending);
}

}  // namespace logistics::nats

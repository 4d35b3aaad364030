// JetStream: a JetStream context on a connection, with typed requests and
// results: stream and consumer management, direct message reads, publishes
// (synchronous, or asynchronous with each PubAck handed to a callback), and
// pull subscriptions.
//
// Every failure comes back as a NatsError whose kind the caller decides by:
// kNotFound (no such stream, consumer or message), kNoResponders (a publish
// no stream captures, or JetStream is not enabled), kTooLarge (larger than the
// server or stream accepts), kLimitExceeded (a stream refused a message by its
// other limits), kTimeout, kNotConnected, ...
//
// Asynchronous publishing: the settings given to Create name at most how
// many publishes may wait for their PubAck and the callback that receives
// each PubAck (or its failure: refused by the server, or no PubAck within the
// publish's max wait). The callback runs on a nats.c thread, gets the message
// that was sent (by reference; it is destroyed afterwards) and must be quick
// and must not throw (it is called through a noexcept trampoline that logs
// and swallows).
//
// Usage (the relay's round):
//   auto js = JetStream::Create(connection, {256, [&](const Message& sent, PubAckResult ack) {...}});
//   for (...) (*js)->PublishAsync(std::move(message), 5s);
//   if (!(*js)->WaitForPublishes(6s)) (*js)->AbandonPendingPublishes();
//
// Ownership: owns the jsCtx (or, made by Borrow, uses one its owner keeps)
// and the callback; borrows the connection, which must outlive it and every
// PullSubscription made from it. Thread-safety: every method is safe from any
// thread (nats.c contexts are thread-safe), save that WaitForPublishes and
// AbandonPendingPublishes concern every asynchronous publish of the context,
// so one thread should drive them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/handles.hpp"
#include "logistics/nats/message.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::nats {

class PullSubscription;

enum class StorageKind { kFile, kMemory };

struct StreamConfig {
  std::string name;                   // "ORDERS"
  std::vector<std::string> subjects;  // {"orders.events.>"}
  std::string description;
  StorageKind storage = StorageKind::kFile;
  std::chrono::nanoseconds duplicate_window{0};  // 0: the server's default (2 min)
  std::int32_t max_message_size = -1;            // bytes; -1: unlimited
  std::chrono::nanoseconds max_age{0};           // 0: messages are kept for ever
  std::int64_t max_bytes = -1;                   // -1: no size limit (the oldest go first)
  int replicas = 1;                              // copies on a cluster (num_replicas)
};

struct StreamInfo {
  StreamConfig config;
  std::uint64_t messages = 0;
  std::uint64_t first_sequence = 0;
  std::uint64_t last_sequence = 0;  // 0 when nothing was ever stored
  // The server answered with cluster information: it runs in a JetStream
  // cluster. A server that is not clustered holds one copy whatever
  // config.replicas says (2.9.10 accepts an update to 3 replicas there).
  bool clustered = false;
};

// A durable pull consumer with explicit acks that delivers the whole stream
// (filtered) and never gives up on a message by itself (MaxDeliver -1): the
// service counts deliveries.
struct DurableConsumerConfig {
  std::string stream;
  std::string durable;
  std::string filter_subject;
  std::string description;
  std::chrono::nanoseconds ack_wait{std::chrono::seconds(30)};
};

// What the server holds for a durable consumer: the parts of its
// configuration a service depends on, and how far behind it is.
struct ConsumerInfo {
  std::string stream;
  std::string durable;
  std::string filter_subject;
  bool acks_explicitly = false;      // AckPolicy explicit
  bool delivers_everything = false;  // DeliverPolicy all
  std::chrono::nanoseconds ack_wait{0};
  std::int64_t max_deliver = -1;  // -1: no limit
  std::uint64_t pending = 0;      // messages not yet delivered (num_pending)
  // The server that leads the consumer (its Raft group's leader in a cluster;
  // the one server otherwise); "" when the answer names none.
  std::string leader;
};

// Where an ephemeral, unacknowledged read of a stream starts.
struct EphemeralReadConfig {
  std::string stream;
  std::string filter_subject;
  std::uint64_t start_sequence = 0;                 // > 0: from this sequence
  std::optional<std::int64_t> start_time_unix_ns;   // else from this stored time
  // neither: from the first message
};

struct PubAck {
  std::string stream;
  std::uint64_t sequence = 0;
  bool duplicate = false;  // the stream already held a message with this Nats-Msg-Id
};

using PubAckResult = common::Result<PubAck, NatsError>;

struct AsyncPublishSettings {
  std::size_t max_pending = 256;
  std::function<void(const Message& sent, PubAckResult ack)> on_ack;
};

struct PublishExpectations {
  std::string stream;  // "": any stream; else the publish fails with kWrongStream
  std::chrono::milliseconds max_wait{5000};
};

class JetStream {
 public:
  // Creates a context on `connection`. Fails only for resource exhaustion.
  static common::Result<std::unique_ptr<JetStream>, NatsError> Create(
      Connection& connection, AsyncPublishSettings async = {});
  // A JetStream over a context someone else owns (a test harness's); it
  // cannot publish asynchronously.
  static std::unique_ptr<JetStream> Borrow(jsCtx* context);
  ~JetStream();
  JetStream(const JetStream&) = delete;
  JetStream& operator=(const JetStream&) = delete;

  // The stream's configuration and state. kNotFound when it does not exist.
  common::Result<StreamInfo, NatsError> GetStreamInfo(const std::string& stream);
  // Creates a stream; kAlreadyExists when one of that name differs, kRejected
  // for a configuration the server refuses (subjects overlapping another stream).
  common::Result<StreamInfo, NatsError> AddStream(const StreamConfig& config);
  // Changes a stream's configuration (storage cannot change on a live stream).
  common::Result<StreamInfo, NatsError> UpdateStream(const StreamConfig& config);
  // The message stored at `sequence`. kNotFound when none is (deleted,
  // purged, or past the end), or when the stream does not exist.
  common::Result<Message, NatsError> GetMessage(const std::string& stream, std::uint64_t sequence);

  // Creates the durable consumer, or updates it when it exists with another
  // configuration. kNotFound when the stream does not exist.
  common::Result<void, NatsError> EnsureDurableConsumer(const DurableConsumerConfig& config);
  // The consumer's configuration and state. kNotFound when it (or its
  // stream) does not exist.
  common::Result<ConsumerInfo, NatsError> GetConsumerInfo(const std::string& stream,
                                                          const std::string& durable);
  // Binds a pull subscription to an existing durable consumer.
  common::Result<std::unique_ptr<PullSubscription>, NatsError> BindPull(
      const DurableConsumerConfig& config);
  // An ephemeral pull consumer with no acks (deleted when the subscription
  // is unsubscribed, or by the server a while after the process is gone).
  common::Result<std::unique_ptr<PullSubscription>, NatsError> ReadEphemeral(
      const EphemeralReadConfig& config);

  // Publishes and waits for the PubAck.
  PubAckResult Publish(const Message& message, const PublishExpectations& expectations = {});
  // Sends the message and returns; its PubAck goes to the callback given to
  // Create, or a failure does after `ack_timeout`. Fails at once when the
  // message cannot be sent (not connected, too many pending); the callback
  // is then not called for it.
  common::Result<void, NatsError> PublishAsync(Message message,
                                               std::chrono::milliseconds ack_timeout);
  // Waits until every asynchronous publish has its PubAck (or failure).
  // kTimeout when some are still pending at the deadline.
  common::Result<void, NatsError> WaitForPublishes(std::chrono::milliseconds timeout);
  // Takes back every publish still waiting for its PubAck: the callback is
  // not called for them any more (they count as not acknowledged).
  void AbandonPendingPublishes();

 private:
  struct AckCallback;
  JetStream(jsCtx* context, JetStreamHandle owned, std::unique_ptr<AckCallback> callback);

  jsCtx* context_;
  // Declared after the callback: the context is destroyed first.
  std::unique_ptr<AckCallback> callback_;
  JetStreamHandle owned_;
};

}  // namespace logistics::nats

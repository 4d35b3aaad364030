// Message: one NATS message, owned.
//
// A message we build to publish (Create, SetHeader), or one nats.c delivered
// to us (a request, a reply, a JetStream delivery). For a JetStream delivery
// from a pull subscription, Metadata() tells its stream sequence and how
// often it was delivered, and Ack/Nak/NakWithDelay/InProgress/Term settle
// it: each sends one message to the server on the connection the message
// arrived on, and fails (kNotConnected, or kOther for a message that carries
// no reply subject to answer on) without throwing.
//
// Header names are matched exactly as written (nats.c is case-sensitive).
//
// Ownership: owns its natsMsg (destroyed with it); movable, not copyable.
// Thread-safety: one thread at a time; settling it from another thread than
// the one that received it is fine (nats.c's publish is thread-safe).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/nats/handles.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::nats {

// What JetStream says about a message it delivered.
struct DeliveryMetadata {
  std::uint64_t stream_sequence = 0;
  std::uint64_t deliveries = 1;  // 1 on the first delivery
  std::uint64_t pending = 0;     // messages the consumer still holds after this one
  std::int64_t stored_at_ns = 0; // when the stream stored it, ns since the Unix epoch
};

class Message {
 public:
  // A message to publish on `subject` with `data` as its body. Fails only for
  // an invalid subject or resource exhaustion.
  static common::Result<Message, NatsError> Create(const std::string& subject,
                                                   std::string_view data);
  // Takes ownership of what nats.c handed over (src/nats only).
  explicit Message(MessageHandle handle) : handle_(std::move(handle)) {}

  std::string_view subject() const;
  std::string_view data() const;
  // The reply subject; "" when the sender expects no reply.
  std::string_view reply() const;

  // The header's (first) value, or nullopt when absent.
  std::optional<std::string> Header(const std::string& key) const;
  // Every header with its first value.
  std::map<std::string, std::string> Headers() const;
  // Sets (replaces) a header. Fails for a value nats.c refuses.
  common::Result<void, NatsError> SetHeader(const std::string& key, const std::string& value);

  // JetStream's delivery metadata; nullopt for a message that is not a
  // JetStream delivery.
  std::optional<DeliveryMetadata> Metadata() const;

  // Settles a JetStream delivery (see the class comment).
  common::Result<void, NatsError> Ack();
  common::Result<void, NatsError> Nak();
  common::Result<void, NatsError> NakWithDelay(std::chrono::milliseconds delay);
  common::Result<void, NatsError> InProgress();
  common::Result<void, NatsError> Term();

  // The nats.c message, for the wrappers in src/nats.
  natsMsg* get() const { return handle_.get(); }
  // Hands the nats.c message over (src/nats only: to a call that takes it).
  natsMsg* release() { return handle_.release(); }

 private:
  MessageHandle handle_;
};

// The header's value in a raw nats.c message. Kept for code outside
// messaging that still holds raw messages (NatsOrderDirectory, issue 16);
// new code uses Message::Header.
std::optional<std::string> HeaderOf(natsMsg* message, const char* key);

}  // namespace logistics::nats

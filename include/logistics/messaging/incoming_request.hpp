// IncomingRequest: one command or query received on an endpoint, and the only
// way to answer it.
//
// It owns the NATS message. Its metadata comes from the request's headers:
//  - `Nats-Msg-Id`: the command's key (idempotency, causation); when absent a
//    request id is generated, so every command has a causation id;
//  - `Correlation-Id`: carried into every event the command causes; generated
//    when absent;
//  - `traceparent` / `tracestate` (W3C Trace Context): carried the same way.
// Header names are matched exactly as written above (nats.c is case-sensitive).
//
// Respond() answers once; later calls are ignored. With no reply subject (a
// `nats pub`), success is silent and an error is published on
// `<service>.rejected.<verb>` with the error body plus the rejected command's
// subject and key, so `nats sub '*.rejected.>'` shows it.
//
// Ownership: owns its message; borrows the connection. Thread-safety: may be
// answered from any thread (for example the writer's), once.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "logistics/messaging/endpoint_stats.hpp"
#include "logistics/messaging/error_reply.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/message.hpp"

namespace logistics::messaging {

struct RequestMetadata {
  std::string request_id;               // Nats-Msg-Id, or a generated UUIDv7
  bool request_id_from_client = false;  // true when Nats-Msg-Id was sent
  std::string correlation_id;           // Correlation-Id, or a generated UUIDv7
  std::optional<std::string> traceparent;
  std::optional<std::string> tracestate;
};

class IncomingRequest {
 public:
  // `stats` (may be null) is told when the request is answered and how.
  IncomingRequest(nats::Connection& connection, nats::Message message, std::string service,
                  std::string verb, RequestMetadata metadata, EndpointStats* stats = nullptr);

  std::string_view subject() const;
  std::string_view data() const;
  std::string_view verb() const { return verb_; }
  bool ExpectsReply() const;
  const RequestMetadata& metadata() const { return metadata_; }

  // Sends `body` as the success reply. Returns false if the send failed (the
  // requester times out; nothing else can be done).
  bool Respond(std::string_view body);
  // Sends the error reply (or publishes the rejection).
  bool Respond(const ErrorReply& error);
  // Sends a reply exactly as first sent: a body, and for status != 200 the
  // error headers with `error_message` (an idempotent repeat).
  bool RespondStored(int status, std::string_view body, std::string_view error_message);
  bool Responded() const { return responded_.load(); }

 private:
  bool SendError(int status, std::string_view message, std::string body);

  nats::Connection& connection_;
  nats::Message message_;
  std::string service_;
  std::string verb_;
  RequestMetadata metadata_;
  EndpointStats* stats_;
  std::chrono::steady_clock::time_point received_at_;
  std::atomic<bool> responded_{false};
};

// Reads a header of a raw nats.c message, or nullopt when absent. Kept for
// NatsOrderDirectory until it uses nats::Connection::Request (issue 16).
using nats::HeaderOf;

}  // namespace logistics::messaging

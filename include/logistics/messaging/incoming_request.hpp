// IncomingRequest: one command or query received on an endpoint, and the only
// way to answer it.
//
// It owns the NATS message. Its metadata comes from the request's headers,
// decoded and bounded by the Responder (request_metadata.hpp) before any
// handler sees the request.
//
// Respond() answers once; later calls are ignored. With no reply subject (a
// `nats pub`), success is silent and an error is published on
// `<service>.rejected.<verb>` with the error body plus the rejected command's
// subject, key and correlation id, so `nats sub '*.rejected.>'` shows it
// (both ids are within RequestMetadata's bounds, so a rejection stays small).
//
// Ownership: owns its message; borrows the connection. Thread-safety: may be
// answered from any thread (for example the writer's), once.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "logistics/messaging/endpoint_stats.hpp"
#include "logistics/messaging/error_reply.hpp"
#include "logistics/messaging/request_metadata.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/message.hpp"

namespace logistics::messaging {

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

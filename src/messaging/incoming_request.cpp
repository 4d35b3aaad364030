#include "logistics/json/json_text.hpp"
#include "logistics/messaging/incoming_request.hpp"

#include <nlohmann/json.hpp>

#include "logistics/logging/log.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::messaging {

IncomingRequest::IncomingRequest(nats::Connection& connection, nats::Message message,
                                 std::string service, std::string verb, RequestMetadata metadata,
                                 EndpointStats* stats)
    : connection_(connection),
      message_(std::move(message)),
      service_(std::move(service)),
      verb_(std::move(verb)),
      metadata_(std::move(metadata)),
      stats_(stats),
      received_at_(std::chrono::steady_clock::now()) {}

std::string_view IncomingRequest::subject() const { return message_.subject(); }

std::string_view IncomingRequest::data() const { return message_.data(); }

bool IncomingRequest::ExpectsReply() const { return !message_.reply().empty(); }

bool IncomingRequest::Respond(std::string_view body) {
  if (responded_.exchange(true)) return false;
  if (stats_ != nullptr) stats_->RecordAnswer(std::chrono::steady_clock::now() - received_at_, 200);
  if (!ExpectsReply()) return true;  // `nats pub`: success is silent
  auto sent = connection_.Publish(std::string(message_.reply()), body);
  if (!sent) logging::Warn("could not send a reply", {{"error", sent.error().message}});
  return static_cast<bool>(sent);
}

bool IncomingRequest::Respond(const ErrorReply& error) {
  if (responded_.exchange(true)) return false;
  return SendError(error.status, error.message, error.Body());
}

bool IncomingRequest::RespondStored(int status, std::string_view body,
                                    std::string_view error_message) {
  if (status == 200) return Respond(body);
  if (responded_.exchange(true)) return false;
  return SendError(status, error_message, std::string(body));
}

bool IncomingRequest::SendError(int status, std::string_view message, std::string body) {
  if (stats_ != nullptr) {
    stats_->RecordAnswer(std::chrono::steady_clock::now() - received_at_, status);
    stats_->RecordError(std::to_string(status) + " " + std::string(message));
  }
  std::string subject;
  if (ExpectsReply()) {
    subject = std::string(message_.reply());
  } else {
    // Nobody waits for this answer: publish it where operators can watch.
    subject = service_ + ".rejected." + verb_;
    auto document = nlohmann::ordered_json::parse(body, nullptr, false);
    if (document.is_object()) {
      document["command"] = {{"subject", std::string(this->subject())},
                             {"msg_id", metadata_.request_id_from_client
                                            ? nlohmann::ordered_json(metadata_.request_id)
                                            : nlohmann::ordered_json(nullptr)},
                             {"correlation_id", metadata_.correlation_id}};
      body = json::Serialize(document);
    }
  }
  // A header value cannot hold CR or LF; keep the readable message on one line.
  std::string readable(message);
  for (char& c : readable) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  auto reply = nats::Message::Create(subject, body);
  common::Result<void, nats::NatsError> sent =
      reply ? common::Result<void, nats::NatsError>() : common::Unexpected{reply.error()};
  if (sent) sent = reply->SetHeader("Nats-Service-Error", readable);
  if (sent) sent = reply->SetHeader("Nats-Service-Error-Code", std::to_string(status));
  if (sent) sent = connection_.Publish(*reply);
  if (!sent) logging::Warn("could not send an error reply", {{"error", sent.error().message}});
  return static_cast<bool>(sent);
}

}  // namespace logistics::messaging

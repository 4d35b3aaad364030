#include "logistics/json/json_text.hpp"
#include "logistics/messaging/incoming_request.hpp"

#include <nlohmann/json.hpp>

#include "logistics/logging/log.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::messaging {

std::optional<std::string> HeaderOf(natsMsg* message, const char* key) {
  const char* value = nullptr;
  if (natsMsgHeader_Get(message, key, &value) != NATS_OK || value == nullptr) return std::nullopt;
  return std::string(value);
}

IncomingRequest::IncomingRequest(natsConnection* connection, nats::MessageHandle message,
                                 std::string service, std::string verb, RequestMetadata metadata,
                                 EndpointStats* stats)
    : connection_(connection),
      message_(std::move(message)),
      service_(std::move(service)),
      verb_(std::move(verb)),
      metadata_(std::move(metadata)),
      stats_(stats),
      received_at_(std::chrono::steady_clock::now()) {}

std::string_view IncomingRequest::subject() const { return natsMsg_GetSubject(message_.get()); }

std::string_view IncomingRequest::data() const {
  const char* data = natsMsg_GetData(message_.get());
  return data == nullptr ? std::string_view()
                         : std::string_view(data, natsMsg_GetDataLength(message_.get()));
}

bool IncomingRequest::ExpectsReply() const {
  const char* reply = natsMsg_GetReply(message_.get());
  return reply != nullptr && *reply != '\0';
}

bool IncomingRequest::Respond(std::string_view body) {
  if (responded_.exchange(true)) return false;
  if (stats_ != nullptr) stats_->RecordAnswer(std::chrono::steady_clock::now() - received_at_);
  if (!ExpectsReply()) return true;  // `nats pub`: success is silent
  const natsStatus s = natsConnection_Publish(connection_, natsMsg_GetReply(message_.get()),
                                             body.data(), static_cast<int>(body.size()));
  if (s != NATS_OK) {
    logging::Warn("could not send a reply", {{"error", nats::MakeNatsError(s, "reply").message}});
  }
  return s == NATS_OK;
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
    stats_->RecordAnswer(std::chrono::steady_clock::now() - received_at_);
    stats_->RecordError(std::to_string(status) + " " + std::string(message));
  }
  std::string subject;
  if (ExpectsReply()) {
    subject = natsMsg_GetReply(message_.get());
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
  natsMsg* raw = nullptr;
  natsStatus s = natsMsg_Create(&raw, subject.c_str(), nullptr, body.data(),
                                static_cast<int>(body.size()));
  nats::MessageHandle reply(raw);
  // A header value cannot hold CR or LF; keep the readable message on one line.
  std::string readable(message);
  for (char& c : readable) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  if (s == NATS_OK) s = natsMsgHeader_Set(reply.get(), "Nats-Service-Error", readable.c_str());
  if (s == NATS_OK) {
    s = natsMsgHeader_Set(reply.get(), "Nats-Service-Error-Code", std::to_string(status).c_str());
  }
  if (s == NATS_OK) s = natsConnection_PublishMsg(connection_, reply.get());
  if (s != NATS_OK) {
    logging::Warn("could not send an error reply",
                  {{"error", nats::MakeNatsError(s, "reply").message}});
  }
  return s == NATS_OK;
}

}  // namespace logistics::messaging

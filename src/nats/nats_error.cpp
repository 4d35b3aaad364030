#include "logistics/nats/nats_error.hpp"

#include <nats/nats.h>

#include <optional>

namespace logistics::nats {
namespace {

std::optional<NatsErrorKind> KindOfJetStreamError(int js_error_code) {
  switch (js_error_code) {
    case JSStreamNotFoundErr:
    case JSConsumerNotFoundErr:
    case JSNoMessageFoundErr:
      return NatsErrorKind::kNotFound;
    case JSStreamNameExistErr:
    case JSConsumerNameExistErr:
    case JSConsumerExistingActiveErr:
      return NatsErrorKind::kAlreadyExists;
    case JSStreamMessageExceedsMaximumErr:
      return NatsErrorKind::kTooLarge;
    case JSStreamStoreFailedErr:  // what 2.9 answers for max_msgs / max_bytes with discard new
    case JSInsufficientResourcesErr:
    case JSMaximumStreamsLimitErr:
      return NatsErrorKind::kLimitExceeded;
    case JSStreamWrongLastSequenceErr:
    case JSStreamWrongLastMsgIDErr:
      return NatsErrorKind::kWrongLastSequence;
    case JSStreamNotMatchErr:
      return NatsErrorKind::kWrongStream;
    default:
      return std::nullopt;
  }
}

NatsErrorKind KindOf(natsStatus status, int js_error_code) {
  switch (status) {
    case NATS_TIMEOUT:
      return NatsErrorKind::kTimeout;
    case NATS_NO_RESPONDERS:
      return NatsErrorKind::kNoResponders;
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NO_SERVER:
    case NATS_NOT_YET_CONNECTED:
    case NATS_STALE_CONNECTION:
    case NATS_CONNECTION_AUTH_FAILED:
      return NatsErrorKind::kNotConnected;
    case NATS_NOT_FOUND:
      return NatsErrorKind::kNotFound;
    case NATS_MAX_PAYLOAD:
      return NatsErrorKind::kTooLarge;
    default:
      break;
  }
  if (auto kind = KindOfJetStreamError(js_error_code)) return *kind;
  return js_error_code != 0 ? NatsErrorKind::kRejected : NatsErrorKind::kOther;
}

}  // namespace

std::string_view NatsErrorKindName(NatsErrorKind kind) {
  switch (kind) {
    case NatsErrorKind::kTimeout:
      return "timeout";
    case NatsErrorKind::kNoResponders:
      return "no responders";
    case NatsErrorKind::kNotConnected:
      return "not connected";
    case NatsErrorKind::kNotFound:
      return "not found";
    case NatsErrorKind::kAlreadyExists:
      return "already exists";
    case NatsErrorKind::kTooLarge:
      return "too large";
    case NatsErrorKind::kLimitExceeded:
      return "limit exceeded";
    case NatsErrorKind::kWrongLastSequence:
      return "wrong last sequence";
    case NatsErrorKind::kWrongStream:
      return "wrong stream";
    case NatsErrorKind::kRejected:
      return "rejected";
    case NatsErrorKind::kOther:
      return "other";
  }
  return "other";  // unreachable: the switch covers every kind
}

NatsError MakeNatsError(int status, std::string_view context, int js_error_code) {
  const auto s = static_cast<natsStatus>(status);
  NatsError error;
  error.kind = KindOf(s, js_error_code);
  error.status = status;
  error.jet_stream = js_error_code;
  error.message = std::string(context) + ": " + natsStatus_GetText(s);
  if (js_error_code != 0) error.message += " (JetStream error " + std::to_string(js_error_code) + ")";
  // nats_GetLastError holds thread-local detail for the call that just failed.
  natsStatus last = NATS_OK;
  if (const char* detail = nats_GetLastError(&last); detail != nullptr && last == s && *detail) {
    error.message += ": ";
    error.message += detail;
  }
  return error;
}

NatsError MakeTimeoutError(std::string message) {
  return NatsError{NatsErrorKind::kTimeout, NATS_TIMEOUT, 0, std::move(message)};
}

NatsError MakePublishError(int status, std::string_view subject, int js_error_code,
                           std::string_view server_text) {
  if (static_cast<natsStatus>(status) == NATS_NO_RESPONDERS) {
    NatsError error;
    error.kind = NatsErrorKind::kNoResponders;
    error.status = status;
    error.message = "publish to " + std::string(subject) +
                    ": no JetStream stream answered for this subject (is the stream created? on a cluster, "
                    "its leader may be being elected)";
    return error;
  }
  NatsError error = MakeNatsError(status, "publish to " + std::string(subject), js_error_code);
  if (!server_text.empty()) error.message += ": " + std::string(server_text);
  return error;
}

}  // namespace logistics::nats

#include "logistics/nats/nats_error.hpp"

#include <nats/nats.h>

namespace logistics::nats {
namespace {

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
    default:
      break;
  }
  if (js_error_code == JSStreamNotFoundErr || js_error_code == JSConsumerNotFoundErr) {
    return NatsErrorKind::kNotFound;
  }
  return js_error_code != 0 ? NatsErrorKind::kRejected : NatsErrorKind::kOther;
}

}  // namespace

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

NatsError MakePublishError(int status, std::string_view subject, int js_error_code,
                           std::string_view server_text) {
  if (static_cast<natsStatus>(status) == NATS_NO_RESPONDERS) {
    NatsError error;
    error.kind = NatsErrorKind::kNoResponders;
    error.status = status;
    error.message = "publish to " + std::string(subject) +
                    ": no JetStream stream captures this subject (is the stream created?)";
    return error;
  }
  NatsError error = MakeNatsError(status, "publish to " + std::string(subject), js_error_code);
  if (!server_text.empty()) error.message += ": " + std::string(server_text);
  return error;
}

}  // namespace logistics::nats

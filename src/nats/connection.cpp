#include "logistics/nats/connection.hpp"

#include <array>

#include "logistics/logging/log.hpp"

namespace logistics::nats {
namespace {

common::Unexpected<NatsError> Fail(natsStatus status, std::string_view context) {
  return common::Unexpected{MakeNatsError(status, context)};
}

}  // namespace

std::string RedactUrl(const std::string& urls) {
  std::string out;
  std::size_t start = 0;
  while (start <= urls.size()) {
    const std::size_t comma = std::min(urls.find(',', start), urls.size());
    std::string url = urls.substr(start, comma - start);
    const std::size_t scheme = url.find("://");
    const std::size_t at = url.rfind('@');
    const std::size_t from = scheme == std::string::npos ? 0 : scheme + 3;
    if (at != std::string::npos && at > from) {
      const std::size_t colon = url.find(':', from);
      if (colon != std::string::npos && colon < at) {
        url.replace(colon + 1, at - colon - 1, "***");  // user:password
      } else {
        url.replace(from, at - from, "***");  // a token
      }
    }
    out += url;
    if (comma == urls.size()) break;
    out += ',';
    start = comma + 1;
  }
  return out;
}

common::Result<std::unique_ptr<Connection>, NatsError> Connection::Connect(
    ConnectionSettings settings) {
  std::unique_ptr<Connection> connection(new Connection(std::move(settings)));
  natsOptions* raw_options = nullptr;
  if (natsStatus s = natsOptions_Create(&raw_options); s != NATS_OK) return Fail(s, "nats options");
  connection->options_.reset(raw_options);
  natsOptions* o = raw_options;
  const ConnectionSettings& cfg = connection->settings_;
  void* self = connection.get();

  natsStatus s = natsOptions_SetURL(o, cfg.url.c_str());
  if (s == NATS_OK && !cfg.name.empty()) s = natsOptions_SetName(o, cfg.name.c_str());
  if (s == NATS_OK && !cfg.user.empty()) {
    s = natsOptions_SetUserInfo(o, cfg.user.c_str(), cfg.password.c_str());
  }
  if (s == NATS_OK && !cfg.credentials_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(o, cfg.credentials_file.c_str(), nullptr);
  }
  const bool tls = !cfg.tls_ca_file.empty() || !cfg.tls_cert_file.empty();
  if (s == NATS_OK && tls) s = natsOptions_SetSecure(o, true);
  if (s == NATS_OK && !cfg.tls_ca_file.empty()) {
    s = natsOptions_LoadCATrustedCertificates(o, cfg.tls_ca_file.c_str());
  }
  if (s == NATS_OK && !cfg.tls_cert_file.empty()) {
    s = natsOptions_LoadCertificatesChain(o, cfg.tls_cert_file.c_str(), cfg.tls_key_file.c_str());
  }
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, -1);  // forever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, cfg.reconnect_wait.count());
  if (s == NATS_OK) s = natsOptions_SetSendAsap(o, cfg.send_at_once);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(o, &Connection::OnDisconnected, self);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(o, &Connection::OnReconnected, self);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(o, &Connection::OnAsyncError, self);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(o, &Connection::OnClosed, self);
  if (s != NATS_OK) return Fail(s, "nats options for " + RedactUrl(cfg.url));

  // A first, synchronous attempt tells a refusal (bad credentials, TLS) from
  // an absent server: the first is fatal and said clearly, the second is
  // retried in the background forever.
  natsConnection* raw = nullptr;
  s = natsOptions_SetRetryOnFailedConnect(o, false, nullptr, nullptr);
  if (s == NATS_OK) s = natsConnection_Connect(&raw, o);
  if (s == NATS_NO_SERVER) {
    natsConnection_Destroy(raw);
    raw = nullptr;
    s = natsOptions_SetRetryOnFailedConnect(o, true, &Connection::OnConnected, self);
    if (s == NATS_OK) s = natsConnection_Connect(&raw, o);
    if (s == NATS_NOT_YET_CONNECTED) {
      logging::Warn("NATS is not reachable yet; retrying in the background",
                    {{"url", RedactUrl(cfg.url)}});
      s = NATS_OK;
    }
  }
  connection->handle_.reset(raw);
  if (s == NATS_CONNECTION_AUTH_FAILED) {
    return common::Unexpected{NatsError{NatsErrorKind::kRejected, s, 0,
                                        "NATS refused the credentials for " + RedactUrl(cfg.url) +
                                            " (check --nats-user and the password or creds file)"}};
  }
  if (s != NATS_OK) return Fail(s, "connect to " + RedactUrl(cfg.url));
  return connection;
}

Connection::~Connection() { Close(); }

bool Connection::IsConnected() const {
  return handle_ && natsConnection_Status(handle_.get()) == NATS_CONN_STATUS_CONNECTED;
}

std::string Connection::ServerId() const {
  std::array<char, 128> buffer{};
  if (!IsConnected() ||
      natsConnection_GetConnectedServerId(handle_.get(), buffer.data(), buffer.size()) != NATS_OK) {
    return {};
  }
  return std::string(buffer.data());
}

common::Result<void, NatsError> Connection::Flush(std::chrono::milliseconds timeout) {
  if (natsStatus s = natsConnection_FlushTimeout(handle_.get(), timeout.count()); s != NATS_OK) {
    return Fail(s, "flush");
  }
  return {};
}

void Connection::Close() {
  closing_.store(true);
  if (handle_) natsConnection_Close(handle_.get());
}

void Connection::OnConnected(natsConnection*, void* closure) noexcept {
  try {
    auto* self = static_cast<Connection*>(closure);
    logging::Info("connected to NATS", {{"url", RedactUrl(self->settings_.url)}});
    if (self->settings_.on_reconnected) self->settings_.on_reconnected();
  } catch (...) {
  }
}

void Connection::OnDisconnected(natsConnection*, void* closure) noexcept {
  try {
    auto* self = static_cast<Connection*>(closure);
    if (self->closing_.load()) return;
    logging::Warn("disconnected from NATS; reconnecting", {{"url", RedactUrl(self->settings_.url)}});
    if (self->settings_.on_disconnected) self->settings_.on_disconnected();
  } catch (...) {
  }
}

void Connection::OnReconnected(natsConnection*, void* closure) noexcept {
  try {
    auto* self = static_cast<Connection*>(closure);
    logging::Info("reconnected to NATS", {{"url", RedactUrl(self->settings_.url)}});
    if (self->settings_.on_reconnected) self->settings_.on_reconnected();
  } catch (...) {
  }
}

void Connection::OnClosed(natsConnection* nc, void* closure) noexcept {
  try {
    auto* self = static_cast<Connection*>(closure);
    if (self->closing_.load()) return;
    const char* text = nullptr;
    const natsStatus last = natsConnection_GetLastError(nc, &text);
    std::string why = text != nullptr && *text != '\0' ? text : natsStatus_GetText(last);
    if (last == NATS_CONNECTION_AUTH_FAILED || why.find("uthorization") != std::string::npos) {
      why = "NATS refused the credentials (" + why + ")";
    }
    logging::Error("NATS closed the connection for good", {{"url", RedactUrl(self->settings_.url)},
                                                           {"error", why}});
    if (self->settings_.on_closed) self->settings_.on_closed(why);
  } catch (...) {
  }
}

void Connection::OnAsyncError(natsConnection*, natsSubscription*, natsStatus status,
                              void*) noexcept {
  try {
    logging::Error("NATS asynchronous error", {{"error", natsStatus_GetText(status)}});
  } catch (...) {
  }
}

}  // namespace logistics::nats

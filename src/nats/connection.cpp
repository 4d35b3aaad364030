#include "logistics/nats/connection.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "logistics/logging/log.hpp"
#include "logistics/nats/jetstream_watch.hpp"

namespace logistics::nats {
namespace {

common::Unexpected<NatsError> Fail(natsStatus status, std::string_view context) {
  return common::Unexpected{MakeNatsError(status, context)};
}

// True on a thread while it runs one of our connection callbacks: that thread
// is nats.c's callback thread, which must not wait for a closed callback (it
// would be the one to run it).
thread_local bool in_connection_callback = false;

class InCallback {
 public:
  InCallback() : outer_(in_connection_callback) { in_connection_callback = true; }
  ~InCallback() { in_connection_callback = outer_; }
  InCallback(const InCallback&) = delete;
  InCallback& operator=(const InCallback&) = delete;

 private:
  bool outer_;
};

// True if one of the comma-separated URLs says tls://. nats.c 3.4 takes the
// scheme as a plain name: without this, such a URL to a server that does not
// offer TLS would quietly connect in plain text.
bool UrlsAskForTls(const std::string& urls) {
  std::size_t start = 0;
  while (start < urls.size()) {
    const std::size_t comma = std::min(urls.find(',', start), urls.size());
    const std::size_t begin = urls.find_first_not_of(' ', start);
    if (begin < comma && urls.size() - begin >= 6) {
      std::string scheme = urls.substr(begin, 6);
      for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (scheme == "tls://") return true;
    }
    start = comma + 1;
  }
  return false;
}

// A first connection that failed over TLS, said so that the reader knows what
// to change (the same flags name the CA for every service and tool).
// `nats_text` is nats.c's own account (MakeNatsError's message).
NatsError TlsRefusal(natsStatus status, const ConnectionSettings& cfg, bool tls_asked,
                     const std::string& nats_text) {
  const std::string url = RedactUrl(cfg.url);
  // nats.c puts the verify callback's finding ("20:unable to get local issuer
  // certificate:depth=0:cert=...") into the handshake error when the
  // certificate is what failed.
  const bool verify_failed =
      status == NATS_SSL_ERROR && nats_text.find(":depth=") != std::string::npos;
  std::string why;
  if (status == NATS_SECURE_CONNECTION_WANTED) {
    why = "the NATS server at " + url +
          " does not offer TLS, but TLS was asked for (--nats-tls-ca, --nats-tls-cert or a "
          "tls:// URL): point --nats-url at a server that requires TLS, or leave TLS out";
  } else if (!tls_asked) {
    // nats.c switches to TLS when the server requires it, and then verifies
    // the server against the system's CAs only.
    why = "the NATS server at " + url +
          " requires TLS: pass --nats-tls-ca (NATS_TLS_CA) with the CA that signed its "
          "certificate";
  } else if (verify_failed && !cfg.tls_ca_file.empty()) {
    why = "the NATS server's TLS certificate is not trusted (certificate verify failed) with "
          "--nats-tls-ca " + cfg.tls_ca_file + ": it must be signed by that CA and name the host of " +
          url;
  } else if (verify_failed) {
    why = "the NATS server's TLS certificate is not trusted by the system's CAs (certificate "
          "verify failed): pass --nats-tls-ca (NATS_TLS_CA) with the CA that signed it";
  } else {
    why = "TLS with the NATS server at " + url + " failed";
  }
  return NatsError{NatsErrorKind::kRejected, status, 0, why + " (" + nats_text + ")"};
}

// The comma-separated URLs, each trimmed of spaces, empty ones dropped.
std::vector<std::string> SplitUrls(const std::string& urls) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= urls.size()) {
    const std::size_t comma = std::min(urls.find(',', start), urls.size());
    const std::size_t begin = urls.find_first_not_of(' ', start);
    if (begin != std::string::npos && begin < comma) {
      const std::size_t end = urls.find_last_not_of(' ', comma - 1);
      out.push_back(urls.substr(begin, end - begin + 1));
    }
    start = comma + 1;
  }
  return out;
}

// nats.c 3.4's natsOptions_SetURL takes exactly one URL (a list given there
// is parsed as one malformed URL and never connects): a list goes through
// natsOptions_SetServers, whose pool nats.c shuffles and cycles through.
natsStatus SetUrls(natsOptions* options, const std::string& urls) {
  const std::vector<std::string> list = SplitUrls(urls);
  if (list.size() <= 1) return natsOptions_SetURL(options, list.empty() ? urls.c_str() : list[0].c_str());
  std::vector<const char*> pointers;
  pointers.reserve(list.size());
  for (const std::string& url : list) pointers.push_back(url.c_str());
  return natsOptions_SetServers(options, pointers.data(), static_cast<int>(pointers.size()));
}

}  // namespace

// The closure of every callback. nats.c runs the callbacks after
// natsConnection_Close has returned, so the Connection may be gone by then;
// this state is not: nats.c holds it (held_by_nats) from before the handle
// exists until the closed callback, which nats.c queues last and exactly once
// per connection, lets go.
struct Connection::Callbacks {
  explicit Callbacks(ConnectionSettings s) : settings(std::move(s)) {}

  static void OnDisconnected(natsConnection* nc, void* closure) noexcept;
  static void OnReconnected(natsConnection* nc, void* closure) noexcept;
  static void OnConnected(natsConnection* nc, void* closure) noexcept;
  static void OnClosed(natsConnection* nc, void* closure) noexcept;
  static void OnAsyncError(natsConnection* nc, natsSubscription* sub, natsStatus status,
                           void* closure) noexcept;

  const ConnectionSettings settings;
  std::atomic<bool> closing{false};  // Close() was called: its disconnect is not an outage

  std::mutex mutex;
  std::condition_variable closed_changed;
  bool closed = false;                      // the closed callback has run
  std::shared_ptr<Callbacks> held_by_nats;  // set while nats.c may still call back
};

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
  auto callbacks = std::make_shared<Callbacks>(std::move(settings));
  std::unique_ptr<Connection> connection(new Connection(callbacks));
  natsOptions* raw_options = nullptr;
  if (natsStatus s = natsOptions_Create(&raw_options); s != NATS_OK) return Fail(s, "nats options");
  connection->options_.reset(raw_options);
  natsOptions* o = raw_options;
  const ConnectionSettings& cfg = callbacks->settings;
  void* closure = callbacks.get();

  natsStatus s = SetUrls(o, cfg.url);
  if (s == NATS_OK && !cfg.name.empty()) s = natsOptions_SetName(o, cfg.name.c_str());
  if (s == NATS_OK && !cfg.user.empty()) {
    s = natsOptions_SetUserInfo(o, cfg.user.c_str(), cfg.password.c_str());
  }
  if (s == NATS_OK && !cfg.credentials_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(o, cfg.credentials_file.c_str(), nullptr);
  }
  if (s == NATS_OK && !cfg.inbox_prefix.empty()) {
    s = natsOptions_SetCustomInboxPrefix(o, cfg.inbox_prefix.c_str());
  }
  const bool tls =
      !cfg.tls_ca_file.empty() || !cfg.tls_cert_file.empty() || UrlsAskForTls(cfg.url);
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
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(o, &Callbacks::OnDisconnected, closure);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(o, &Callbacks::OnReconnected, closure);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(o, &Callbacks::OnAsyncError, closure);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(o, &Callbacks::OnClosed, closure);
  if (s != NATS_OK) return Fail(s, "nats options for " + RedactUrl(cfg.url));

  // nats.c may call back as soon as a connection exists, even before
  // natsConnection_Connect returns; a connect that fails creates none and
  // calls nothing back.
  callbacks->held_by_nats = callbacks;

  // A first, synchronous attempt tells a refusal (bad credentials, TLS) from
  // an absent server: the first is fatal and said clearly, the second is
  // retried in the background forever.
  natsConnection* raw = nullptr;
  s = natsOptions_SetRetryOnFailedConnect(o, false, nullptr, nullptr);
  if (s == NATS_OK) s = natsConnection_Connect(&raw, o);
  if (s == NATS_NO_SERVER) {
    natsConnection_Destroy(raw);
    raw = nullptr;
    s = natsOptions_SetRetryOnFailedConnect(o, true, &Callbacks::OnConnected, closure);
    if (s == NATS_OK) s = natsConnection_Connect(&raw, o);
    if (s == NATS_NOT_YET_CONNECTED) {
      logging::Warn("NATS is not reachable yet; retrying in the background",
                    {{"url", RedactUrl(cfg.url)}});
      s = NATS_OK;
    }
  }
  connection->handle_.reset(raw);
  if (raw == nullptr) callbacks->held_by_nats.reset();  // nats.c will never call back
  if (s == NATS_CONNECTION_AUTH_FAILED) {
    return common::Unexpected{NatsError{NatsErrorKind::kRejected, s, 0,
                                        "NATS refused the credentials for " + RedactUrl(cfg.url) +
                                            " (check --nats-user and the password or creds file)"}};
  }
  if (s == NATS_SSL_ERROR || s == NATS_SECURE_CONNECTION_WANTED ||
      s == NATS_SECURE_CONNECTION_REQUIRED) {
    return common::Unexpected{
        TlsRefusal(s, cfg, tls, MakeNatsError(s, "connect to " + RedactUrl(cfg.url)).message)};
  }
  if (s != NATS_OK) return Fail(s, "connect to " + RedactUrl(cfg.url));
  if (cfg.jetstream_check_interval.count() > 0) {
    connection->watch_ = std::make_unique<JetStreamWatch>(
        raw, cfg.jetstream_check_interval, RedactUrl(cfg.url), cfg.name);
  }
  return connection;
}

Connection::Connection(std::shared_ptr<Callbacks> callbacks) : callbacks_(std::move(callbacks)) {}

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

std::optional<std::size_t> Connection::MaxPayload() const {
  // nats.c keeps the INFO of the server last connected (0 before any).
  const std::int64_t max_payload = handle_ ? natsConnection_GetMaxPayload(handle_.get()) : 0;
  if (max_payload <= 0) return std::nullopt;
  return static_cast<std::size_t>(max_payload);
}

bool Connection::IsClosed() const {
  return !handle_ || natsConnection_IsClosed(handle_.get());
}

common::Result<void, NatsError> Connection::Publish(const std::string& subject,
                                                    std::string_view data) {
  if (natsStatus s = natsConnection_Publish(handle_.get(), subject.c_str(), data.data(),
                                            static_cast<int>(data.size()));
      s != NATS_OK) {
    return Fail(s, "publish to " + subject);
  }
  return {};
}

common::Result<void, NatsError> Connection::Publish(const Message& message) {
  if (natsStatus s = natsConnection_PublishMsg(handle_.get(), message.get()); s != NATS_OK) {
    return Fail(s, "publish to " + std::string(message.subject()));
  }
  return {};
}

common::Result<Message, NatsError> Connection::Request(const std::string& subject,
                                                       std::string_view data,
                                                       std::chrono::milliseconds timeout) {
  natsMsg* raw = nullptr;
  const natsStatus s = natsConnection_Request(&raw, handle_.get(), subject.c_str(), data.data(),
                                              static_cast<int>(data.size()), timeout.count());
  MessageHandle reply(raw);
  if (s != NATS_OK) return Fail(s, "request on " + subject);
  return Message(std::move(reply));
}

common::Result<void, NatsError> Connection::Flush(std::chrono::milliseconds timeout) {
  if (natsStatus s = natsConnection_FlushTimeout(handle_.get(), timeout.count()); s != NATS_OK) {
    return Fail(s, "flush");
  }
  return {};
}

std::uint64_t Connection::JetStreamMoves() const { return watch_ ? watch_->Moves() : 0; }

void Connection::Close() {
  callbacks_->closing.store(true);
  // Before the connection closes: the watch must not end a socket, or ask
  // JetStream anything, through a connection that is going away.
  if (watch_) watch_->Stop();
  if (!handle_) return;
  natsConnection_Close(handle_.get());  // queues the last callbacks; does not run them
  if (in_connection_callback) return;
  std::unique_lock lock(callbacks_->mutex);
  if (!callbacks_->closed_changed.wait_for(lock, callbacks_->settings.close_timeout,
                                           [this] { return callbacks_->closed; })) {
    logging::Warn("NATS has not run the closed callback in time; going on without it",
                  {{"url", RedactUrl(callbacks_->settings.url)},
                   {"waited_ms", callbacks_->settings.close_timeout.count()}});
  }
}

void Connection::Callbacks::OnConnected(natsConnection*, void* closure) noexcept {
  InCallback in_callback;
  try {
    auto* self = static_cast<Callbacks*>(closure);
    if (self->closing.load()) return;
    logging::Info("connected to NATS", {{"url", RedactUrl(self->settings.url)}});
    if (self->settings.on_reconnected) self->settings.on_reconnected();
  } catch (...) {
  }
}

void Connection::Callbacks::OnDisconnected(natsConnection*, void* closure) noexcept {
  InCallback in_callback;
  try {
    auto* self = static_cast<Callbacks*>(closure);
    if (self->closing.load()) return;
    logging::Warn("disconnected from NATS; reconnecting", {{"url", RedactUrl(self->settings.url)}});
    if (self->settings.on_disconnected) self->settings.on_disconnected();
  } catch (...) {
  }
}

void Connection::Callbacks::OnReconnected(natsConnection*, void* closure) noexcept {
  InCallback in_callback;
  try {
    auto* self = static_cast<Callbacks*>(closure);
    if (self->closing.load()) return;
    logging::Info("reconnected to NATS", {{"url", RedactUrl(self->settings.url)}});
    if (self->settings.on_reconnected) self->settings.on_reconnected();
  } catch (...) {
  }
}

void Connection::Callbacks::OnClosed(natsConnection* nc, void* closure) noexcept {
  InCallback in_callback;
  auto* self = static_cast<Callbacks*>(closure);
  // nats.c's share of the state, released when this function returns: after
  // the notification below, the Connection may be destroyed at any moment.
  std::shared_ptr<Callbacks> last_reference;
  {
    std::lock_guard lock(self->mutex);
    last_reference = std::move(self->held_by_nats);
  }
  try {
    if (!self->closing.load()) {
      const char* text = nullptr;
      const natsStatus last = natsConnection_GetLastError(nc, &text);
      std::string why = text != nullptr && *text != '\0' ? text : natsStatus_GetText(last);
      if (last == NATS_CONNECTION_AUTH_FAILED || why.find("uthorization") != std::string::npos) {
        why = "NATS refused the credentials (" + why + ")";
      }
      logging::Error("NATS closed the connection for good",
                     {{"url", RedactUrl(self->settings.url)}, {"error", why}});
      if (self->settings.on_closed) self->settings.on_closed(why);
    }
  } catch (...) {
  }
  std::lock_guard lock(self->mutex);
  self->closed = true;
  self->closed_changed.notify_all();
}

void Connection::Callbacks::OnAsyncError(natsConnection*, natsSubscription*, natsStatus status,
                                         void*) noexcept {
  InCallback in_callback;
  try {
    logging::Error("NATS asynchronous error", {{"error", natsStatus_GetText(status)}});
  } catch (...) {
  }
}

}  // namespace logistics::nats

// Connection: a NATS connection that keeps itself connected.
//
// Connect() never fails because the server is down: the connection retries in
// the background, forever, and reconnects by itself after any outage. Publishes
// made while disconnected are buffered by nats.c up to its reconnect buffer.
// Replies are written to the socket at once (nats.c would otherwise hold them
// up to a millisecond in its flusher), because a responder's latency is the
// product.
//
// Callbacks run on nats.c's threads; they must be quick and must not throw
// (they are called through noexcept trampolines that log and swallow).
//
// Ownership: owns the natsConnection; must outlive every subscription,
// JetStream context and message created from it. Thread-safety: the methods
// are safe from any thread (nats.c connections are thread-safe).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "logistics/common/result.hpp"
#include "logistics/nats/handles.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::nats {

struct ConnectionSettings {
  std::string url = "nats://127.0.0.1:4222";
  std::string name;  // shown by `nats server report connections`
  // Authentication: a user and password, or a credentials (.creds) file.
  std::string user;
  std::string password;  // never logged
  std::string credentials_file;
  // TLS: a CA to trust, and a client certificate and key for mutual TLS.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::chrono::milliseconds reconnect_wait{250};
  // true: every publish is written to the socket at once (replies, whose
  // latency a client waits on). false: publishes are buffered and written
  // together by nats.c's flusher within about a millisecond, or at once by
  // Flush: many messages per write, for pipelined traffic (event publishes,
  // consumer acks), which costs this process and the server far less CPU.
  bool send_at_once = true;
  // Called on nats.c threads when the connection is lost or comes back.
  std::function<void()> on_disconnected;
  std::function<void()> on_reconnected;
  // Called when nats.c gives up on the connection for good without Close()
  // having been called (for example, the server refused the credentials).
  // The argument says why.
  std::function<void(const std::string&)> on_closed;
};

// The URL(s) with any password replaced by "***" ("nats://ana:***@host:4222"),
// for logs: secrets never reach a log line.
std::string RedactUrl(const std::string& urls);

class Connection {
 public:
  // Fails only for invalid settings (a malformed URL) or resource exhaustion.
  static common::Result<std::unique_ptr<Connection>, NatsError> Connect(ConnectionSettings settings);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  natsConnection* get() const { return handle_.get(); }
  bool IsConnected() const;
  // The id of the server we are connected to ("" while disconnected). A new id
  // after a reconnect means we now talk to another (or a restarted) server.
  std::string ServerId() const;
  // Waits until the server has processed everything sent so far.
  common::Result<void, NatsError> Flush(std::chrono::milliseconds timeout);
  // Closes the connection (pending buffers are flushed first).
  void Close();

 private:
  explicit Connection(ConnectionSettings settings) : settings_(std::move(settings)) {}
  static void OnDisconnected(natsConnection* nc, void* closure) noexcept;
  static void OnReconnected(natsConnection* nc, void* closure) noexcept;
  static void OnConnected(natsConnection* nc, void* closure) noexcept;
  static void OnClosed(natsConnection* nc, void* closure) noexcept;
  static void OnAsyncError(natsConnection* nc, natsSubscription* sub, natsStatus status,
                           void* closure) noexcept;

  ConnectionSettings settings_;
  std::atomic<bool> closing_{false};  // a disconnect we asked for is not an outage
  OptionsHandle options_;
  ConnectionHandle handle_;
};

}  // namespace logistics::nats

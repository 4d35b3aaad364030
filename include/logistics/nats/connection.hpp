// Connection: a NATS connection that keeps itself connected.
//
// Connect() never fails because the server is down: the connection retries in
// the background, forever, and reconnects by itself after any outage. Publishes
// made while disconnected are buffered by nats.c up to its reconnect buffer.
// Replies are written to the socket at once (nats.c would otherwise hold them
// up to a millisecond in its flusher), because a responder's latency is the
// product.
//
// Callbacks run on nats.c's callback thread, one at a time, in the order nats.c
// queued them; they must be quick and must not throw (they are called through
// noexcept trampolines that log and swallow).
//
// Closing: nats.c runs a connection's callbacks after natsConnection_Close has
// returned (it only queues them), the closed callback last. Close() therefore
// waits, up to settings.close_timeout, until that closed callback has run:
// once Close() (or the destructor) returns, no callback given in the settings
// runs or will run again, so an owner may destroy what they capture. What the
// callbacks reach inside this object lives on the heap, shared with nats.c until
// that last callback, so a late callback (a Close that timed out) never touches
// freed memory. A Close() made from inside one of these callbacks does not wait
// (the closed callback cannot run before the current one returns).
//
// Ownership: owns the natsConnection; must outlive every subscription,
// JetStream context and message created from it. Thread-safety: the methods
// are safe from any thread (nats.c connections are thread-safe).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "logistics/common/result.hpp"
#include "logistics/nats/handles.hpp"
#include "logistics/nats/message.hpp"
#include "logistics/nats/nats_error.hpp"

namespace logistics::nats {

class JetStreamWatch;

struct ConnectionSettings {
  // One URL, or a comma-separated list (a cluster's nodes): nats.c connects
  // to one of them, in random order, and reconnects to the others.
  std::string url = "nats://127.0.0.1:4222";
  std::string name;  // shown by `nats server report connections`
  // Authentication: a user and password, or a credentials (.creds) file.
  std::string user;
  std::string password;  // never logged
  std::string credentials_file;
  // Where replies to this connection's requests arrive ("_INBOX.orders":
  // inboxes "_INBOX.orders.<unique>"), so a server can let each user read its
  // own inbox space only. Empty: nats.c's "_INBOX".
  std::string inbox_prefix;
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
  // Called on nats.c threads when the connection is lost or comes back (never
  // once Close() has been called).
  std::function<void()> on_disconnected;
  std::function<void()> on_reconnected;
  // Called when nats.c gives up on the connection for good without Close()
  // having been called (for example, the server refused the credentials).
  // The argument says why.
  std::function<void(const std::string&)> on_closed;
  // How long Close() waits for nats.c to run this connection's last callback.
  // nats.c's callback thread is shared by every connection of the process, so
  // this bounds the wait on a callback of another connection that is stuck.
  std::chrono::milliseconds close_timeout{5000};
  // How often the connection checks that JetStream answers through the
  // server it is connected to; 0: never. When it keeps not answering while
  // another known server may do better (the minority side of a partitioned
  // cluster), the connection moves to another server (see JetStreamWatch,
  // jetstream_watch.hpp).
  std::chrono::milliseconds jetstream_check_interval{0};
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

  // The nats.c connection, for the wrappers in src/nats (and for code not yet
  // moved onto them: NatsOrderDirectory, issue 16).
  natsConnection* get() const { return handle_.get(); }
  bool IsConnected() const;
  // True once nats.c gave up on the connection for good (or Close() ran).
  bool IsClosed() const;

  // Publishes `data` on `subject` (core NATS: nobody need listen). Fails
  // (kNotConnected) only when the connection is closed or its reconnect
  // buffer is full; while reconnecting the message is buffered.
  common::Result<void, NatsError> Publish(const std::string& subject, std::string_view data);
  // Publishes a message with its headers.
  common::Result<void, NatsError> Publish(const Message& message);
  // Sends a request and waits up to `timeout` for the first reply. Fails with
  // kTimeout, or kNoResponders when nobody listens on `subject`.
  common::Result<Message, NatsError> Request(const std::string& subject, std::string_view data,
                                             std::chrono::milliseconds timeout);
  // The id of the server we are connected to ("" while disconnected). A new id
  // after a reconnect means we now talk to another (or a restarted) server.
  std::string ServerId() const;
  // The largest message the server accepts, headers and payload together (its
  // max_payload, from its INFO; a larger publish is refused). After a
  // disconnection, the last server's until another one answers; nullopt
  // before the first connection.
  std::optional<std::size_t> MaxPayload() const;
  // Waits until the server has processed everything sent so far.
  common::Result<void, NatsError> Flush(std::chrono::milliseconds timeout);
  // Closes the connection (pending buffers are flushed first) and waits, up
  // to settings.close_timeout, until nats.c has run the connection's closed
  // callback (see Closing above); logs a warning if that takes longer. Safe to
  // call more than once; the destructor calls it.
  void Close();
  // How many times the JetStream check (settings.jetstream_check_interval)
  // has moved this connection to another server.
  std::uint64_t JetStreamMoves() const;

 private:
  // What nats.c's callbacks reach (connection.cpp): shared by this object and
  // by nats.c until the closed callback has run.
  struct Callbacks;
  // Out of line, where JetStreamWatch is complete (watch_'s destructor).
  explicit Connection(std::shared_ptr<Callbacks> callbacks);

  std::shared_ptr<Callbacks> callbacks_;
  OptionsHandle options_;
  ConnectionHandle handle_;
  // Last: destroyed (stopped) before the handle it borrows. Close() stops it
  // before closing the connection.
  std::unique_ptr<JetStreamWatch> watch_;
};

}  // namespace logistics::nats

// AsyncRequester: many NATS requests in flight on one connection.
//
// nats.c's request calls block a thread per request, so a load generator
// built on them measures its own threads. This one publishes each request with
// a reply subject under one wildcard inbox subscription ("<inbox>.<token>")
// and matches the reply by its token, so one connection and one callback
// thread carry any number of requests in flight. The connection must send at
// once (SendAsap), like the services' connections, so no request waits in the
// flusher and the echo baseline and the services are driven alike.
//
// A reply is a failure when it is a "no responders" status or carries the
// Nats-Service-Error-Code header (the services' error replies, SPEC §2).
//
// Thread-safety: Send may be called from any thread, also from inside a
// callback; callbacks run on the subscription's thread, one at a time.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace logistics::bench {

struct Reply {
  bool ok = false;
  std::string body;   // the reply's data (the error body on failure)
  std::string error;  // "" when ok: the error code and message
  std::chrono::nanoseconds latency{0};
};

class AsyncRequester {
 public:
  using Callback = std::function<void(Reply)>;

  // Subscribes the reply inbox; throws std::runtime_error when it cannot.
  explicit AsyncRequester(natsConnection* connection);
  ~AsyncRequester();
  AsyncRequester(const AsyncRequester&) = delete;
  AsyncRequester& operator=(const AsyncRequester&) = delete;

  // Publishes one request; `callback` gets its reply. Returns false (and
  // never calls the callback) when the publish fails.
  bool Send(const std::string& subject, const std::string& body, Callback callback);
  // Requests sent whose reply has not come.
  std::size_t InFlight();

 private:
  struct Pending {
    std::chrono::steady_clock::time_point sent;
    Callback callback;
  };
  static void OnReply(natsConnection*, natsSubscription*, natsMsg* message, void* closure);

  natsConnection* connection_;
  std::string inbox_prefix_;
  natsSubscription* subscription_ = nullptr;
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, Pending> pending_;
  std::uint64_t next_token_ = 0;
};

// A connection to `url` that sends at once; throws std::runtime_error.
natsConnection* ConnectSendingAtOnce(const std::string& url);

}  // namespace logistics::bench

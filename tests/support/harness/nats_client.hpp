// NatsClient: a test's own NATS connection, to talk to services like a user.
//
// It sends requests with headers and reads the replies' status, body and
// headers; publishes; subscribes and collects messages; and reads what a
// JetStream stream holds. The connection reconnects by itself (every 100 ms,
// forever), so one client survives a server restart: after a restart, wait
// with `Eventually([&] { return client.Connected(); })` before using it.
// Stream reads retry for up to 10 s while the server or JetStream is briefly
// unreachable, so they are safe to call inside Eventually.
//
// Failures: an unexpected nats.c status fails the running test (Catch2 FAIL)
// with the status text; expected outcomes are values (a request that timed out
// or found no responders, a stream that does not exist).
//
// Ownership: the client owns its connection and JetStream context. A
// Subscription owns its nats.c subscription and collected messages; destroy
// subscriptions before their client (both orders are safe, that one is clean).
// Thread-safety: a NatsClient may be used from several threads (nats.c
// connections are thread-safe); a Subscription's accessors are thread-safe.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace logistics::testing {

// Owning handles for nats.c objects, each destroyed by its own function.
template <typename T, void (*Destroy)(T*)>
struct NatsDeleter {
  void operator()(T* handle) const { Destroy(handle); }
};
using NatsOptionsPtr = std::unique_ptr<natsOptions, NatsDeleter<natsOptions, natsOptions_Destroy>>;
using NatsConnectionPtr =
    std::unique_ptr<natsConnection, NatsDeleter<natsConnection, natsConnection_Destroy>>;
using NatsSubscriptionPtr =
    std::unique_ptr<natsSubscription, NatsDeleter<natsSubscription, natsSubscription_Destroy>>;
using NatsMessagePtr = std::unique_ptr<natsMsg, NatsDeleter<natsMsg, natsMsg_Destroy>>;
using JetStreamPtr = std::unique_ptr<jsCtx, NatsDeleter<jsCtx, jsCtx_Destroy>>;
using StreamInfoPtr =
    std::unique_ptr<jsStreamInfo, NatsDeleter<jsStreamInfo, jsStreamInfo_Destroy>>;
using PubAckPtr = std::unique_ptr<jsPubAck, NatsDeleter<jsPubAck, jsPubAck_Destroy>>;

// Message headers by name, names as sent (NATS header names are case-
// sensitive). A header with several values keeps its first.
using Headers = std::map<std::string, std::string>;

// The answer to a request.
struct Reply {
  bool timed_out = false;      // nobody answered in time
  bool no_responders = false;  // nobody listens on the subject
  std::string error;           // TryRequest only: any other failure (Request fails the test)
  std::string body;
  Headers headers;

  // 200 for a plain reply, else the integer in header Nats-Service-Error-Code
  // (0 if that header is not an integer); 408 when timed out, 503 when there
  // were no responders.
  int Status() const;
  // The body parsed as JSON; fails the test (with the body) if it is not JSON.
  nlohmann::json Json() const;
};

// One message as stored in a JetStream stream.
struct StreamMessage {
  uint64_t sequence = 0;
  std::string subject;
  Headers headers;
  std::string data;

  // The data parsed as JSON; fails the test (with the data) if it is not JSON.
  nlohmann::json Json() const;
};

// One message received by a Subscription.
struct Received {
  std::string subject;
  std::string reply;  // "" when the sender expects no reply
  Headers headers;
  std::string data;

  nlohmann::json Json() const;
};

// Messages arriving on a subject, collected in arrival order until the
// Subscription is destroyed (which unsubscribes and waits until nats.c has
// returned from the message handler for the last time).
class Subscription {
 public:
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) = delete;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();

  // A copy of every message received so far.
  std::vector<Received> Messages() const;
  size_t Count() const;

 private:
  friend class NatsClient;
  struct State;
  static void OnMessage(natsConnection* connection, natsSubscription* subscription,
                        natsMsg* message, void* closure) noexcept;
  static void OnComplete(void* closure) noexcept;
  Subscription(std::unique_ptr<State> state, NatsSubscriptionPtr handle);

  // The subscription goes first: nats.c may call into state_ until it is closed.
  std::unique_ptr<State> state_;
  NatsSubscriptionPtr handle_;
};

class NatsClient {
 public:
  using Reply = testing::Reply;
  using StreamMessage = testing::StreamMessage;
  using Received = testing::Received;

  // Connects to `url` ("nats://127.0.0.1:4222"), as `user` with `password`
  // when a user is given (anonymously otherwise). Fails the test if the server
  // cannot be reached or refuses the credentials.
  // `inbox_prefix` ("_INBOX.client"): where replies to its requests arrive;
  // empty: nats.c's "_INBOX".
  explicit NatsClient(const std::string& url, const std::string& name = "logistics-test-client",
                      const std::string& user = {}, const std::string& password = {},
                      const std::string& inbox_prefix = {});
  ~NatsClient();
  NatsClient(const NatsClient&) = delete;
  NatsClient& operator=(const NatsClient&) = delete;

  // Sends `body` with `headers` and waits up to `timeout` for the reply. A
  // timeout and "no responders" are results, not failures.
  Reply Request(const std::string& subject, const std::string& body, const Headers& headers = {},
                std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Request without assertions, for threads other than the test's (Catch2 is
  // not thread-safe): any other failure is returned in Reply::error.
  Reply TryRequest(const std::string& subject, const std::string& body,
                   const Headers& headers = {},
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Publishes on core NATS (no reply expected) and flushes, so the server has
  // the message when this returns.
  void Publish(const std::string& subject, const std::string& body, const Headers& headers = {});

  // A JetStream publish: waits for the PubAck and returns whether the stream
  // stored the message as new (false: a duplicate inside its window). Fails
  // the test when no stream takes it.
  bool PublishToStream(const std::string& subject, const std::string& body,
                       const Headers& headers = {});

  // Every message stored in `stream` whose subject matches `subject_filter`
  // (NATS wildcards * and >), in sequence order; deleted sequences are
  // skipped. Empty if the stream does not exist.
  std::vector<StreamMessage> ReadStream(const std::string& stream,
                                        const std::string& subject_filter = ">");
  bool StreamExists(const std::string& stream);
  // Messages currently stored, and the last sequence ever stored (0 if the
  // stream does not exist or is empty).
  uint64_t StreamMessageCount(const std::string& stream);
  uint64_t StreamLastSequence(const std::string& stream);

  // Starts collecting the messages published on `subject` (wildcards allowed).
  // The subscription is registered with the server when this returns.
  Subscription Subscribe(const std::string& subject);

  // True while connected (false while reconnecting after a server restart).
  bool Connected() const;
  // The raw handles, for tests that need nats.c directly. Owned by the client.
  natsConnection* connection() const { return connection_.get(); }
  jsCtx* jetstream() const { return jetstream_.get(); }

 private:
  // nullptr if the stream does not exist.
  StreamInfoPtr StreamInfo(const std::string& stream);

  NatsOptionsPtr options_;
  NatsConnectionPtr connection_;
  JetStreamPtr jetstream_;
};

// True if `subject` matches `filter`, where `*` matches one token and a final
// `>` one or more tokens.
bool SubjectMatches(const std::string& filter, const std::string& subject);

}  // namespace logistics::testing

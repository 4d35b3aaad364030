// Responder: a service's request-reply endpoints on NATS.
//
// Each endpoint is one subject subscribed in the service's queue group (so
// instances share the load). The handler runs on nats.c's delivery thread for
// that subscription and receives the request as a shared IncomingRequest, which
// it may answer at once (queries, 400s) or hand to the writer and answer after
// the commit. A handler that throws gets a 500 answered for it; nothing
// unwinds into nats.c.
//
// Drain() stops taking requests: pending messages of each subscription are
// still delivered, then the subscriptions close.
//
// Ownership: borrows the connection and the id generator; owns the
// subscriptions (destroyed before the connection by declaration order in the
// composition root). The destructor returns once no handler runs any more (see
// nats::Subscription), so a handler never outlives what it uses.
// Thread-safety: Add and Drain from the owning thread; handlers run
// concurrently, one thread per endpoint.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "logistics/common/id_generator.hpp"
#include "logistics/common/result.hpp"
#include "logistics/messaging/incoming_request.hpp"
#include "logistics/messaging/reply_guard.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/subscription.hpp"

namespace logistics::messaging {

using RequestHandler = std::function<void(std::shared_ptr<IncomingRequest>)>;

struct Endpoint {
  std::string name;     // the verb: "create", "get", ...
  std::string subject;  // "orders.cmd.create"
  RequestHandler handler;
  // Shown by service discovery as the endpoint's `metadata` (ADR-32: strings
  // only): the schemas of its request and reply (endpoint_schemas.hpp).
  std::map<std::string, std::string> metadata = {};
};

class Responder {
 public:
  Responder(nats::Connection& connection, std::string service, std::string queue_group,
            common::IdGenerator& ids);
  ~Responder();
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  // Subscribes the endpoint. Fails when nats.c refuses the subscription.
  common::Result<void, nats::NatsError> Add(Endpoint endpoint);
  // Stops taking requests and waits (bounded) for those already received.
  void Drain(std::chrono::milliseconds timeout);

  struct EndpointView {
    std::string name;
    std::string subject;
    std::string queue_group;
    EndpointFigures figures;
    std::map<std::string, std::string> metadata;
  };
  // Every endpoint with its figures, in the order they were added.
  std::vector<EndpointView> Endpoints() const;

  // Refuses requests whose reply subject is outside the inbox space
  // (reply_guard.hpp); shared with service discovery, which answers requests too.
  const ReplyGuard& reply_guard() const { return reply_guard_; }

 private:
  struct Subscribed {
    Responder* owner = nullptr;
    Endpoint endpoint;
    std::unique_ptr<nats::Subscription> subscription;
    EndpointStats stats;
  };
  // On the endpoint's delivery thread; answers 500 for a handler that throws.
  static void OnMessage(Subscribed& subscribed, nats::Message message);

  nats::Connection& connection_;
  std::string service_;
  std::string queue_group_;
  common::IdGenerator& ids_;
  std::vector<std::unique_ptr<Subscribed>> endpoints_;
  ReplyGuard reply_guard_;
};

}  // namespace logistics::messaging

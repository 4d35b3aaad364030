// ServiceDiscovery: the NATS service API (ADR-32, v1), built by hand because
// nats.c 3.4.1 has no micro API, so `nats micro ls|info|stats` see our services.
//
// Every instance answers, on plain (not queue) subscriptions:
//   $SRV.PING   $SRV.PING.<name>   $SRV.PING.<name>.<id>   -> io.nats.micro.v1.ping_response
//   $SRV.INFO   $SRV.INFO.<name>   $SRV.INFO.<name>.<id>   -> io.nats.micro.v1.info_response
//   $SRV.STATS  $SRV.STATS.<name>  $SRV.STATS.<name>.<id>  -> io.nats.micro.v1.stats_response
// with name, id (unique per instance), SemVer version, metadata, description,
// and the endpoints (name, subject, queue_group; INFO adds the metadata naming
// the request and reply schemas, endpoint_schemas.hpp); STATS adds per endpoint
// num_requests, num_errors, last_error, processing_time and
// average_processing_time (nanoseconds), and `data`: the service's own
// figures (outbox depth, oldest unpublished age, relay and consumer state),
// the same object for every endpoint. Schemas: schemas/micro/v1/.
//
// Ownership: borrows the connection and the responder; owns its
// subscriptions. Stop() (and the destructor) return once no request is being
// answered any more. Thread-safety: Start/Stop from the owning thread;
// requests are answered on nats.c threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/messaging/responder.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/nats/subscription.hpp"

namespace logistics::messaging {

struct ServiceIdentity {
  std::string name;  // "orders"
  std::string id;    // unique per instance
  std::string version;
  std::string description;
  std::map<std::string, std::string> metadata;
  common::Timestamp started;
};

class ServiceDiscovery {
 public:
  // `figures` is called for each STATS request (on a nats.c thread).
  ServiceDiscovery(nats::Connection& connection, ServiceIdentity identity,
                   const Responder& responder, std::function<nlohmann::json()> figures);
  ~ServiceDiscovery();
  ServiceDiscovery(const ServiceDiscovery&) = delete;
  ServiceDiscovery& operator=(const ServiceDiscovery&) = delete;

  common::Result<void, nats::NatsError> Start();
  void Stop();

  // The three replies, as sent (public for tests and for the status endpoint).
  nlohmann::ordered_json Ping() const;
  nlohmann::ordered_json Info() const;
  nlohmann::ordered_json Stats() const;

 private:
  // On a nats.c delivery thread: answers one $SRV request (nothing may throw out).
  void OnRequest(const nats::Message& request) const;
  nlohmann::ordered_json Identity(const char* type) const;

  nats::Connection& connection_;
  const ServiceIdentity identity_;
  const Responder& responder_;
  const std::function<nlohmann::json()> figures_;
  std::vector<std::unique_ptr<nats::Subscription>> subscriptions_;
};

}  // namespace logistics::messaging

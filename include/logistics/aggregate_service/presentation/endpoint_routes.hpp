// EndpointRoutes: a service's endpoints as a table of (verb, subject, member
// function, request schema, reply schema) rows, turned into the
// messaging::Endpoints the runtime serves. The schemas (paths under schemas/)
// become the endpoints' discovery metadata (messaging/endpoint_schemas.hpp).
//
// Usage:
//   return EndpointRoutes<OrderEndpoints>(this, {
//       {"create", "orders.cmd.create", &OrderEndpoints::Create,
//        "orders/commands/create.json", "orders/order.json"}, ...});
//
// Ownership: the endpoints capture `self`, which must outlive the
// subscriptions. Thread-safety: the handlers run on nats.c threads.
#pragma once

#include <initializer_list>
#include <memory>
#include <vector>

#include "logistics/messaging/endpoint_schemas.hpp"
#include "logistics/messaging/incoming_request.hpp"
#include "logistics/messaging/responder.hpp"

namespace logistics::aggregate_service::presentation {

template <typename Handlers>
struct Route {
  const char* verb;
  const char* subject;
  void (Handlers::*handle)(const std::shared_ptr<messaging::IncomingRequest>&);
  const char* request_schema;
  const char* reply_schema;
};

template <typename Handlers>
std::vector<messaging::Endpoint> EndpointRoutes(Handlers* self,
                                                std::initializer_list<Route<Handlers>> routes) {
  std::vector<messaging::Endpoint> endpoints;
  endpoints.reserve(routes.size());
  for (const Route<Handlers>& route : routes) {
    endpoints.push_back(
        {route.verb, route.subject,
         [self, handle = route.handle](std::shared_ptr<messaging::IncomingRequest> request) {
           (self->*handle)(request);
         },
         messaging::EndpointSchemas(route.request_schema, route.reply_schema)});
  }
  return endpoints;
}

}  // namespace logistics::aggregate_service::presentation

#include "logistics/service/admin_endpoints.hpp"

#include <memory>

#include "logistics/messaging/dead_letter_admin.hpp"
#include "logistics/messaging/endpoint_schemas.hpp"
#include "logistics/messaging/parked_admin.hpp"

namespace logistics::service {
namespace {

// One admin endpoint: <service>.admin.<resource>.<verb>.
struct AdminRoute {
  const char* resource;
  const char* verb;
  messaging::RequestHandler handler;
};

// A handler that calls `method` on the (shared) admin object.
template <typename Admin>
messaging::RequestHandler Handle(const std::shared_ptr<Admin>& admin,
                                 void (Admin::*method)(const std::shared_ptr<messaging::IncomingRequest>&)) {
  return [admin, method](std::shared_ptr<messaging::IncomingRequest> request) {
    ((*admin).*method)(request);
  };
}

}  // namespace

std::string AdminSubject(const std::string& service, const std::string& resource,
                         const std::string& verb) {
  return service + ".admin." + resource + "." + verb;
}

std::vector<messaging::Endpoint> AdminEndpoints(const AdminParts& parts) {
  using messaging::DeadLetterAdmin;
  auto dead_letters = std::make_shared<DeadLetterAdmin>(
      parts.service, parts.reads, parts.writer, parts.clock, parts.consumers, parts.max_body_bytes);
  using messaging::ParkedAdmin;
  auto parked = std::make_shared<ParkedAdmin>(parts.reads, parts.writer, parts.relay, parts.clock,
                                              parts.max_body_bytes);

  // The table. One line per endpoint.
  const std::vector<AdminRoute> routes = {
      {"dead-letters", "list", Handle(dead_letters, &DeadLetterAdmin::List)},
      {"dead-letters", "show", Handle(dead_letters, &DeadLetterAdmin::Show)},
      {"dead-letters", "requeue", Handle(dead_letters, &DeadLetterAdmin::Requeue)},
      {"dead-letters", "discard", Handle(dead_letters, &DeadLetterAdmin::Discard)},
      {"parked", "list", Handle(parked, &ParkedAdmin::List)},
      {"parked", "show", Handle(parked, &ParkedAdmin::Show)},
      {"parked", "requeue", Handle(parked, &ParkedAdmin::Requeue)},
      {"parked", "discard", Handle(parked, &ParkedAdmin::Discard)},
  };

  std::vector<messaging::Endpoint> endpoints;
  endpoints.reserve(routes.size());
  for (const AdminRoute& route : routes) {
    // Discovery names an endpoint with letters, digits, '-' and '_' only.
    // Its schemas: schemas/admin/<resource>/{requests,replies}/<verb>.json.
    const std::string schemas = std::string("admin/") + route.resource + "/";
    endpoints.push_back(messaging::Endpoint{
        std::string(route.resource) + "-" + route.verb,
        AdminSubject(parts.service, route.resource, route.verb), route.handler,
        messaging::EndpointSchemas(schemas + "requests/" + route.verb + ".json",
                                   schemas + "replies/" + route.verb + ".json")});
  }
  return endpoints;
}

}  // namespace logistics::service

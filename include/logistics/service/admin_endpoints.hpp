// AdminEndpoints: the operators' request-reply endpoints every service gets,
// on `<service>.admin.<resource>.<verb>`, laid out in one table
// (admin_endpoints.cpp):
//
//   <service>.admin.dead-letters.list      messaging/dead_letter_admin.hpp
//   <service>.admin.dead-letters.show
//   <service>.admin.dead-letters.requeue
//   <service>.admin.dead-letters.discard
//   <service>.admin.parked.list            messaging/parked_admin.hpp
//   <service>.admin.parked.show
//   <service>.admin.parked.requeue
//   <service>.admin.parked.discard
//
// They are served like the service's other endpoints (its queue group, the
// reply guard, error replies with stable codes, listed by `nats micro info`
// as "<resource>-<verb>"). Under the shipped NATS configuration
// (deploy/nats/nats-server.conf) only `admin` may send to them: each service
// user may subscribe to its own `<service>.admin.>`, and no other user but
// admin may publish there.
//
// Adding an endpoint (the relay's parked events, say): write its handler
// (a class in messaging, like DeadLetterAdmin, built from what AdminParts
// holds; add to AdminParts what it needs, e.g. the relay), make it in
// AdminEndpoints() and add one line per verb to the table there:
//   {"parked", "list", Handle(parked, &messaging::ParkedAdmin::List)},
// Nothing else changes: the runtime subscribes whatever the table lists, and
// logistics-admin gets the verbs from its own resource table.
//
// Ownership: the endpoints' handlers share ownership of the admin objects
// made here; those borrow what AdminParts borrows, which must outlive the
// subscriptions (the runtime drains them before stopping the rest).
// Thread-safety: handlers run on the endpoints' nats.c threads.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "logistics/common/clock.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/relay.hpp"
#include "logistics/messaging/responder.hpp"
#include "logistics/messaging/writer.hpp"
#include "logistics/sqlite/read_pool.hpp"

namespace logistics::service {

// What the admin endpoints work on: the service's own parts.
struct AdminParts {
  std::string service;  // "orders": the subjects' first token
  sqlite::ReadPool& reads;
  messaging::Writer& writer;
  messaging::Relay& relay;
  const common::Clock& clock;
  std::vector<messaging::EventConsumer*> consumers;
  std::size_t max_body_bytes;
};

// "<service>.admin.<resource>.<verb>".
std::string AdminSubject(const std::string& service, const std::string& resource,
                         const std::string& verb);

// Every admin endpoint of the table, ready for the Responder.
std::vector<messaging::Endpoint> AdminEndpoints(const AdminParts& parts);

}  // namespace logistics::service

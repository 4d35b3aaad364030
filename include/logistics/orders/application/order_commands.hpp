// The orders use cases: one class per command, each a verb.
//
// A use case loads the order through OrderRepository, asks the Order to
// change, and saves the change with its events through OrderUnitOfWork. It
// never talks to NATS or SQLite directly. On a rejection nothing is saved.
//
// Every Execute returns the order after the change, or:
//  - OrderRejection kOrderNotFound when no order has the id;
//  - the Order's own rejection (see order.hpp);
//  - a rejection or PortError from Save (see order_unit_of_work.hpp);
//  - PortError when a read fails.
//
// Ownership: use cases hold references to their ports, which must outlive them.
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <optional>
#include <string>

#include "logistics/common/clock.hpp"
#include "logistics/common/id_generator.hpp"
#include "logistics/orders/application/ports/order_repository.hpp"
#include "logistics/orders/application/ports/order_unit_of_work.hpp"

namespace logistics::orders::application {

// The ports every command needs.
struct OrderCommandPorts {
  OrderRepository& orders;
  OrderUnitOfWork& unit_of_work;
  const common::Clock& clock;
};

class CreateOrder {
 public:
  CreateOrder(OrderCommandPorts ports, common::IdGenerator& ids) : ports_(ports), ids_(ids) {}
  // Also fails with kDuplicateTrackingNumber when the tracking number is taken.
  OrderResult<domain::OrderSnapshot> Execute(domain::NewOrder fields);

 private:
  OrderCommandPorts ports_;
  common::IdGenerator& ids_;
};

class AssignDriver {
 public:
  explicit AssignDriver(OrderCommandPorts ports) : ports_(ports) {}
  OrderResult<domain::OrderSnapshot> Execute(const std::string& order_id, std::string driver_id);

 private:
  OrderCommandPorts ports_;
};

class MarkOrderPaid {
 public:
  explicit MarkOrderPaid(OrderCommandPorts ports) : ports_(ports) {}
  OrderResult<domain::OrderSnapshot> Execute(const std::string& order_id, std::string payment_id);

 private:
  OrderCommandPorts ports_;
};

class DispatchOrder {
 public:
  explicit DispatchOrder(OrderCommandPorts ports) : ports_(ports) {}
  OrderResult<domain::OrderSnapshot> Execute(const std::string& order_id);

 private:
  OrderCommandPorts ports_;
};

class DeliverOrder {
 public:
  explicit DeliverOrder(OrderCommandPorts ports) : ports_(ports) {}
  OrderResult<domain::OrderSnapshot> Execute(const std::string& order_id);

 private:
  OrderCommandPorts ports_;
};

class CancelOrder {
 public:
  explicit CancelOrder(OrderCommandPorts ports) : ports_(ports) {}
  OrderResult<domain::OrderSnapshot> Execute(const std::string& order_id,
                                             std::optional<std::string> reason);

 private:
  OrderCommandPorts ports_;
};

}  // namespace logistics::orders::application

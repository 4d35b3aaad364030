// Order: the aggregate that owns a shipment's life from creation to delivery.
//
// An Order enforces every rule of the orders context (README "Order state
// machine"): field limits at creation, origin differs from destination, and
// which command is allowed in which status. Each successful change moves
// `updated_at`, grows `version` by one and records one OrderEvent; a rejected
// command changes nothing and records nothing. TakeEvents() hands the
// recorded events to the caller (the use case), which stores them with the
// order in one transaction.
//
// Ownership: an Order owns its snapshot and its pending events.
// Thread-safety: none; an Order is used by one thread at a time.
#pragma once

#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/orders/domain/order_error.hpp"
#include "logistics/orders/domain/order_event.hpp"
#include "logistics/orders/domain/order_snapshot.hpp"

namespace logistics::orders::domain {

// What a client supplies to create an order.
struct NewOrder {
  std::string tracking_number;
  std::string customer_name;
  std::string origin;
  std::string destination;
  std::optional<std::string> customer_email;
};

// Every rule a new order breaks, in the order Order::Create checks them
// (empty when it breaks none). Lets a transport name every offending field at
// once; Order::Create reports the first.
std::vector<OrderRejection> CheckNewOrder(const NewOrder& fields);

// The rule for a driver id (non-blank, at most 100 characters) and for a
// cancellation reason (at most 500); nullopt when the value is fine. Checked
// by AssignDriver and Cancel, and by transports before an order is loaded.
std::optional<OrderRejection> CheckDriverId(std::string_view driver_id);
std::optional<OrderRejection> CheckCancellationReason(const std::optional<std::string>& reason);

class Order {
 public:
  // A new order in CREATED at version 1, recording `created`.
  // Fails with the first broken rule, checked in this order: tracking number
  // (empty or blank, > 100 characters), customer name (empty or blank, > 255),
  // origin (same), destination (same), origin == destination, customer e-mail
  // (when present: one '@', non-empty local part and domain, no white space or
  // control characters, <= 254 characters).
  static common::Result<Order, OrderRejection> Create(std::string order_id, NewOrder fields,
                                                      common::Timestamp now);

  // An order as stored; no rules are checked and no event is recorded.
  static Order Restore(OrderSnapshot snapshot);

  // CREATED -> ASSIGNED; ASSIGNED -> ASSIGNED (re-assign); PAID stays PAID with
  // the driver recorded. Fails with kDriverIdEmpty / kDriverIdTooLong (> 100),
  // or kInvalidTransition in any other status. Records `assigned`.
  common::Result<void, OrderRejection> AssignDriver(std::string driver_id, common::Timestamp now);

  // CREATED or ASSIGNED -> PAID, recording `paid` with the payment id.
  // kInvalidTransition in any other status.
  common::Result<void, OrderRejection> MarkPaid(std::string payment_id, common::Timestamp now);

  // PAID with a driver -> IN_TRANSIT, recording `dispatched`. kDriverNotAssigned
  // when PAID without a driver; kInvalidTransition in any other status.
  common::Result<void, OrderRejection> Dispatch(common::Timestamp now);

  // IN_TRANSIT -> DELIVERED, recording `delivered`. kInvalidTransition otherwise.
  common::Result<void, OrderRejection> Deliver(common::Timestamp now);

  // CREATED, ASSIGNED or PAID -> CANCELLED, recording `cancelled` with the
  // reason. kReasonTooLong (> 500 characters); kInvalidTransition when
  // IN_TRANSIT, DELIVERED or already CANCELLED.
  common::Result<void, OrderRejection> Cancel(std::optional<std::string> reason,
                                              common::Timestamp now);

  const OrderSnapshot& snapshot() const { return snapshot_; }
  const std::string& id() const { return snapshot_.order_id; }
  OrderStatus status() const { return snapshot_.status; }
  std::int64_t version() const { return snapshot_.version; }

  // The events recorded since creation or Restore, oldest first; clears them.
  std::vector<OrderEvent> TakeEvents();

 private:
  explicit Order(OrderSnapshot snapshot) : snapshot_(std::move(snapshot)) {}
  void Record(OrderEventType type, common::Timestamp now, std::optional<std::string> reason = {},
              std::optional<std::string> payment_id = {});

  OrderSnapshot snapshot_;
  std::vector<OrderEvent> pending_events_;
};

}  // namespace logistics::orders::domain

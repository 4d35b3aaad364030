// The payments use cases: one class per command, each a verb, plus the
// reaction to order events (ApplyOrderEvent).
//
// A use case loads what it needs through the ports, asks the Payment to
// change, and saves the change with its events through PaymentUnitOfWork. It
// never talks to NATS or SQLite directly and never waits on the network: when
// the payments service has not seen an order, the transport asks
// `orders.query.get` before queuing the command and passes the answer in
// (RegisterPaymentCommand::fetched_order). On a rejection nothing is saved.
//
// Every Execute returns the payment after the command, or:
//  - a PaymentRejection of its own (listed per use case) or of the Payment
//    (see payment.hpp);
//  - a rejection or PortError from Save (see payment_unit_of_work.hpp);
//  - PortError when a read or a projection write fails.
//
// Ownership: use cases hold references to their ports, which must outlive them.
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/common/clock.hpp"
#include "logistics/common/id_generator.hpp"
#include "logistics/payments/application/payment_failure.hpp"
#include "logistics/payments/application/ports/order_projection.hpp"
#include "logistics/payments/application/ports/payment_repository.hpp"
#include "logistics/payments/application/ports/payment_unit_of_work.hpp"
#include "logistics/payments/domain/order_view.hpp"
#include "logistics/payments/domain/payment.hpp"

namespace logistics::payments::application {

// The ports every payments command needs.
struct PaymentCommandPorts {
  PaymentRepository& payments;
  PaymentUnitOfWork& unit_of_work;
  OrderProjection& orders;
  const common::Clock& clock;
};

// The reason compensation gives when it fails or refunds the payments of a
// cancelled order; it appears in the failed/refunded events.
inline constexpr std::string_view kOrderCancelledReason = "order cancelled";

struct RegisterPaymentCommand {
  std::string order_id;
  std::string amount;                   // decimal text, see Money::Parse
  std::optional<std::string> currency;  // nullopt: kDefaultCurrency
  // The order as `orders.query.get` returned it, when the transport asked
  // (because the projection did not know the order); nullopt when it did not
  // ask or the orders service answered "not found". Precondition: its
  // order_id equals order_id; a view of another order is ignored.
  std::optional<domain::OrderView> fetched_order;
};

class RegisterPayment {
 public:
  RegisterPayment(PaymentCommandPorts ports, common::IdGenerator& ids) : ports_(ports), ids_(ids) {}

  // A new PENDING payment of the order. Checks, in this order:
  //  1. amount (kAmountInvalid / kAmountNotPositive / kAmountTooLarge) and
  //     currency (kCurrencyInvalid), before any read;
  //  2. the order: the projection's view, or fetched_order when the projection
  //     has none or an older one (fetched_order is then recorded in the
  //     projection); kOrderNotFound when neither knows the order;
  //     kOrderNotPayable, naming the status, when it is CANCELLED, IN_TRANSIT
  //     or DELIVERED.
  PaymentResult<domain::PaymentSnapshot> Execute(RegisterPaymentCommand command);

 private:
  PaymentCommandPorts ports_;
  common::IdGenerator& ids_;
};

// The three commands below fail with kPaymentNotFound when no payment has the
// id. They save only when the payment recorded an event.
class ConfirmPayment {
 public:
  explicit ConfirmPayment(PaymentCommandPorts ports) : ports_(ports) {}
  // Confirming a CONFIRMED payment saves nothing and returns it as stored.
  PaymentResult<domain::PaymentSnapshot> Execute(const std::string& payment_id);

 private:
  PaymentCommandPorts ports_;
};

class FailPayment {
 public:
  explicit FailPayment(PaymentCommandPorts ports) : ports_(ports) {}
  PaymentResult<domain::PaymentSnapshot> Execute(const std::string& payment_id,
                                                 std::string reason);

 private:
  PaymentCommandPorts ports_;
};

class RefundPayment {
 public:
  explicit RefundPayment(PaymentCommandPorts ports) : ports_(ports) {}
  PaymentResult<domain::PaymentSnapshot> Execute(const std::string& payment_id,
                                                 std::optional<std::string> reason);

 private:
  PaymentCommandPorts ports_;
};

// The payments service's reaction to one order event (consumed from the
// ORDERS stream, run by the writer with the event's inbox row).
class ApplyOrderEvent {
 public:
  explicit ApplyOrderEvent(PaymentCommandPorts ports) : ports_(ports) {}

  // Records `view_after_event` in the projection (ignored when older than or
  // as old as the stored view). When `cancelled` (the event is the order's
  // `cancelled` event), compensates (SPEC §2): every PENDING payment of the
  // order fails and every CONFIRMED one is refunded, both with
  // kOrderCancelledReason, each saved with its one event; FAILED and REFUNDED
  // payments are left alone.
  //
  // Compensation runs for every cancellation event, even one the projection
  // did not apply. The projection may already hold the CANCELLED view without
  // compensation having happened (a registration that fetched the order
  // recorded it first), and running it twice is harmless: the second run
  // finds nothing PENDING or CONFIRMED. So a redelivered event changes
  // nothing, and no payment of a cancelled order is left behind.
  //
  // Returns the payments it changed, after the change, oldest first (empty
  // for any other event). On a failure the caller must roll back the
  // transaction (the payments saved before it included) and let the event be
  // redelivered.
  PaymentResult<std::vector<domain::PaymentSnapshot>> Execute(const domain::OrderView& view_after_event,
                                                              bool cancelled);

 private:
  PaymentCommandPorts ports_;
};

}  // namespace logistics::payments::application

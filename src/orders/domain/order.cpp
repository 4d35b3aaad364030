#include "logistics/orders/domain/order.hpp"

#include <cstddef>
#include <string_view>
#include <utility>

#include "logistics/common/utf8.hpp"
#include "logistics/orders/domain/order_limits.hpp"

namespace logistics::orders::domain {
namespace {

using common::Unexpected;

// Characters as the limits count them. Text reaching the domain was decoded
// by a JSON parser that rejects ill-formed UTF-8; should some other caller
// pass ill-formed bytes anyway, the byte count is an upper bound of any
// reading of them, so the limit still holds.
std::size_t LengthOf(std::string_view text) {
  return common::CountCodePoints(text).value_or(text.size());
}

// Checks one required text field; nullopt when it is acceptable.
std::optional<OrderRejection> CheckRequired(std::string_view field, std::string_view value,
                                            std::size_t max_length, OrderError empty,
                                            OrderError too_long) {
  if (common::IsBlank(value)) {
    return Reject(empty, std::string(field) + " must not be empty or blank");
  }
  if (const std::size_t length = LengthOf(value); length > max_length) {
    return Reject(too_long, std::string(field) + " must be at most " + std::to_string(max_length) +
                                " characters (got " + std::to_string(length) + ")");
  }
  return std::nullopt;
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Origin and destination name the same place when they are byte-equal or
// differ only in the case of ASCII letters ("Madrid" / "madrid"): clients type
// places by hand and a case slip must not create a shipment that goes nowhere.
// Case folding beyond ASCII needs Unicode tables the domain does not carry, so
// "Łódź" and "łódź" count as different.
bool SamePlace(std::string_view origin, std::string_view destination) {
  if (origin == destination) return true;
  if (origin.size() != destination.size()) return false;
  for (std::size_t i = 0; i < origin.size(); ++i) {
    if (AsciiLower(origin[i]) != AsciiLower(destination[i])) return false;
  }
  return true;
}

// White space and control characters: ASCII space, C0 controls, DEL, C1
// controls (U+0080..U+009F) and U+00A0 no-break space, which text copied from
// web pages and office documents often carries.
bool HasControlOrSpace(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte <= 0x20 || byte == 0x7F) return true;
    if (byte == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0xA0) return true;
    }
  }
  return false;
}

// Deliberately loose (RFC 5322 allows far more than anyone types): the aim is
// to catch slips such as a missing '@' or a pasted space, not to decide
// whether a mailbox exists. That is the SMTP server's job.
std::optional<OrderRejection> CheckEmail(std::string_view email) {
  const auto invalid = [](std::string_view why) {
    return Reject(OrderError::kCustomerEmailInvalid,
                  "customer_email is not a valid e-mail address: " + std::string(why));
  };
  if (!common::CountCodePoints(email)) return invalid("it is not valid UTF-8");
  if (const std::size_t length = LengthOf(email); length > kMaxCustomerEmailLength) {
    return invalid("it must be at most " + std::to_string(kMaxCustomerEmailLength) +
                   " characters (got " + std::to_string(length) + ")");
  }
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return invalid("it must contain exactly one '@'");
  }
  if (at == 0) return invalid("the part before '@' is empty");
  if (at + 1 == email.size()) return invalid("the part after '@' is empty");
  if (HasControlOrSpace(email)) return invalid("it must not contain spaces or control characters");
  return std::nullopt;
}

std::string TransitionMessage(std::string_view action, OrderStatus status,
                              std::string_view requirement) {
  return "cannot " + std::string(action) + " an order that is " + std::string(ToString(status)) +
         ": " + std::string(requirement);
}

}  // namespace

std::vector<OrderRejection> CheckNewOrder(const NewOrder& fields) {
  // In form order, so a client reading them top-down fixes them top-down.
  std::vector<OrderRejection> broken;
  auto check = [&broken](std::optional<OrderRejection> rejection) {
    if (rejection) broken.push_back(std::move(*rejection));
  };
  check(CheckRequired("tracking_number", fields.tracking_number, kMaxTrackingNumberLength,
                      OrderError::kTrackingNumberEmpty, OrderError::kTrackingNumberTooLong));
  check(CheckRequired("customer_name", fields.customer_name, kMaxNameLength,
                      OrderError::kCustomerNameEmpty, OrderError::kCustomerNameTooLong));
  check(CheckRequired("origin", fields.origin, kMaxNameLength, OrderError::kOriginEmpty,
                      OrderError::kOriginTooLong));
  check(CheckRequired("destination", fields.destination, kMaxNameLength,
                      OrderError::kDestinationEmpty, OrderError::kDestinationTooLong));
  // Comparing places only makes sense when both are valid.
  if (broken.empty() && SamePlace(fields.origin, fields.destination)) {
    broken.push_back(Reject(OrderError::kSameOriginAndDestination,
                            "origin and destination must be different places (origin '" +
                                fields.origin + "', destination '" + fields.destination + "')"));
  }
  if (fields.customer_email) check(CheckEmail(*fields.customer_email));
  return broken;
}

std::optional<OrderRejection> CheckDriverId(std::string_view driver_id) {
  return CheckRequired("driver_id", driver_id, kMaxDriverIdLength, OrderError::kDriverIdEmpty,
                       OrderError::kDriverIdTooLong);
}

std::optional<OrderRejection> CheckCancellationReason(const std::optional<std::string>& reason) {
  if (!reason) return std::nullopt;
  if (const std::size_t length = LengthOf(*reason); length > kMaxReasonLength) {
    return Reject(OrderError::kReasonTooLong, "reason must be at most " +
                                                  std::to_string(kMaxReasonLength) +
                                                  " characters (got " + std::to_string(length) + ")");
  }
  return std::nullopt;
}

common::Result<Order, OrderRejection> Order::Create(std::string order_id, NewOrder fields,
                                                    common::Timestamp now) {
  if (auto broken = CheckNewOrder(fields); !broken.empty()) {
    return Unexpected{std::move(broken.front())};
  }

  OrderSnapshot snapshot;
  snapshot.order_id = std::move(order_id);
  snapshot.tracking_number = std::move(fields.tracking_number);
  snapshot.customer_name = std::move(fields.customer_name);
  snapshot.customer_email = std::move(fields.customer_email);
  snapshot.origin = std::move(fields.origin);
  snapshot.destination = std::move(fields.destination);
  snapshot.status = OrderStatus::kCreated;
  snapshot.created_at = now;
  snapshot.version = 0;  // Record() makes creation version 1, like every other change
  Order order(std::move(snapshot));
  order.Record(OrderEventType::kCreated, now);
  return order;
}

Order Order::Restore(OrderSnapshot snapshot) { return Order(std::move(snapshot)); }

common::Result<void, OrderRejection> Order::AssignDriver(std::string driver_id,
                                                         common::Timestamp now) {
  // A malformed driver id is wrong in every status, so it is reported first:
  // the client would have to fix it anyway.
  if (auto bad = CheckDriverId(driver_id)) return Unexpected{std::move(*bad)};
  switch (snapshot_.status) {
    case OrderStatus::kCreated:
      snapshot_.status = OrderStatus::kAssigned;
      break;
    case OrderStatus::kAssigned:  // re-assign, even to the same driver
    case OrderStatus::kPaid:      // stays PAID; the driver is what dispatch needs
      break;
    case OrderStatus::kInTransit:
    case OrderStatus::kDelivered:
    case OrderStatus::kCancelled:
      return Unexpected{
          Reject(OrderError::kInvalidTransition,
                 TransitionMessage("assign a driver to", snapshot_.status,
                                   "a driver can be assigned only while the order is CREATED, "
                                   "ASSIGNED or PAID"))};
  }
  snapshot_.driver_id = std::move(driver_id);
  Record(OrderEventType::kAssigned, now);
  return {};
}

common::Result<void, OrderRejection> Order::MarkPaid(std::string payment_id,
                                                     common::Timestamp now) {
  switch (snapshot_.status) {
    case OrderStatus::kCreated:
    case OrderStatus::kAssigned:
      break;
    case OrderStatus::kPaid:
    case OrderStatus::kInTransit:
    case OrderStatus::kDelivered:
    case OrderStatus::kCancelled:
      return Unexpected{Reject(OrderError::kInvalidTransition,
                               TransitionMessage("mark as paid", snapshot_.status,
                                                 "only a CREATED or ASSIGNED order can be paid"))};
  }
  snapshot_.status = OrderStatus::kPaid;
  Record(OrderEventType::kPaid, now, std::nullopt, std::move(payment_id));
  return {};
}

common::Result<void, OrderRejection> Order::Dispatch(common::Timestamp now) {
  if (snapshot_.status != OrderStatus::kPaid) {
    return Unexpected{Reject(OrderError::kInvalidTransition,
                             TransitionMessage("dispatch", snapshot_.status,
                                               "dispatch needs a PAID order with a driver"))};
  }
  if (!snapshot_.driver_id) {
    return Unexpected{Reject(OrderError::kDriverNotAssigned,
                             "cannot dispatch an order that is PAID but has no driver: assign a "
                             "driver first")};
  }
  snapshot_.status = OrderStatus::kInTransit;
  Record(OrderEventType::kDispatched, now);
  return {};
}

common::Result<void, OrderRejection> Order::Deliver(common::Timestamp now) {
  if (snapshot_.status != OrderStatus::kInTransit) {
    return Unexpected{Reject(OrderError::kInvalidTransition,
                             TransitionMessage("deliver", snapshot_.status,
                                               "only an IN_TRANSIT order can be delivered"))};
  }
  snapshot_.status = OrderStatus::kDelivered;
  Record(OrderEventType::kDelivered, now);
  return {};
}

common::Result<void, OrderRejection> Order::Cancel(std::optional<std::string> reason,
                                                   common::Timestamp now) {
  if (auto bad = CheckCancellationReason(reason)) return Unexpected{std::move(*bad)};
  switch (snapshot_.status) {
    case OrderStatus::kCreated:
    case OrderStatus::kAssigned:
    case OrderStatus::kPaid:
      break;
    case OrderStatus::kInTransit:
    case OrderStatus::kDelivered:
    case OrderStatus::kCancelled:
      return Unexpected{Reject(OrderError::kInvalidTransition,
                               TransitionMessage("cancel", snapshot_.status,
                                                 "an order can be cancelled only while it is "
                                                 "CREATED, ASSIGNED or PAID"))};
  }
  snapshot_.status = OrderStatus::kCancelled;
  snapshot_.cancellation_reason = reason;
  Record(OrderEventType::kCancelled, now, std::move(reason));
  return {};
}

std::vector<OrderEvent> Order::TakeEvents() { return std::exchange(pending_events_, {}); }

void Order::Record(OrderEventType type, common::Timestamp now, std::optional<std::string> reason,
                   std::optional<std::string> payment_id) {
  snapshot_.updated_at = now;
  snapshot_.version += 1;
  pending_events_.push_back(OrderEvent{type, snapshot_, std::move(reason), std::move(payment_id)});
}

}  // namespace logistics::orders::domain

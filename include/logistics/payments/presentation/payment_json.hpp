// How a payment looks on the wire, in replies and in event data alike.
//
//   {"payment_id","order_id","amount":"100.00","currency":"USD","status",
//    "failure_reason"|null,"refund_reason"|null,"created_at","updated_at","version"}
//
// The amount is a string with exactly two decimals: money never travels as a
// binary floating-point number. Schema: schemas/payments/payment.json.
// Presentation owns the shape; infrastructure's event mapping
// (payment_cloud_events.hpp) reuses it for event data.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "logistics/json/object_writer.hpp"
#include "logistics/payments/domain/payment_snapshot.hpp"

namespace logistics::payments::presentation {

// The payment's members, into an object the caller opened (event data adds
// its own members after them).
void WritePaymentMembers(json::ObjectWriter& object, const domain::PaymentSnapshot& payment);
// The payment as one JSON object.
std::string PaymentJson(const domain::PaymentSnapshot& payment);

}  // namespace logistics::payments::presentation

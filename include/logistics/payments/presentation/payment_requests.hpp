// Decoding of the payments request bodies (SPEC §2), strictly.
//
// Shape only: a JSON object, required fields present, JSON types right, ids
// well-formed, no unknown field, each problem named. Content rules (money,
// currency, reason lengths) belong to the domain.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/json/body_reader.hpp"
#include "logistics/payments/application/ports/payment_repository.hpp"

namespace logistics::payments::presentation {

template <typename T>
using Decoded = common::Result<T, json::BodyError>;

struct RegisterPaymentRequest {
  std::string order_id;
  std::string amount;  // the decimal text: a JSON string as sent, a number as its shortest text
  std::optional<std::string> currency;
};
struct PaymentIdRequest {  // confirm, get
  std::string payment_id;
};
struct FailPaymentRequest {
  std::string payment_id;
  std::string reason;
};
struct RefundPaymentRequest {
  std::string payment_id;
  std::optional<std::string> reason;
};

Decoded<RegisterPaymentRequest> DecodeRegisterPayment(std::string_view body, std::size_t max_bytes);
Decoded<PaymentIdRequest> DecodePaymentId(std::string_view body, std::size_t max_bytes);
Decoded<FailPaymentRequest> DecodeFailPayment(std::string_view body, std::size_t max_bytes);
Decoded<RefundPaymentRequest> DecodeRefundPayment(std::string_view body, std::size_t max_bytes);
// order_id, status, limit (1..500, default 50), cursor; an empty body lists everything.
Decoded<application::PaymentListQuery> DecodeListPayments(std::string_view body,
                                                          std::size_t max_bytes);

}  // namespace logistics::payments::presentation

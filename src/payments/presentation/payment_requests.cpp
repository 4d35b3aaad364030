#include "logistics/payments/presentation/payment_requests.hpp"

#include "logistics/messaging/list_cursor.hpp"
#include "logistics/payments/domain/currency.hpp"
#include "logistics/payments/domain/money.hpp"

namespace logistics::payments::presentation {
namespace {

using json::BodyReader;

template <typename T>
Decoded<T> Finish(BodyReader& body, T value) {
  if (auto problems = body.Finish(); !problems.empty()) {
    return common::Unexpected{BodyReader::ValidationFailed(std::move(problems))};
  }
  return value;
}

}  // namespace

Decoded<RegisterPaymentRequest> DecodeRegisterPayment(std::string_view text, std::size_t max_bytes) {
  auto body = BodyReader::Parse(text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  RegisterPaymentRequest request;
  if (auto id = body->RequiredUuid("order_id")) request.order_id = std::move(*id);
  auto amount = body->RequiredDecimal("amount");
  if (amount) request.amount = *amount;
  request.currency = body->OptionalString("currency");
  auto problems = body->Finish();
  // Name every offending field at once: the domain's money rules for the
  // fields that were well-formed, after the shape problems.
  std::vector<domain::PaymentRejection> broken;
  if (amount) {
    if (auto money = domain::Money::Parse(*amount); !money) broken.push_back(money.error());
  }
  if (request.currency) {
    if (auto currency = domain::Currency::Parse(*request.currency); !currency) {
      broken.push_back(currency.error());
    }
  }
  for (const auto& rejection : broken) {
    problems.push_back(json::FieldProblem{std::string(domain::Field(rejection.error)), rejection.message});
  }
  if (problems.empty()) return request;
  json::BodyError error = BodyReader::ValidationFailed(std::move(problems));
  if (broken.size() == 1 && error.details.size() == 1) {  // keep the specific code
    error.code = std::string(domain::Code(broken.front().error));
    error.message = broken.front().message;
  }
  return common::Unexpected{std::move(error)};
}

Decoded<PaymentIdRequest> DecodePaymentId(std::string_view text, std::size_t max_bytes) {
  auto body = BodyReader::Parse(text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  PaymentIdRequest request;
  if (auto id = body->RequiredUuid("payment_id")) request.payment_id = std::move(*id);
  return Finish(*body, std::move(request));
}

Decoded<FailPaymentRequest> DecodeFailPayment(std::string_view text, std::size_t max_bytes) {
  auto body = BodyReader::Parse(text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  FailPaymentRequest request;
  if (auto id = body->RequiredUuid("payment_id")) request.payment_id = std::move(*id);
  if (auto reason = body->RequiredString("reason")) request.reason = std::move(*reason);
  return Finish(*body, std::move(request));
}

Decoded<RefundPaymentRequest> DecodeRefundPayment(std::string_view text, std::size_t max_bytes) {
  auto body = BodyReader::Parse(text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  RefundPaymentRequest request;
  if (auto id = body->RequiredUuid("payment_id")) request.payment_id = std::move(*id);
  request.reason = body->OptionalString("reason");
  return Finish(*body, std::move(request));
}

Decoded<application::PaymentListQuery> DecodeListPayments(std::string_view text,
                                                          std::size_t max_bytes) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) text = "{}";
  auto body = BodyReader::Parse(text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  application::PaymentListQuery query;
  query.order_id = body->OptionalUuid("order_id");
  if (auto status = body->OptionalString("status")) {
    query.status = domain::ParsePaymentStatus(*status);
    if (!query.status) {
      body->AddProblem("status", "must be one of PENDING, CONFIRMED, FAILED, REFUNDED");
    }
  }
  query.limit = static_cast<std::size_t>(body->OptionalInteger("limit", 1, 500).value_or(50));
  if (auto cursor = body->OptionalString("cursor")) {
    query.before_payment_id = messaging::DecodeListCursor(*cursor);
    if (!query.before_payment_id) {
      body->AddProblem("cursor", "is not a cursor returned by payments.query.list");
    }
  }
  return Finish(*body, std::move(query));
}

}  // namespace logistics::payments::presentation

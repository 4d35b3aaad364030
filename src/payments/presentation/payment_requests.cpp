#include "logistics/payments/presentation/payment_requests.hpp"

#include "logistics/json/request_verdict.hpp"
#include "logistics/messaging/list_cursor.hpp"
#include "logistics/payments/domain/currency.hpp"
#include "logistics/payments/domain/money.hpp"
#include "logistics/payments/domain/payment.hpp"

namespace logistics::payments::presentation {
namespace {

using json::BodyReader;

// The verdict on the body: its shape problems and the given broken rules.
template <typename T>
Decoded<T> Finish(BodyReader& body, T value,
                  std::initializer_list<std::optional<domain::PaymentRejection>> rules = {}) {
  std::vector<json::BrokenRule> broken;
  for (const auto& rule : rules) {
    if (rule) {
      broken.push_back(json::BrokenRule{std::string(domain::Field(rule->error)),
                                        std::string(domain::Code(rule->error)), rule->message});
    }
  }
  if (auto verdict = json::RequestVerdict(body.Finish(), broken); !verdict) {
    return common::Unexpected{verdict.error()};
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
  // Name every offending field at once: the domain's money rules for the
  // fields that were well-formed, after the shape problems.
  std::optional<domain::PaymentRejection> money_rule;
  std::optional<domain::PaymentRejection> currency_rule;
  if (amount) {
    if (auto money = domain::Money::Parse(*amount); !money) money_rule = money.error();
  }
  if (request.currency) {
    if (auto currency = domain::Currency::Parse(*request.currency); !currency) {
      currency_rule = currency.error();
    }
  }
  return Finish(*body, std::move(request), {money_rule, currency_rule});
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
  auto reason = body->RequiredString("reason");
  if (reason) request.reason = std::move(*reason);
  const auto rule = reason ? domain::CheckFailureReason(request.reason) : std::nullopt;
  return Finish(*body, std::move(request), {rule});
}

Decoded<RefundPaymentRequest> DecodeRefundPayment(std::string_view text, std::size_t max_bytes) {
  auto body = BodyReader::Parse(text, max_bytes);
  if (!body) return common::Unexpected{body.error()};
  RefundPaymentRequest request;
  if (auto id = body->RequiredUuid("payment_id")) request.payment_id = std::move(*id);
  request.reason = body->OptionalString("reason");
  const auto rule = domain::CheckRefundReason(request.reason);
  return Finish(*body, std::move(request), {rule});
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
    query.before = messaging::DecodeListCursor(*cursor);
    if (!query.before) {
      body->AddProblem("cursor", "is not a cursor returned by payments.query.list");
    }
  }
  return Finish(*body, std::move(query));
}

}  // namespace logistics::payments::presentation

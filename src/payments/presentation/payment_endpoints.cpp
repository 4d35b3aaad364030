#include "logistics/payments/presentation/payment_endpoints.hpp"

#include "logistics/aggregate_service/presentation/command_submission.hpp"
#include "logistics/aggregate_service/presentation/endpoint_routes.hpp"
#include "logistics/aggregate_service/presentation/request_replies.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/messaging/list_cursor.hpp"
#include "logistics/payments/application/payment_queries.hpp"
#include "logistics/payments/application/prepare_registration.hpp"
#include "logistics/payments/presentation/payment_error_replies.hpp"
#include "logistics/payments/presentation/payment_json.hpp"
#include "logistics/payments/presentation/payment_requests.hpp"

namespace logistics::payments::presentation {
namespace {

using aggregate_service::presentation::RejectBadBody;
using aggregate_service::presentation::RespondWith;

std::string_view PaymentIdOf(const domain::PaymentSnapshot& payment) { return payment.payment_id; }

const aggregate_service::presentation::AggregateReplies<domain::PaymentSnapshot,
                                                        application::PaymentFailure>
    kReplies{"payment changed", "payment_id", &PaymentIdOf, &PaymentJson, &ToErrorReply};

// The answer to a registration that cannot be queued.
messaging::ErrorReply BlockedReply(const std::string& order_id,
                                   const application::RegistrationBlocked& blocked) {
  if (const auto* rejection = std::get_if<domain::PaymentRejection>(&blocked)) {
    return ToErrorReply(application::PaymentFailure{*rejection});
  }
  const auto& unavailable = std::get<application::OrdersUnavailable>(blocked);
  logging::Warn("cannot check an unknown order with the orders service",
                {{"order_id", order_id}, {"error", unavailable.detail}});
  return messaging::Unavailable(unavailable.message);
}

}  // namespace

PaymentEndpoints::PaymentEndpoints(messaging::CommandRunner& commands, PaymentStorage storage,
                                   common::IdGenerator& ids, const common::Clock& clock,
                                   const application::OrderDirectory& orders,
                                   std::size_t max_body_bytes)
    : storage_(std::move(storage)),
      commands_(commands, storage_.in_transaction, clock, kReplies),
      ids_(ids),
      orders_(orders),
      max_body_bytes_(max_body_bytes) {}

std::vector<messaging::Endpoint> PaymentEndpoints::Endpoints() {
  return aggregate_service::presentation::EndpointRoutes<PaymentEndpoints>(
      this, {
                {"register", "payments.cmd.register", &PaymentEndpoints::Register,
                 "payments/commands/register.json", "payments/payment.json"},
                {"confirm", "payments.cmd.confirm", &PaymentEndpoints::Confirm,
                 "payments/commands/confirm.json", "payments/payment.json"},
                {"fail", "payments.cmd.fail", &PaymentEndpoints::Fail,
                 "payments/commands/fail.json", "payments/payment.json"},
                {"refund", "payments.cmd.refund", &PaymentEndpoints::Refund,
                 "payments/commands/refund.json", "payments/payment.json"},
                {"get", "payments.query.get", &PaymentEndpoints::Get, "payments/queries/get.json",
                 "payments/payment.json"},
                {"list", "payments.query.list", &PaymentEndpoints::List,
                 "payments/queries/list.json", "payments/replies/list.json"},
            });
}

void PaymentEndpoints::Register(const RequestPtr& request) {
  auto decoded = DecodeRegisterPayment(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  // Here on the NATS thread, so that the writer never waits on the network.
  auto prepared = [&] {
    const auto reads = storage_.for_reading();
    return application::PrepareRegistration(reads->orders(), orders_)
        .Execute({decoded->order_id, decoded->amount, decoded->currency, std::nullopt});
  }();
  if (!prepared) {
    request->Respond(BlockedReply(decoded->order_id, prepared.error()));
    return;
  }
  commands_.Submit(request,
                   [this, command = std::move(*prepared)](application::PaymentCommandPorts ports) {
                     return application::RegisterPayment(ports, ids_).Execute(command);
                   });
}

void PaymentEndpoints::Confirm(const RequestPtr& request) {
  auto decoded = DecodePaymentId(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  commands_.Submit(request, [id = decoded->payment_id](application::PaymentCommandPorts ports) {
    return application::ConfirmPayment(ports).Execute(id);
  });
}

void PaymentEndpoints::Fail(const RequestPtr& request) {
  auto decoded = DecodeFailPayment(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  commands_.Submit(request, [body = std::move(*decoded)](application::PaymentCommandPorts ports) {
    return application::FailPayment(ports).Execute(body.payment_id, body.reason);
  });
}

void PaymentEndpoints::Refund(const RequestPtr& request) {
  auto decoded = DecodeRefundPayment(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  commands_.Submit(request, [body = std::move(*decoded)](application::PaymentCommandPorts ports) {
    return application::RefundPayment(ports).Execute(body.payment_id, body.reason);
  });
}

void PaymentEndpoints::Get(const RequestPtr& request) {
  auto decoded = DecodePaymentId(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  const auto reads = storage_.for_reading();
  RespondWith(request, application::GetPayment(reads->payments()).Execute(decoded->payment_id),
              PaymentJson, ToErrorReply);
}

void PaymentEndpoints::List(const RequestPtr& request) {
  auto decoded = DecodeListPayments(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  const auto reads = storage_.for_reading();
  auto page = application::ListPayments(reads->payments()).Execute(*decoded);
  if (!page) {
    request->Respond(ToErrorReply(page.error()));
    return;
  }
  request->Respond(messaging::ListPageReply("payments", page->items, page->has_more, PaymentJson,
                                            PaymentIdOf));
}

}  // namespace logistics::payments::presentation

#include "logistics/payments/presentation/payment_endpoints.hpp"

#include "logistics/logging/log.hpp"
#include "logistics/messaging/command_runner.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/messaging/list_cursor.hpp"
#include "logistics/payments/application/payment_queries.hpp"
#include "logistics/payments/infrastructure/payment_json.hpp"
#include "logistics/payments/infrastructure/sqlite_order_projection.hpp"
#include "logistics/payments/infrastructure/sqlite_payment_repository.hpp"
#include "logistics/payments/infrastructure/sqlite_payment_unit_of_work.hpp"
#include "logistics/payments/presentation/payment_error_replies.hpp"
#include "logistics/payments/presentation/payment_requests.hpp"

namespace logistics::payments::presentation {
namespace {

template <typename T>
bool RejectBadBody(const std::shared_ptr<messaging::IncomingRequest>& request,
                   const Decoded<T>& decoded) {
  if (decoded) return false;
  request->Respond(messaging::BadRequest(decoded.error()));
  return true;
}

}  // namespace

PaymentEndpoints::PaymentEndpoints(messaging::CommandRunner& commands, sqlite::ReadPool& reads,
                                   common::IdGenerator& ids, const common::Clock& clock,
                                   const infrastructure::NatsOrderDirectory& orders,
                                   std::size_t max_body_bytes)
    : commands_(commands),
      reads_(reads),
      ids_(ids),
      clock_(clock),
      orders_(orders),
      max_body_bytes_(max_body_bytes) {}

std::vector<messaging::Endpoint> PaymentEndpoints::Endpoints() {
  auto bind = [this](void (PaymentEndpoints::*handler)(const RequestPtr&)) {
    return [this, handler](RequestPtr request) { (this->*handler)(request); };
  };
  return {
      {"register", "payments.cmd.register", bind(&PaymentEndpoints::Register)},
      {"confirm", "payments.cmd.confirm", bind(&PaymentEndpoints::Confirm)},
      {"fail", "payments.cmd.fail", bind(&PaymentEndpoints::Fail)},
      {"refund", "payments.cmd.refund", bind(&PaymentEndpoints::Refund)},
      {"get", "payments.query.get", bind(&PaymentEndpoints::Get)},
      {"list", "payments.query.list", bind(&PaymentEndpoints::List)},
  };
}

void PaymentEndpoints::Submit(const RequestPtr& request, Command command) {
  commands_.Submit(
      request,
      [this, request, command = std::move(command)](sqlite::Database& db) -> messaging::CommandOutcome {
        infrastructure::SqlitePaymentRepository payments(db);
        infrastructure::SqliteOrderProjection orders(db, clock_);
        infrastructure::SqlitePaymentUnitOfWork unit_of_work(
            db, ids_, messaging::CausedByRequest(request->metadata()));
        auto result = command(application::PaymentCommandPorts{payments, unit_of_work, orders, clock_});
        if (!result) return common::Unexpected{ToErrorReply(result.error())};
        logging::Debug("payment changed", {{"payment_id", result->payment_id},
                                           {"order_id", result->order_id},
                                           {"verb", request->verb()},
                                           {"correlation_id", request->metadata().correlation_id}});
        return infrastructure::PaymentJson(*result);
      });
}

void PaymentEndpoints::Register(const RequestPtr& request) {
  auto decoded = DecodeRegisterPayment(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  application::RegisterPaymentCommand command{decoded->order_id, decoded->amount,
                                              decoded->currency, std::nullopt};
  // Ask orders about an order the projection has not seen yet, here on the
  // NATS thread: the writer never waits on the network.
  bool known = false;
  {
    auto db = reads_.Acquire();
    infrastructure::SqliteOrderProjection projection(*db, clock_);
    auto view = projection.Find(command.order_id);
    known = view && view->has_value();
  }
  if (!known) {
    const auto lookup = orders_.Find(command.order_id);
    switch (lookup.outcome) {
      case infrastructure::OrderLookup::Outcome::kFound:
        command.fetched_order = lookup.order;
        break;
      case infrastructure::OrderLookup::Outcome::kNotFound:
        request->Respond(messaging::RejectionReply(
            404, domain::Code(domain::PaymentError::kOrderNotFound),
            "order " + command.order_id + " not found", "order_id"));
        return;
      case infrastructure::OrderLookup::Outcome::kUnavailable:
        logging::Warn("cannot check an unknown order with the orders service",
                      {{"order_id", command.order_id}, {"error", lookup.detail}});
        request->Respond(messaging::Unavailable(
            "order " + command.order_id +
            " is not known here yet and the orders service cannot be asked: " + lookup.detail));
        return;
    }
  }
  Submit(request, [this, command = std::move(command)](application::PaymentCommandPorts ports) {
    return application::RegisterPayment(ports, ids_).Execute(command);
  });
}

void PaymentEndpoints::Confirm(const RequestPtr& request) {
  auto decoded = DecodePaymentId(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  Submit(request, [id = decoded->payment_id](application::PaymentCommandPorts ports) {
    return application::ConfirmPayment(ports).Execute(id);
  });
}

void PaymentEndpoints::Fail(const RequestPtr& request) {
  auto decoded = DecodeFailPayment(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  Submit(request, [body = std::move(*decoded)](application::PaymentCommandPorts ports) {
    return application::FailPayment(ports).Execute(body.payment_id, body.reason);
  });
}

void PaymentEndpoints::Refund(const RequestPtr& request) {
  auto decoded = DecodeRefundPayment(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  Submit(request, [body = std::move(*decoded)](application::PaymentCommandPorts ports) {
    return application::RefundPayment(ports).Execute(body.payment_id, body.reason);
  });
}

void PaymentEndpoints::Get(const RequestPtr& request) {
  auto decoded = DecodePaymentId(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  auto db = reads_.Acquire();
  infrastructure::SqlitePaymentRepository payments(*db);
  auto payment = application::GetPayment(payments).Execute(decoded->payment_id);
  if (!payment) {
    request->Respond(ToErrorReply(payment.error()));
    return;
  }
  request->Respond(infrastructure::PaymentJson(*payment));
}

void PaymentEndpoints::List(const RequestPtr& request) {
  auto decoded = DecodeListPayments(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  auto db = reads_.Acquire();
  infrastructure::SqlitePaymentRepository payments(*db);
  auto page = application::ListPayments(payments).Execute(*decoded);
  if (!page) {
    request->Respond(ToErrorReply(page.error()));
    return;
  }
  request->Respond(messaging::ListPageReply(
      "payments", page->payments, page->has_more, infrastructure::PaymentJson,
      [](const domain::PaymentSnapshot& payment) -> std::string_view { return payment.payment_id; }));
}

}  // namespace logistics::payments::presentation

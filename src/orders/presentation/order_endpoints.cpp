#include "logistics/orders/presentation/order_endpoints.hpp"

#include "logistics/logging/log.hpp"
#include "logistics/messaging/command_runner.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/orders/application/order_queries.hpp"
#include "logistics/orders/infrastructure/order_json.hpp"
#include "logistics/orders/infrastructure/sqlite_order_repository.hpp"
#include "logistics/orders/infrastructure/sqlite_order_unit_of_work.hpp"
#include "logistics/messaging/list_cursor.hpp"
#include "logistics/orders/presentation/order_error_replies.hpp"
#include "logistics/orders/presentation/order_requests.hpp"

namespace logistics::orders::presentation {
namespace {

using messaging::IncomingRequest;
using RequestPtr = std::shared_ptr<IncomingRequest>;

// Answers a decoding failure; true when there was one.
template <typename T>
bool RejectBadBody(const RequestPtr& request, const Decoded<T>& decoded) {
  if (decoded) return false;
  logging::Debug("rejected a malformed request",
                 {{"subject", request->subject()},
                  {"error", decoded.error().message},
                  {"correlation_id", request->metadata().correlation_id}});
  request->Respond(messaging::BadRequest(decoded.error()));
  return true;
}

}  // namespace

OrderEndpoints::OrderEndpoints(messaging::CommandRunner& commands, sqlite::ReadPool& reads,
                               common::IdGenerator& ids, const common::Clock& clock,
                               OrderEndpointsSettings settings)
    : commands_(commands), reads_(reads), ids_(ids), clock_(clock), settings_(settings) {}

std::vector<messaging::Endpoint> OrderEndpoints::Endpoints() {
  auto bind = [this](void (OrderEndpoints::*handler)(const RequestPtr&)) {
    return [this, handler](RequestPtr request) { (this->*handler)(request); };
  };
  return {
      {"create", "orders.cmd.create", bind(&OrderEndpoints::Create)},
      {"assign", "orders.cmd.assign", bind(&OrderEndpoints::Assign)},
      {"dispatch", "orders.cmd.dispatch", bind(&OrderEndpoints::Dispatch)},
      {"deliver", "orders.cmd.deliver", bind(&OrderEndpoints::Deliver)},
      {"cancel", "orders.cmd.cancel", bind(&OrderEndpoints::Cancel)},
      {"get", "orders.query.get", bind(&OrderEndpoints::Get)},
      {"list", "orders.query.list", bind(&OrderEndpoints::List)},
  };
}

void OrderEndpoints::Submit(const RequestPtr& request, Command command) {
  commands_.Submit(
      request,
      [this, request, command = std::move(command)](sqlite::Database& db) -> messaging::CommandOutcome {
        infrastructure::SqliteOrderRepository orders(db);
        infrastructure::SqliteOrderUnitOfWork unit_of_work(
            db, ids_, messaging::CausedByRequest(request->metadata()));
        auto result = command(application::OrderCommandPorts{orders, unit_of_work, clock_});
        if (!result) return common::Unexpected{ToErrorReply(result.error())};
        logging::Debug("order changed", {{"order_id", result->order_id},
                                         {"verb", request->verb()},
                                         {"version", result->version},
                                         {"correlation_id", request->metadata().correlation_id}});
        return infrastructure::OrderJson(*result);
      });
}

void OrderEndpoints::Create(const RequestPtr& request) {
  auto decoded = DecodeCreateOrder(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  Submit(request, [this, fields = std::move(*decoded)](application::OrderCommandPorts ports) {
    return application::CreateOrder(ports, ids_).Execute(fields);
  });
}

void OrderEndpoints::Assign(const RequestPtr& request) {
  auto decoded = DecodeAssignDriver(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  Submit(request, [body = std::move(*decoded)](application::OrderCommandPorts ports) {
    return application::AssignDriver(ports).Execute(body.order_id, body.driver_id);
  });
}

void OrderEndpoints::Dispatch(const RequestPtr& request) {
  auto decoded = DecodeOrderId(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  Submit(request, [body = std::move(*decoded)](application::OrderCommandPorts ports) {
    return application::DispatchOrder(ports).Execute(body.order_id);
  });
}

void OrderEndpoints::Deliver(const RequestPtr& request) {
  auto decoded = DecodeOrderId(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  Submit(request, [body = std::move(*decoded)](application::OrderCommandPorts ports) {
    return application::DeliverOrder(ports).Execute(body.order_id);
  });
}

void OrderEndpoints::Cancel(const RequestPtr& request) {
  auto decoded = DecodeCancelOrder(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  Submit(request, [body = std::move(*decoded)](application::OrderCommandPorts ports) {
    return application::CancelOrder(ports).Execute(body.order_id, body.reason);
  });
}

void OrderEndpoints::Get(const RequestPtr& request) {
  auto decoded = DecodeGetOrder(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  auto db = reads_.Acquire();
  infrastructure::SqliteOrderRepository orders(*db);
  auto order = application::GetOrder(orders).Execute(*decoded);
  if (!order) {
    request->Respond(ToErrorReply(order.error()));
    return;
  }
  request->Respond(infrastructure::OrderJson(*order));
}

void OrderEndpoints::List(const RequestPtr& request) {
  auto decoded = DecodeListOrders(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  auto db = reads_.Acquire();
  infrastructure::SqliteOrderRepository orders(*db);
  auto page = application::ListOrders(orders).Execute(decoded->query);
  if (!page) {
    request->Respond(ToErrorReply(page.error()));
    return;
  }
  request->Respond(messaging::ListPageReply(
      "orders", page->orders, page->has_more, infrastructure::OrderJson,
      [](const domain::OrderSnapshot& order) -> std::string_view { return order.order_id; }));
}

}  // namespace logistics::orders::presentation

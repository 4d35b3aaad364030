#include "logistics/orders/presentation/order_endpoints.hpp"

#include "logistics/aggregate_service/presentation/command_submission.hpp"
#include "logistics/aggregate_service/presentation/endpoint_routes.hpp"
#include "logistics/aggregate_service/presentation/request_replies.hpp"
#include "logistics/messaging/list_cursor.hpp"
#include "logistics/orders/application/order_queries.hpp"
#include "logistics/orders/presentation/order_error_replies.hpp"
#include "logistics/orders/presentation/order_json.hpp"
#include "logistics/orders/presentation/order_requests.hpp"

namespace logistics::orders::presentation {
namespace {

using aggregate_service::presentation::RejectBadBody;
using aggregate_service::presentation::RespondWith;
using RequestPtr = aggregate_service::presentation::RequestPtr;

std::string_view OrderIdOf(const domain::OrderSnapshot& order) { return order.order_id; }

const aggregate_service::presentation::AggregateReplies<domain::OrderSnapshot,
                                                        application::OrderFailure>
    kReplies{"order changed", "order_id", &OrderIdOf, &OrderJson, &ToErrorReply};

}  // namespace

OrderEndpoints::OrderEndpoints(messaging::CommandRunner& commands, OrderStorage storage,
                               common::IdGenerator& ids, const common::Clock& clock,
                               OrderEndpointsSettings settings)
    : storage_(std::move(storage)),
      commands_(commands, storage_.in_transaction, clock, kReplies),
      ids_(ids),
      settings_(settings) {}

std::vector<messaging::Endpoint> OrderEndpoints::Endpoints() {
  return aggregate_service::presentation::EndpointRoutes<OrderEndpoints>(
      this, {
                {"create", "orders.cmd.create", &OrderEndpoints::Create,
                 "orders/commands/create.json", "orders/order.json"},
                {"assign", "orders.cmd.assign", &OrderEndpoints::Assign,
                 "orders/commands/assign.json", "orders/order.json"},
                {"dispatch", "orders.cmd.dispatch", &OrderEndpoints::Dispatch,
                 "orders/commands/dispatch.json", "orders/order.json"},
                {"deliver", "orders.cmd.deliver", &OrderEndpoints::Deliver,
                 "orders/commands/deliver.json", "orders/order.json"},
                {"cancel", "orders.cmd.cancel", &OrderEndpoints::Cancel,
                 "orders/commands/cancel.json", "orders/order.json"},
                {"get", "orders.query.get", &OrderEndpoints::Get, "orders/queries/get.json",
                 "orders/order.json"},
                {"list", "orders.query.list", &OrderEndpoints::List, "orders/queries/list.json",
                 "orders/replies/list.json"},
            });
}

void OrderEndpoints::Create(const RequestPtr& request) {
  auto decoded = DecodeCreateOrder(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  commands_.Submit(request,
                   [this, fields = std::move(*decoded)](application::OrderCommandPorts ports) {
                     return application::CreateOrder(ports, ids_).Execute(fields);
                   });
}

void OrderEndpoints::Assign(const RequestPtr& request) {
  auto decoded = DecodeAssignDriver(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  commands_.Submit(request, [body = std::move(*decoded)](application::OrderCommandPorts ports) {
    return application::AssignDriver(ports).Execute(body.order_id, body.driver_id);
  });
}

void OrderEndpoints::Dispatch(const RequestPtr& request) {
  auto decoded = DecodeOrderId(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  commands_.Submit(request, [body = std::move(*decoded)](application::OrderCommandPorts ports) {
    return application::DispatchOrder(ports).Execute(body.order_id);
  });
}

void OrderEndpoints::Deliver(const RequestPtr& request) {
  auto decoded = DecodeOrderId(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  commands_.Submit(request, [body = std::move(*decoded)](application::OrderCommandPorts ports) {
    return application::DeliverOrder(ports).Execute(body.order_id);
  });
}

void OrderEndpoints::Cancel(const RequestPtr& request) {
  auto decoded = DecodeCancelOrder(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  commands_.Submit(request, [body = std::move(*decoded)](application::OrderCommandPorts ports) {
    return application::CancelOrder(ports).Execute(body.order_id, body.reason);
  });
}

void OrderEndpoints::Get(const RequestPtr& request) {
  auto decoded = DecodeGetOrder(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  const auto orders = storage_.for_reading();
  RespondWith(request, application::GetOrder(*orders).Execute(*decoded), OrderJson, ToErrorReply);
}

void OrderEndpoints::List(const RequestPtr& request) {
  auto decoded = DecodeListOrders(request->data(), settings_.max_body_bytes);
  if (RejectBadBody(request, decoded)) return;
  const auto orders = storage_.for_reading();
  auto page = application::ListOrders(*orders).Execute(decoded->query);
  if (!page) {
    request->Respond(ToErrorReply(page.error()));
    return;
  }
  request->Respond(
      messaging::ListPageReply("orders", page->items, page->has_more, OrderJson, OrderIdOf));
}

}  // namespace logistics::orders::presentation

#include "logistics/payments/infrastructure/nats_order_directory.hpp"

#include <nlohmann/json.hpp>

#include "logistics/nats/message.hpp"

namespace logistics::payments::infrastructure {

application::OrderLookup NatsOrderDirectory::Find(const std::string& order_id) const {
  using Outcome = application::OrderLookup::Outcome;
  const std::string body = nlohmann::json{{"order_id", order_id}}.dump();
  auto reply = connection_.Request("orders.query.get", body, timeout_);
  if (!reply) {
    switch (reply.error().kind) {
      case nats::NatsErrorKind::kTimeout:
        return {Outcome::kUnavailable, {}, "the orders service did not answer in time"};
      case nats::NatsErrorKind::kNoResponders:
        return {Outcome::kUnavailable, {}, "the orders service is not running"};
      default:
        return {Outcome::kUnavailable, {}, reply.error().message};
    }
  }
  if (const auto code = reply->Header("Nats-Service-Error-Code")) {
    if (*code == "404") return {Outcome::kNotFound, {}, {}};
    return {Outcome::kUnavailable, {}, "orders.query.get answered " + *code};
  }
  const auto order = nlohmann::json::parse(reply->data(), nullptr, false);
  if (!order.is_object() || !order.contains("status") || !order["status"].is_string() ||
      !order.contains("version") || !order["version"].is_number_integer()) {
    return {Outcome::kUnavailable, {}, "orders.query.get answered something that is not an order"};
  }
  return {Outcome::kFound,
          domain::OrderView{order_id, order["status"].get<std::string>(),
                            order["version"].get<std::int64_t>()},
          {}};
}

}  // namespace logistics::payments::infrastructure

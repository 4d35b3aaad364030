// PrepareRegistration: what payments decides, before queuing a registration,
// about an order it may not have seen (found, unknown to orders, or orders
// cannot be asked), without a server: the projection and the directory are
// fakes.
#include "logistics/payments/application/prepare_registration.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <variant>

#include "support/fakes/fake_order_directory.hpp"
#include "support/fakes/in_memory_payments.hpp"
#include "support/fakes/sequential_id_generator.hpp"

namespace {

using logistics::payments::application::OrderLookup;
using logistics::payments::application::OrdersUnavailable;
using logistics::payments::application::PrepareRegistration;
using logistics::payments::application::RegisterPaymentCommand;
using logistics::payments::domain::OrderView;
using logistics::payments::domain::PaymentError;
using logistics::payments::domain::PaymentRejection;
using logistics::testing::FakeOrderDirectory;
using logistics::testing::InMemoryOrderProjection;
using logistics::testing::SequentialIdGenerator;

const std::string kOrderId = SequentialIdGenerator::IdAt(1, 1);

RegisterPaymentCommand Registration() {
  return RegisterPaymentCommand{kOrderId, "100.00", std::nullopt, std::nullopt};
}

}  // namespace

TEST_CASE("an order the projection knows is registered without asking the orders service",
          "[payments][application]") {
  InMemoryOrderProjection projection;
  projection.Put(OrderView{kOrderId, "CANCELLED", 4});
  FakeOrderDirectory directory;

  auto prepared = PrepareRegistration(projection, directory).Execute(Registration());

  REQUIRE(prepared.has_value());
  CHECK_FALSE(prepared->fetched_order.has_value());
  CHECK(prepared->amount == "100.00");
  CHECK(directory.asked.empty());
}

SCENARIO("an order the projection has not seen is asked of the orders service",
         "[payments][application]") {
  InMemoryOrderProjection projection;
  FakeOrderDirectory directory;

  GIVEN("the orders service knows the order") {
    directory.next = {OrderLookup::Outcome::kFound, OrderView{kOrderId, "ASSIGNED", 2}, {}};
    THEN("its answer travels with the command") {
      auto prepared = PrepareRegistration(projection, directory).Execute(Registration());
      REQUIRE(prepared.has_value());
      REQUIRE(prepared->fetched_order.has_value());
      CHECK(*prepared->fetched_order == OrderView{kOrderId, "ASSIGNED", 2});
      CHECK(directory.asked == std::vector<std::string>{kOrderId});
    }
  }
  GIVEN("the orders service does not know the order") {
    directory.next = {OrderLookup::Outcome::kNotFound, std::nullopt, {}};
    THEN("the registration is rejected as ORDER_NOT_FOUND, naming the order") {
      auto prepared = PrepareRegistration(projection, directory).Execute(Registration());
      REQUIRE_FALSE(prepared.has_value());
      const auto* rejection = std::get_if<PaymentRejection>(&prepared.error());
      REQUIRE(rejection != nullptr);
      CHECK(rejection->error == PaymentError::kOrderNotFound);
      CHECK(rejection->message == "order " + kOrderId + " not found");
    }
  }
  GIVEN("the orders service cannot be asked") {
    directory.next = {OrderLookup::Outcome::kUnavailable, std::nullopt, "no responders"};
    THEN("the registration is unavailable, with the cause") {
      auto prepared = PrepareRegistration(projection, directory).Execute(Registration());
      REQUIRE_FALSE(prepared.has_value());
      const auto* unavailable = std::get_if<OrdersUnavailable>(&prepared.error());
      REQUIRE(unavailable != nullptr);
      CHECK(unavailable->detail == "no responders");
      CHECK(unavailable->message == "order " + kOrderId +
                                        " is not known here yet and the orders service cannot "
                                        "be asked: no responders");
    }
  }
}

TEST_CASE("a projection that cannot be read sends the question to the orders service",
          "[payments][application]") {
  InMemoryOrderProjection projection;
  projection.Put(OrderView{kOrderId, "CREATED", 1});
  projection.FailNextCall("database is locked");
  FakeOrderDirectory directory;
  directory.next = {OrderLookup::Outcome::kFound, OrderView{kOrderId, "CREATED", 1}, {}};

  auto prepared = PrepareRegistration(projection, directory).Execute(Registration());

  REQUIRE(prepared.has_value());
  CHECK(prepared->fetched_order.has_value());
  CHECK(directory.asked.size() == 1);
}

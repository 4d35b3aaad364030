#include "logistics/common/result.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

namespace {

using logistics::common::Result;
using logistics::common::Unexpected;

Result<int, std::string> Half(int n) {
  if (n % 2 != 0) return Unexpected{std::string("odd")};
  return n / 2;
}

Result<void, std::string> Check(bool ok) {
  if (!ok) return Unexpected{std::string("not ok")};
  return {};
}

}  // namespace

TEST_CASE("a Result built from a value holds that value", "[common][result]") {
  const auto result = Half(8);
  REQUIRE(result.has_value());
  CHECK(static_cast<bool>(result));
  CHECK(result.value() == 4);
  CHECK(*result == 4);
}

TEST_CASE("a Result built from Unexpected holds the error and no value", "[common][result]") {
  const auto result = Half(7);
  REQUIRE_FALSE(result.has_value());
  CHECK_FALSE(static_cast<bool>(result));
  CHECK(result.error() == "odd");
}

TEST_CASE("a Result whose value and error types are equal still tells them apart",
          "[common][result]") {
  const Result<std::string, std::string> value = std::string("fine");
  const Result<std::string, std::string> error = Unexpected{std::string("broken")};
  REQUIRE(value.has_value());
  CHECK(*value == "fine");
  REQUIRE_FALSE(error.has_value());
  CHECK(error.error() == "broken");
}

TEST_CASE("a Result gives access to its value's members and lets a move-only value out",
          "[common][result]") {
  Result<std::string, int> text = std::string("abc");
  CHECK(text->size() == 3);
  text->push_back('d');
  CHECK(*text == "abcd");

  Result<std::unique_ptr<int>, std::string> owned = std::make_unique<int>(42);
  std::unique_ptr<int> taken = std::move(owned).value();
  REQUIRE(taken != nullptr);
  CHECK(*taken == 42);
}

TEST_CASE("an error converts into the Result's error type", "[common][result]") {
  // Unexpected<const char*> becomes Result<..., std::string>.
  const Result<int, std::string> result = Unexpected{"from a literal"};
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error() == "from a literal");
}

TEST_CASE("a void Result is either success or an error", "[common][result]") {
  const auto ok = Check(true);
  CHECK(ok.has_value());
  CHECK(static_cast<bool>(ok));

  const auto failed = Check(false);
  REQUIRE_FALSE(failed.has_value());
  CHECK_FALSE(static_cast<bool>(failed));
  CHECK(failed.error() == "not ok");
}

TEST_CASE("a default-built void Result is a success", "[common][result]") {
  const Result<void, int> result;
  CHECK(result.has_value());
}

// The notifications fakes fail on request, once. Their contract, the same as
// SQLite's, is tested in tests/contract/notification_store_contract_test.cpp.
#include "support/fakes/in_memory_notifications.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

namespace {

using logistics::notifications::application::SendFailure;
using logistics::notifications::domain::Mail;
using logistics::testing::InMemoryContactProjection;
using logistics::testing::RecordingMailSender;

}  // namespace

TEST_CASE("a requested failure happens once, on the next call",
          "[notifications][application][fakes]") {
  InMemoryContactProjection contacts;
  contacts.FailNextCall("boom");
  CHECK_FALSE(contacts.FindOrder("order-1").has_value());
  CHECK(contacts.FindOrder("order-1").has_value());

  RecordingMailSender sender;
  sender.FailNextSend(SendFailure{false, "550 no such user"});
  const Mail mail{"a@b.c", "A", "s", "b\n"};
  auto failed = sender.Send(mail, "<e1@x>");
  REQUIRE_FALSE(failed.has_value());
  CHECK_FALSE(failed.error().transient);
  CHECK(sender.Send(mail, "<e1@x>").has_value());
  CHECK(sender.sent().size() == 1);
  CHECK(sender.send_calls() == 2);
}

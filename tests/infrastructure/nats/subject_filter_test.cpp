#include "logistics/nats/subject_filter.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace {

using logistics::nats::IsPlainSubject;

TEST_CASE("a plain subject has non-empty tokens, no wildcard and no spaces", "[nats]") {
  struct Row {
    std::string subject;
    bool plain;
  };
  const auto row = GENERATE(values<Row>({
      {"_INBOX", true},
      {"_INBOX.orders", true},
      {"_INBOX.orders-eu.v2", true},
      {"", false},
      {".", false},
      {"_INBOX.", false},
      {"._INBOX", false},
      {"_INBOX..orders", false},
      {"_INBOX.*", false},
      {"_INBOX.>", false},
      {"_INBOX.or ders", false},
      {"_INBOX.orders\t", false},
      {"_INBOX.\x7f", false},
      {"_INBOX.\xC3\xA9", false},
  }));
  CAPTURE(row.subject);
  CHECK(IsPlainSubject(row.subject) == row.plain);
}

TEST_CASE("a token that only contains a wildcard character is still plain", "[nats]") {
  // `a*` and `b>` are ordinary tokens: NATS treats only a whole `*` or `>`
  // token as a wildcard.
  CHECK(IsPlainSubject("_INBOX.a*"));
  CHECK(IsPlainSubject("_INBOX.b>"));
}

}  // namespace

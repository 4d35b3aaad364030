#include "logistics/common/uuid.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using logistics::common::IsUuid;
using logistics::common::IsUuidV7;
using logistics::common::UuidV7Generator;
using logistics::common::UuidV7Millis;

// Read straight from the text, independently of UuidV7Millis.
std::int64_t TimestampField(const std::string& id) {
  return static_cast<std::int64_t>(std::stoull(id.substr(0, 8) + id.substr(9, 4), nullptr, 16));
}

unsigned CounterField(const std::string& id) {
  return static_cast<unsigned>(std::stoul(id.substr(15, 3), nullptr, 16));
}

constexpr std::int64_t kSomeMillis = 1'795'599'000'123;  // 2026-11-25T09:30:00.123Z

}  // namespace

TEST_CASE("a UUIDv7 carries version 7 and the RFC 9562 variant", "[common][uuid]") {
  UuidV7Generator generator;
  for (int i = 0; i < 100; ++i) {
    const std::string id = generator.Next();
    CAPTURE(id);
    REQUIRE(IsUuid(id));
    CHECK(id[14] == '7');
    // Variant 0b10 in the two high bits of the 17th hex digit: 8, 9, a or b.
    const unsigned variant_nibble =
        static_cast<unsigned>(std::stoul(id.substr(19, 1), nullptr, 16));
    CHECK((variant_nibble >> 2) == 0b10);
    CHECK(IsUuidV7(id));
  }
}

TEST_CASE("a UUIDv7 is written in canonical lower case", "[common][uuid]") {
  UuidV7Generator generator;
  const std::string id = generator.NextAt(kSomeMillis);
  CHECK(id.size() == 36);
  for (const char c : id) CHECK((c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));
}

TEST_CASE("the 48-bit timestamp of a UUIDv7 is the time it was made at", "[common][uuid]") {
  const std::int64_t millis =
      GENERATE(std::int64_t{0}, std::int64_t{1}, kSomeMillis, std::int64_t{0xFFFFFFFFFFFF});
  UuidV7Generator generator;
  const std::string id = generator.NextAt(millis);
  CAPTURE(id);
  CHECK(TimestampField(id) == millis);
  CHECK(UuidV7Millis(id) == millis);
}

TEST_CASE("UUIDv7s made from the system clock carry the current time", "[common][uuid]") {
  using namespace std::chrono;
  const auto before = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  UuidV7Generator generator;
  const std::string id = generator.Next();
  const auto after = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  CHECK(TimestampField(id) >= before);
  CHECK(TimestampField(id) <= after);
}

SCENARIO("UUIDv7s from one generator are strictly increasing", "[common][uuid]") {
  UuidV7Generator generator;

  GIVEN("10,000 ids made in the same millisecond") {
    std::vector<std::string> ids;
    for (int i = 0; i < 10'000; ++i) ids.push_back(generator.NextAt(kSomeMillis));

    THEN("each sorts after the one before it") {
      for (std::size_t i = 1; i < ids.size(); ++i) {
        if (!(ids[i - 1] < ids[i])) FAIL("id " << i << " " << ids[i] << " <= " << ids[i - 1]);
      }
      SUCCEED();
    }
  }

  GIVEN("an id made at some time") {
    const std::string first = generator.NextAt(kSomeMillis);

    WHEN("the clock steps back by a second") {
      const std::string second = generator.NextAt(kSomeMillis - 1'000);

      THEN("the next id still sorts after it, keeping the later timestamp") {
        CHECK(first < second);
        CHECK(TimestampField(second) == kSomeMillis);
      }
    }

    WHEN("the clock moves on") {
      const std::string second = generator.NextAt(kSomeMillis + 1);

      THEN("the next id carries the new time and sorts after it") {
        CHECK(first < second);
        CHECK(TimestampField(second) == kSomeMillis + 1);
      }
    }
  }
}

TEST_CASE("when the 12-bit counter runs out the generator borrows the next millisecond",
          "[common][uuid]") {
  UuidV7Generator generator;
  std::vector<std::string> ids;
  // At most 4096 counter values fit in one millisecond, so 4097 ids must spill over.
  for (int i = 0; i < 4'097; ++i) ids.push_back(generator.NextAt(kSomeMillis));

  std::size_t spill = 0;
  while (spill < ids.size() && TimestampField(ids[spill]) == kSomeMillis) ++spill;
  REQUIRE(spill > 0);
  REQUIRE(spill < ids.size());
  CHECK(CounterField(ids[spill - 1]) == 0xFFF);
  std::size_t borrowed = 0;
  for (std::size_t i = spill; i < ids.size(); ++i) {
    if (TimestampField(ids[i]) == kSomeMillis + 1) ++borrowed;
  }
  CHECK(borrowed == ids.size() - spill);  // every later id is in the next millisecond
  CHECK(ids[spill - 1] < ids[spill]);
}

TEST_CASE("IsUuid and IsUuidV7 accept the canonical form only", "[common][uuid]") {
  struct Row {
    const char* text;
    bool is_uuid;
    bool is_v7;
  };
  const auto row = GENERATE(values<Row>({
      {"01936d4b-7c1e-7a2b-8c3d-4e5f60718293", true, true},
      {"01936D4B-7C1E-7A2B-BC3D-4E5F60718293", true, true},   // upper case is still a UUID
      {"01936d4b-7c1e-7a2b-9c3d-4e5f60718293", true, true},   // variant nibble 9
      {"01936d4b-7c1e-7a2b-ac3d-4e5f60718293", true, true},   // variant nibble a
      {"550e8400-e29b-41d4-a716-446655440000", true, false},  // version 4
      {"01936d4b-7c1e-7a2b-cc3d-4e5f60718293", true, false},  // variant 0b110 (Microsoft)
      {"01936d4b-7c1e-7a2b-7c3d-4e5f60718293", true, false},  // variant 0b0 (NCS)
      {"00000000-0000-0000-0000-000000000000", true, false},  // nil UUID
      {"", false, false},
      {"01936d4b7c1e7a2b8c3d4e5f60718293", false, false},        // no hyphens
      {"01936d4b-7c1e-7a2b-8c3d-4e5f6071829", false, false},     // one digit short
      {"01936d4b-7c1e-7a2b-8c3d-4e5f607182930", false, false},   // one digit too many
      {"01936d4b-7c1e-7a2b-8c3d-4e5f6071829g", false, false},    // not hex
      {"01936d4b_7c1e-7a2b-8c3d-4e5f60718293", false, false},    // wrong separator
      {"{01936d4b-7c1e-7a2b-8c3d-4e5f60718293}", false, false},  // braces
      {"01936d4-b7c1e-7a2b-8c3d-4e5f60718293", false, false},    // hyphen misplaced
      {" 1936d4b-7c1e-7a2b-8c3d-4e5f60718293", false, false},    // leading space
  }));
  CAPTURE(row.text);
  CHECK(IsUuid(row.text) == row.is_uuid);
  CHECK(IsUuidV7(row.text) == row.is_v7);
}

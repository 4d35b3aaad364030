// UUIDs: version 7 generation (RFC 9562) and validation of the canonical form.
//
// UuidV7Generator lays out each id as RFC 9562 §5.7 with "method 1" of §6.2:
//   48 bits Unix time in milliseconds | version 7 | 12-bit counter |
//   variant 0b10 | 62 random bits.
// Within one millisecond the counter grows, so ids from one generator sort in
// the order they were made; when the counter would overflow, or the system
// clock steps back, the generator keeps using its last timestamp (borrowing
// from the future) so ids stay strictly increasing within the process.
//
// Thread-safety: UuidV7Generator is safe to share between threads (internally
// locked). The free functions are pure.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "logistics/common/id_generator.hpp"

namespace logistics::common {

class UuidV7Generator final : public IdGenerator {
 public:
  UuidV7Generator();

  std::string NextId() override { return Next(); }

  // A new id in canonical lower-case form, from the system clock.
  std::string Next();
  // The same, at a given Unix time in milliseconds (for tests and replay).
  std::string NextAt(std::int64_t unix_millis);

 private:
  std::mutex mutex_;
  std::mt19937_64 random_;
  std::int64_t last_millis_ = 0;
  std::uint16_t counter_ = 0;
};

// True for "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" with hex digits (either case).
bool IsUuid(std::string_view text);

// True when text IsUuid and carries version 7 and the RFC 9562 variant.
bool IsUuidV7(std::string_view text);

// The 48-bit millisecond timestamp of a version 7 id. Precondition: IsUuidV7.
std::int64_t UuidV7Millis(std::string_view text);

}  // namespace logistics::common

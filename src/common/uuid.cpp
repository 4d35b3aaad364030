#include "logistics/common/uuid.hpp"

#include <array>
#include <chrono>

namespace logistics::common {
namespace {

constexpr std::uint16_t kMaxCounter = 0x0FFF;
constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Format(const std::array<std::uint8_t, 16>& bytes) {
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0F]);
  }
  return out;
}

}  // namespace

UuidV7Generator::UuidV7Generator() : random_(std::random_device{}()) {}

std::string UuidV7Generator::Next() {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return NextAt(now);
}

std::string UuidV7Generator::NextAt(std::int64_t unix_millis) {
  std::uint64_t random_bits = 0;
  std::int64_t millis = 0;
  std::uint16_t counter = 0;
  {
    std::lock_guard lock(mutex_);
    if (unix_millis > last_millis_) {
      last_millis_ = unix_millis;
      // Start each millisecond low in the counter space but not at zero, so a
      // burst has room to grow (RFC 9562 §6.2, method 1, counter seeding).
      counter_ = static_cast<std::uint16_t>(random_() & 0x01FF);
    } else if (counter_ < kMaxCounter) {
      ++counter_;  // same millisecond, or the clock stepped back: keep ordering
    } else {
      ++last_millis_;  // counter exhausted: borrow the next millisecond
      counter_ = 0;
    }
    millis = last_millis_;
    counter = counter_;
    random_bits = random_();
  }

  std::array<std::uint8_t, 16> bytes{};
  const auto ts = static_cast<std::uint64_t>(millis) & 0xFFFFFFFFFFFFULL;
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(ts >> (40 - 8 * i));
  bytes[6] = static_cast<std::uint8_t>(0x70 | ((counter >> 8) & 0x0F));
  bytes[7] = static_cast<std::uint8_t>(counter & 0xFF);
  for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<std::uint8_t>(random_bits >> (56 - 8 * i));
  bytes[8] = static_cast<std::uint8_t>(0x80 | (bytes[8] & 0x3F));
  return Format(bytes);
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
    } else if (HexValue(text[i]) < 0) {
      return false;
    }
  }
  return true;
}

bool IsUuidV7(std::string_view text) {
  if (!IsUuid(text)) return false;
  const int variant = HexValue(text[19]);
  return text[14] == '7' && (variant & 0xC) == 0x8;
}

std::int64_t UuidV7Millis(std::string_view text) {
  std::int64_t millis = 0;
  for (std::size_t i = 0; i < 13; ++i) {
    if (i == 8) continue;
    millis = (millis << 4) | HexValue(text[i]);
  }
  return millis;
}

}  // namespace logistics::common

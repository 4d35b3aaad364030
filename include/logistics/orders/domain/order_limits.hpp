// The size limits of an order's fields, in Unicode characters.
//
// They are part of the wire contract (README, schemas/): change them only with
// a new schema version.
#pragma once

#include <cstddef>

namespace logistics::orders::domain {

inline constexpr std::size_t kMaxTrackingNumberLength = 100;
inline constexpr std::size_t kMaxNameLength = 255;  // customer name, origin, destination
inline constexpr std::size_t kMaxCustomerEmailLength = 254;  // RFC 5321 path limit
inline constexpr std::size_t kMaxDriverIdLength = 100;
inline constexpr std::size_t kMaxReasonLength = 500;

}  // namespace logistics::orders::domain

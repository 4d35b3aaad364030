// Listing a service's aggregates newest first, one page at a time, for every
// service: the position of a page (KeysetPosition, the part of a list query
// every service shares; a service's query adds its filters) and the page
// itself (KeysetPage).
//
// Ids are UUIDv7, so id order is creation order: a page is the `limit`
// newest aggregates whose id is below `before` (keyset pagination: stable
// while rows are added, no offset to scan).
//
// Standard library only: application layers include it. Thread-safety: plain
// values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace logistics::aggregate_service {

struct KeysetPosition {
  std::size_t limit = 50;             // 1..500, checked by the caller
  std::optional<std::string> before;  // only ids < this one
};

template <typename Snapshot>
struct KeysetPage {
  std::vector<Snapshot> items;  // newest (largest id) first
  bool has_more = false;        // true when items after the last one match too
};

}  // namespace logistics::aggregate_service

// PageOf: keyset paging over an in-memory map keyed by aggregate id, as the
// SQLite adapters page (aggregate_service/infrastructure/sqlite_keyset_page.hpp):
// newest (largest id) first, strictly below the query's `before`, at most
// `limit` snapshots that `matches` accepts, has_more when one more would.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "logistics/aggregate_service/application/keyset_page.hpp"

namespace logistics::testing {

template <typename Snapshot, typename Matches>
aggregate_service::KeysetPage<Snapshot> PageOf(
    const std::map<std::string, Snapshot, std::less<>>& rows,
    const aggregate_service::KeysetPosition& position, Matches matches) {
  auto it = position.before ? rows.lower_bound(*position.before) : rows.end();
  aggregate_service::KeysetPage<Snapshot> page;
  while (it != rows.begin()) {
    --it;
    if (!matches(it->second)) continue;
    if (page.items.size() == position.limit) {
      page.has_more = true;
      break;
    }
    page.items.push_back(it->second);
  }
  return page;
}

}  // namespace logistics::testing

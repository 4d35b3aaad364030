// ReadKeysetPage: the rows of a list query as a KeysetPage, for every
// aggregate's SQLite repository.
//
// The query asks for `limit + 1` rows, newest first: the extra row, if it
// comes, is not returned but says that another page exists (has_more), so a
// client never asks for an empty last page. `read_row` turns the current row
// into a snapshot, or nullopt for a row that does not load (a damaged file:
// rows are written only by the service's unit of work), which fails the read
// with `damaged_row`.
//
// Thread-safety: that of the statement's connection.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

#include "logistics/aggregate_service/application/keyset_page.hpp"
#include "logistics/common/port_error.hpp"
#include "logistics/common/result.hpp"
#include "logistics/sqlite/statement.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::aggregate_service::infrastructure {

template <typename Snapshot, typename ReadRow>
common::Result<KeysetPage<Snapshot>, common::PortError> ReadKeysetPage(
    sqlite::Statement& select, std::size_t limit, std::string_view storage_name,
    ReadRow read_row, const common::PortError& damaged_row) {
  KeysetPage<Snapshot> page;
  for (;;) {
    auto row = select.Step();
    if (!row) return common::Unexpected{sqlite::ToPortError(storage_name, row.error())};
    if (!*row) break;
    if (page.items.size() == limit) {
      page.has_more = true;
      break;
    }
    std::optional<Snapshot> snapshot = read_row(select);
    if (!snapshot) return common::Unexpected{damaged_row};
    page.items.push_back(std::move(*snapshot));
  }
  return page;
}

}  // namespace logistics::aggregate_service::infrastructure

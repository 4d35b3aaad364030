// CorruptMiddlePage: damages a SQLite file the way a bad disk or a stray
// write does, for tests of what finds the damage.
//
// It first moves everything into the main file (a TRUNCATE checkpoint, so no
// newer copy of the page in the WAL hides the damage), picks the middle leaf
// page of `table`'s b-tree (SQLite's dbstat table lists the pages), and
// writes garbage over that whole page. Page 1 (the header and the schema)
// stays intact, so the file still opens; only reading that page fails.
//
// The file must not be open anywhere else. Failures of the setup fail the
// running test (Catch2 REQUIRE). Header-only: each test binary links the
// SQLite wrapper already.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "logistics/sqlite/database.hpp"

namespace logistics::testing {

// Returns the number of the page it overwrote.
inline std::int64_t CorruptMiddlePage(const std::filesystem::path& file, const std::string& table) {
  std::int64_t page_size = 0;
  std::vector<std::int64_t> leaves;
  {
    auto db = sqlite::Database::Open(file);
    REQUIRE(db);
    REQUIRE(db->Execute("PRAGMA wal_checkpoint(TRUNCATE)"));
    auto size = db->Prepare("PRAGMA page_size");
    REQUIRE(size);
    REQUIRE(*(*size)->Step());
    page_size = (*size)->ColumnInt64(0);
    auto pages = db->Prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno");
    REQUIRE(pages);
    (*pages)->Bind(1, table);
    for (;;) {
      auto row = (*pages)->Step();
      REQUIRE(row);
      if (!*row) break;
      leaves.push_back((*pages)->ColumnInt64(0));
    }
  }  // closed: the last connection leaves nothing in the WAL
  REQUIRE(leaves.size() >= 3);  // a page in the middle, not the table's first or last
  const std::int64_t page = leaves[leaves.size() / 2];
  REQUIRE(page > 1);
  std::string garbage;
  while (static_cast<std::int64_t>(garbage.size()) < page_size) garbage += "garbage!";
  garbage.resize(static_cast<std::size_t>(page_size));
  std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(out);
  out.seekp((page - 1) * page_size);
  out.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  out.flush();
  REQUIRE(out);
  return page;
}

}  // namespace logistics::testing

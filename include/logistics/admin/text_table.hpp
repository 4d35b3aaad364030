// TextTable: rows of text in aligned columns, for a terminal.
//
//   TextTable table({{"CONSUMER"}, {"EVENT ID"}, {"ERROR", 60}});
//   table.AddRow({"orders-payments", "0193a5b2-...", "fault injection (LOGISTICS_FAULT)"});
//   std::fputs(table.Render().c_str(), stdout);
//
// renders
//
//   CONSUMER         EVENT ID      ERROR
//   orders-payments  0193a5b2-...  fault injection (LOGISTICS_FAULT)
//
// A column is as wide as its widest cell, counted in Unicode characters, up
// to its max_width (0: no limit); a longer cell is cut and ends with "…".
// Columns are two spaces apart and the last one is not padded, so no line
// ends in spaces. Control characters (a newline in an error message) become
// spaces, so a row is always one line. Missing cells are empty.
//
// Thread-safety: a plain value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace logistics::admin {

class TextTable {
 public:
  struct Column {
    std::string header;
    std::size_t max_width = 0;
  };

  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

  void AddRow(std::vector<std::string> cells);
  std::size_t rows() const { return rows_.size(); }
  // The header line and every row, each ending with '\n'.
  std::string Render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// `text` on one line (control characters as spaces), cut to at most `width`
// characters with a final "…" when longer (width 0: not cut).
std::string FitCell(std::string_view text, std::size_t width);

// The width of `text` in characters (code points; bytes for ill-formed UTF-8).
std::size_t TextWidth(std::string_view text);

}  // namespace logistics::admin

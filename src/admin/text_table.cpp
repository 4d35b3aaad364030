#include "logistics/admin/text_table.hpp"

#include <algorithm>

#include "logistics/common/utf8.hpp"

namespace logistics::admin {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
constexpr std::string_view kGap = "  ";

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The byte length of the first `count` characters of `text`.
std::size_t PrefixBytes(std::string_view text, std::size_t count) {
  std::size_t bytes = 0;
  for (std::size_t seen = 0; bytes < text.size(); ++bytes) {
    if (!IsContinuationByte(text[bytes])) {
      if (seen == count) break;
      ++seen;
    }
  }
  return bytes;
}

}  // namespace

std::size_t TextWidth(std::string_view text) {
  return common::CountCodePoints(text).value_or(text.size());
}

std::string FitCell(std::string_view text, std::size_t width) {
  std::string line(text);
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  if (width == 0 || TextWidth(line) <= width) return line;
  if (!common::CountCodePoints(line)) {  // ill-formed: cut bytes
    return line.substr(0, width - 1) + std::string(kEllipsis);
  }
  return line.substr(0, PrefixBytes(line, width - 1)) + std::string(kEllipsis);
}

void TextTable::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render() const {
  std::vector<std::vector<std::string>> lines;
  lines.reserve(rows_.size() + 1);
  std::vector<std::string> header;
  for (const Column& column : columns_) header.push_back(FitCell(column.header, column.max_width));
  lines.push_back(std::move(header));
  for (const auto& row : rows_) {
    std::vector<std::string> fitted;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      fitted.push_back(FitCell(row[i], columns_[i].max_width));
    }
    lines.push_back(std::move(fitted));
  }
  std::vector<std::size_t> widths(columns_.size(), 0);
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], TextWidth(line[i]));
  }
  std::string out;
  for (const auto& line : lines) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i > 0) text += kGap;
      text += line[i];
      if (i + 1 < line.size()) text.append(widths[i] - TextWidth(line[i]), ' ');
    }
    // An empty last cell would leave the padding of the one before it.
    text.erase(text.find_last_not_of(' ') + 1);
    out += text;
    out += '\n';
  }
  return out;
}

}  // namespace logistics::admin

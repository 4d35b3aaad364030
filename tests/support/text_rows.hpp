// Rows for table-driven tests of length-limited text fields (a driver id, a
// reason), shared by the services whose domains limit text the same way.
//
// Limits count characters (UTF-8 code points), not bytes, so every limit is
// tried with a one-byte letter and with kTwoByteLetter ("é"), which takes
// twice the bytes: a byte count would reject the second at the limit.
// Repeat() builds such texts. Use the rows with Catch2's
// GENERATE(from_range(...)), which copies them.
//
// Header-only; plain values, no shared state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace logistics::testing {

// "é" (U+00E9): one character in two bytes.
inline const std::string kTwoByteLetter = "\xC3\xA9";

// `piece` written `times` times.
inline std::string Repeat(const std::string& piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// A text for a required field, and the error it is rejected with (nullopt:
// accepted).
template <typename Error>
struct RequiredTextRow {
  std::string text;
  std::optional<Error> error;
};

// The rows of a field that must be present, not blank, and at most `limit`
// characters: "", " " and "\t\n" are rejected with `blank`; one `letter`,
// `limit` of them and `limit` two-byte letters are accepted; `limit` + 1 of
// either letter are rejected with `too_long`.
template <typename Error>
std::vector<RequiredTextRow<Error>> RequiredTextRows(std::size_t limit, char letter, Error blank,
                                                     Error too_long) {
  return {
      {"", blank},
      {" ", blank},
      {"\t\n", blank},
      {std::string(1, letter), std::nullopt},
      {std::string(limit, letter), std::nullopt},
      {Repeat(kTwoByteLetter, limit), std::nullopt},
      {std::string(limit + 1, letter), too_long},
      {Repeat(kTwoByteLetter, limit + 1), too_long},
  };
}

// A text for an optional field (nullopt: not given), and whether it is
// accepted.
struct OptionalTextRow {
  std::optional<std::string> text;
  bool accepted;
};

// The rows of a field that may be left out or empty and is at most `limit`
// characters: no text, "", `limit` letters and `limit` two-byte letters are
// accepted; `limit` + 1 of either letter are not.
inline std::vector<OptionalTextRow> OptionalTextRows(std::size_t limit, char letter) {
  return {
      {std::nullopt, true},
      {"", true},
      {std::string(limit, letter), true},
      {Repeat(kTwoByteLetter, limit), true},
      {std::string(limit + 1, letter), false},
      {Repeat(kTwoByteLetter, limit + 1), false},
  };
}

}  // namespace logistics::testing

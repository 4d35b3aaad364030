// UTF-8 helpers for length limits stated in characters.
//
// Limits such as "names up to 255 characters" count Unicode code points, not
// bytes, so "Łódź" is 4 characters. Input reaching the domain has already been
// decoded by a JSON parser that rejects ill-formed UTF-8; CountCodePoints still
// reports nullopt for ill-formed input rather than guessing.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace logistics::common {

// Number of code points in well-formed UTF-8, or nullopt if it is ill-formed.
std::optional<std::size_t> CountCodePoints(std::string_view text);

// True when text is empty or holds only ASCII white space.
bool IsBlank(std::string_view text);

}  // namespace logistics::common

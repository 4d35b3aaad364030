// Small, shared ways of reading and writing JSON documents.
//
// Serialize writes compact JSON and never throws on text that is not valid
// UTF-8 (which may come from a client, a log or another service): such bytes
// become U+FFFD instead of an exception on a reply or publish path.
// StringMember reads an optional string member without throwing on another
// type or a non-object.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace logistics::json {

template <typename Json>
std::string Serialize(const Json& document) {
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The member `key` of `object` when it is a string; nullopt otherwise.
template <typename Json>
std::optional<std::string> StringMember(const Json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto found = object.find(std::string(key));
  if (found == object.end() || !found->is_string()) return std::nullopt;
  return found->template get<std::string>();
}

}  // namespace logistics::json

// The opaque cursor of every list query (orders.query.list, payments.query.list,
// <service>.admin.dead-letters.list).
//
// A cursor is the keyset position after the last item of a page (its UUID),
// encoded as unpadded base64url of "k1:<id>" so clients treat it as opaque and
// we can change its contents later (the "k1" is its version). A cursor stays
// valid forever: keyset paging keeps no server-side state.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logistics::messaging {

std::string EncodeListCursor(std::string_view last_id);
// nullopt for anything EncodeListCursor did not produce.
std::optional<std::string> DecodeListCursor(std::string_view cursor);

// The same for lists keyed by a row id (the dead letters): "r1:<row id>".
std::string EncodeRowCursor(std::int64_t last_row_id);
// nullopt for anything EncodeRowCursor did not produce (or a row id below 1).
std::optional<std::int64_t> DecodeRowCursor(std::string_view cursor);

// A list query's reply, {"<items_key>":[...],"next_cursor":"..."|null}.
// `items` are the page's objects, already JSON; `next_after` is the id of its
// last item when another page follows.
std::string ListPageReply(std::string_view items_key, const std::vector<std::string>& items,
                          std::optional<std::string_view> next_after);

// The same for a page of domain items: `to_json(item)` gives an item's JSON
// object, `id_of(item)` its keyset id.
template <typename Item, typename ToJson, typename IdOf>
std::string ListPageReply(std::string_view items_key, const std::vector<Item>& page, bool has_more,
                          ToJson to_json, IdOf id_of) {
  std::vector<std::string> items;
  items.reserve(page.size());
  for (const auto& item : page) items.push_back(to_json(item));
  std::optional<std::string_view> next_after;
  if (has_more && !page.empty()) next_after = id_of(page.back());
  return ListPageReply(items_key, items, next_after);
}

}  // namespace logistics::messaging

// The opaque cursor of orders.query.list.
//
// A cursor is the keyset position after the last order of a page, encoded as
// unpadded base64url of "o1:<order_id>" so clients treat it as opaque and we
// can change its contents later (the "o1" is its version). A cursor stays valid
// forever: keyset paging has no server-side state.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logistics::orders::presentation {

std::string EncodeListCursor(std::string_view last_order_id);
// nullopt for anything EncodeListCursor did not produce.
std::optional<std::string> DecodeListCursor(std::string_view cursor);

}  // namespace logistics::orders::presentation

// The opaque cursor of every list query (orders.query.list, payments.query.list).
//
// A cursor is the keyset position after the last item of a page (its UUID),
// encoded as unpadded base64url of "k1:<id>" so clients treat it as opaque and
// we can change its contents later (the "k1" is its version). A cursor stays
// valid forever: keyset paging keeps no server-side state.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logistics::messaging {

std::string EncodeListCursor(std::string_view last_id);
// nullopt for anything EncodeListCursor did not produce.
std::optional<std::string> DecodeListCursor(std::string_view cursor);

}  // namespace logistics::messaging

// AdminResource: one kind of thing logistics-admin operates on, with the same
// four verbs on another subject: `logistics-admin <resource> <verb>` sends to
// `<service>.admin.<resource>.<verb>` (service/admin_endpoints.hpp).
//
//   list     a page, as a table (the resource's columns) or the reply as JSON
//   show     one item: its fields, one per line, then its event, indented
//   requeue  one line saying the outcome
//   discard  one line saying what was discarded, by whom and why
//
// AdminResources() is the table the command line is built from. Adding a
// resource (the relay's parked events, say) is one entry there: its name
// (the subject token and the command), a description, the key of its list
// reply's items, its own request fields (--consumer for dead letters; an
// --aggregate, say, for parked events) and its table's columns; the server
// side adds the matching endpoints (service/admin_endpoints.hpp).
//
// Everything here is pure (tested in admin_resource_test.cpp): building the
// request body from the arguments, and rendering a reply.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace logistics::admin {

enum class AdminVerb { kList, kShow, kRequeue, kDiscard };

// "list", "show", "requeue", "discard".
std::string_view AdminVerbName(AdminVerb verb);

// What the command line gave (empty or 0: not given).
struct AdminArguments {
  std::string event_id;
  std::string reason;
  std::string by;
  std::int64_t limit = 0;
  std::string cursor;
  // The resource's own fields (AdminField), by name: {"consumer": "orders-payments"}.
  std::map<std::string, std::string> fields;
};

// A request field of one resource only, given as --<name> (dash for
// underscore): the consumer of a dead letter, the aggregate of parked events.
struct AdminField {
  std::string name;              // "consumer": the request member
  std::string help;              // the flag's help
  std::vector<AdminVerb> verbs;  // the verbs that take it
};

struct ListColumn {
  std::string header;     // "EVENT ID"
  std::string key;        // "event_id": the item's member shown
  std::size_t max_width;  // 0: as wide as it takes
};

struct AdminResource {
  std::string name;         // "dead-letters"
  std::string description;  // the command's help
  std::string items_key;    // "dead_letters": the list reply's array
  std::string noun;         // "dead letter"
  // Each verb's help, in the order of AdminVerb (list, show, requeue, discard).
  std::array<std::string, 4> verb_help;
  std::vector<AdminField> fields;
  std::vector<ListColumn> columns;
  // Members of a requeue's or discard's reply that name the item, after its
  // event id in the one-line outcome ("consumer": "... of orders-payments").
  std::string owner_key;
  // Verbs for which --event-id may be left out (a requeue of parked events
  // may name an aggregate, or none for all).
  std::vector<AdminVerb> event_id_optional;
};

// Every resource logistics-admin knows, in the order of its help.
const std::vector<AdminResource>& AdminResources();

// The request body of `verb`: the arguments it takes that were given.
nlohmann::ordered_json AdminRequestBody(const AdminResource& resource, AdminVerb verb,
                                const AdminArguments& arguments);

// What the command line prints for a successful reply (200), ending in '\n'.
std::string RenderList(const AdminResource& resource, const nlohmann::ordered_json& reply);
std::string RenderItem(const nlohmann::ordered_json& reply);
std::string RenderOutcome(const AdminResource& resource, AdminVerb verb,
                          const nlohmann::ordered_json& reply);

// A reply member as a table cell: text as is, numbers in decimal, null and
// absent as "-", anything else as compact JSON.
std::string CellText(const nlohmann::ordered_json& item, const std::string& key);

}  // namespace logistics::admin

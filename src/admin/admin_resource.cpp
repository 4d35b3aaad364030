#include "logistics/admin/admin_resource.hpp"

#include <algorithm>

#include "logistics/admin/text_table.hpp"

namespace logistics::admin {
namespace {

using json = nlohmann::ordered_json;

std::string Text(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Member(const json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key)) return "-";
  return Text(object[key]);
}

}  // namespace

std::string_view AdminVerbName(AdminVerb verb) {
  switch (verb) {
    case AdminVerb::kList:
      return "list";
    case AdminVerb::kShow:
      return "show";
    case AdminVerb::kRequeue:
      return "requeue";
    case AdminVerb::kDiscard:
      return "discard";
  }
  return "list";  // unreachable: the switch covers every verb
}

const std::vector<AdminResource>& AdminResources() {
  static const std::vector<AdminResource> kResources = {
      {"dead-letters",
       "events a consumer gave up on (after --max-deliveries, or malformed): list them, show one, "
       "requeue one through its consumer once, or discard one",
       "dead_letters",
       "dead letter",
       {"list them, oldest first, a page at a time",
        "show one, with its stored event",
        "run one through its consumer once more (inbox check, handler, effects, inbox record in "
        "one transaction); if it fails again it stays a dead letter, with the new error",
        "remove one for good, recording who and why (in the service's log and database)"},
       {{"consumer",
         "the durable consumer (list: only its dead letters; otherwise needed only when the "
         "event id is a dead letter of several)",
         {AdminVerb::kList, AdminVerb::kShow, AdminVerb::kRequeue, AdminVerb::kDiscard}}},
       {{"CONSUMER", "consumer", 0},
        {"EVENT ID", "event_id", 0},
        {"TYPE", "type", 40},
        {"DELIVERIES", "deliveries", 0},
        {"REQUEUES", "requeues", 0},
        {"DEAD-LETTERED AT", "dead_lettered_at", 0},
        {"ERROR", "error", 60}},
       "consumer",
       {}},
      {"parked",
       "events the relay parked because the stream kept refusing them (too large, no stream "
       "captures their subject, rejected), each with the later events of its aggregate: list "
       "them, show one, requeue an aggregate's once the cause is fixed, or discard one",
       "parked",
       "parked event",
       {"list them in outbox order, a page at a time",
        "show one, with the refusal that parked it",
        "hand an aggregate's parked events back to the relay, which publishes them in their "
        "original order (--event-id: that event's aggregate; --aggregate; neither: every "
        "aggregate)",
        "delete one for good, recording who and why in the service's log"},
       {{"aggregate", "the aggregate whose parked events to requeue (\"orders.events.<id>.\")",
         {AdminVerb::kRequeue}}},
       {{"OUTBOX ID", "outbox_id", 0},
        {"EVENT ID", "event_id", 0},
        {"SUBJECT", "subject", 60},
        {"PARKED AT", "parked_at", 0},
        {"ATTEMPTS", "attempts", 0},
        {"ERROR", "error", 60}},
       "aggregate",
       {AdminVerb::kRequeue}},
  };
  return kResources;
}

json AdminRequestBody(const AdminResource& resource, AdminVerb verb,
                      const AdminArguments& arguments) {
  json body = json::object();
  for (const AdminField& field : resource.fields) {
    const auto given = arguments.fields.find(field.name);
    const bool taken = std::find(field.verbs.begin(), field.verbs.end(), verb) != field.verbs.end();
    if (taken && given != arguments.fields.end() && !given->second.empty()) {
      body[field.name] = given->second;
    }
  }
  if (verb == AdminVerb::kList) {
    if (arguments.limit > 0) body["limit"] = arguments.limit;
    if (!arguments.cursor.empty()) body["cursor"] = arguments.cursor;
    return body;
  }
  // A requeue of parked events may name an aggregate instead of an event.
  if (!arguments.event_id.empty() || verb != AdminVerb::kRequeue) {
    body["event_id"] = arguments.event_id;
  }
  if (verb == AdminVerb::kShow) return body;
  if (!arguments.by.empty()) body["by"] = arguments.by;
  if (!arguments.reason.empty()) body["reason"] = arguments.reason;
  return body;
}

std::string CellText(const json& item, const std::string& key) { return Member(item, key); }

std::string RenderList(const AdminResource& resource, const json& reply) {
  const json items = reply.is_object() && reply.contains(resource.items_key)
                         ? reply[resource.items_key]
                         : json::array();
  if (!items.is_array() || items.empty()) return "no " + resource.noun + "s\n";
  std::vector<TextTable::Column> columns;
  for (const ListColumn& column : resource.columns) {
    columns.push_back({column.header, column.max_width});
  }
  TextTable table(std::move(columns));
  for (const json& item : items) {
    std::vector<std::string> cells;
    for (const ListColumn& column : resource.columns) cells.push_back(CellText(item, column.key));
    table.AddRow(std::move(cells));
  }
  std::string out = table.Render();
  const std::string next = Member(reply, "next_cursor");
  if (next != "-") out += "more: repeat with --cursor " + next + "\n";
  return out;
}

std::string RenderItem(const json& reply) {
  if (!reply.is_object()) return Text(reply) + "\n";
  std::size_t width = 0;
  for (const auto& [key, value] : reply.items()) {
    if (!value.is_structured()) width = std::max(width, key.size());
  }
  std::string out;
  for (const auto& [key, value] : reply.items()) {
    if (value.is_structured()) continue;
    out += key + ":" + std::string(width - key.size() + 1, ' ') + FitCell(Text(value), 0) + "\n";
  }
  // The event (or any other object) last, as indented JSON.
  for (const auto& [key, value] : reply.items()) {
    if (!value.is_structured()) continue;
    out += key + ":\n";
    const std::string pretty = value.dump(2, ' ', false, json::error_handler_t::replace);
    std::size_t begin = 0;
    while (begin <= pretty.size()) {
      const std::size_t end = std::min(pretty.find('\n', begin), pretty.size());
      out += "  " + pretty.substr(begin, end - begin) + "\n";
      begin = end + 1;
    }
  }
  return out;
}

std::string RenderOutcome(const AdminResource& resource, AdminVerb verb, const json& reply) {
  std::string line = resource.noun + " " + Member(reply, "event_id");
  if (!resource.owner_key.empty()) line += " of " + Member(reply, resource.owner_key);
  const std::string outcome = Member(reply, "outcome");
  if (verb == AdminVerb::kDiscard) {
    line += ": discarded at " + Member(reply, "discarded_at");
  } else {
    line += ": requeued at " + Member(reply, "requeued_at") + ", " + outcome;
    if (outcome == "already_processed") line += " (the consumer had processed it since; not run again)";
  }
  const std::string by = Member(reply, "by");
  if (by != "-" && !by.empty()) line += " by " + by;
  const std::string reason = Member(reply, "reason");
  if (reason != "-" && !reason.empty()) line += " (reason: " + reason + ")";
  return FitCell(line, 0) + "\n";
}

}  // namespace logistics::admin

#include "logistics/json/json_text.hpp"
#include "logistics/replay/event_validator.hpp"

#include <algorithm>
#include <span>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string_view>

#include "logistics/common/utf8.hpp"
#include "logistics/common/uuid.hpp"

namespace logistics::replay {
namespace {

using Json = nlohmann::ordered_json;

// ------------------------------------------------------------------ shapes
// The schemas' patterns, as full matches. Python's `$` also matches before a
// final line feed, but every pattern below is paired in its schema with a
// maxLength or a rule that refuses that line feed, so a strict match accepts
// exactly what the schema accepts.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool IsLowerAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || c == '_'; }

bool IsTwoDigits(std::string_view text, std::size_t at, int min, int max) {
  if (!IsDigit(text[at]) || !IsDigit(text[at + 1])) return false;
  const int value = (text[at] - '0') * 10 + (text[at + 1] - '0');
  return value >= min && value <= max;
}

// common/timestamp: ^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T
// ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z$
bool IsTimestamp(std::string_view t) {
  if (t.size() != 24) return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 20u, 21u, 22u}) {
    if (!IsDigit(t[i])) return false;
  }
  return t[4] == '-' && IsTwoDigits(t, 5, 1, 12) && t[7] == '-' && IsTwoDigits(t, 8, 1, 31) &&
         t[10] == 'T' && IsTwoDigits(t, 11, 0, 23) && t[13] == ':' && IsTwoDigits(t, 14, 0, 59) &&
         t[16] == ':' && IsTwoDigits(t, 17, 0, 59) && t[19] == '.' && t[23] == 'Z';
}

// common/uuid#/$defs/v7: lower case, version 7, RFC 9562 variant.
bool IsLowerUuidV7(std::string_view text) {
  if (!common::IsUuidV7(text)) return false;
  for (char c : text) {
    if (c != '-' && !IsLowerHex(c)) return false;
  }
  return true;
}

// ^logistics\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$
bool IsEventTypeShape(std::string_view text) {
  constexpr std::string_view kPrefix = "logistics.";
  if (text.substr(0, kPrefix.size()) != kPrefix) return false;
  std::size_t at = kPrefix.size();
  for (int word = 0; word < 2; ++word) {
    if (at >= text.size() || text[at] < 'a' || text[at] > 'z') return false;
    while (at < text.size() && IsLowerAlnum(text[at])) ++at;
    if (at >= text.size() || text[at] != '.') return false;
    ++at;
  }
  if (at + 1 >= text.size() || text[at] != 'v' || text[at + 1] < '1' || text[at + 1] > '9') return false;
  for (at += 2; at < text.size(); ++at) {
    if (!IsDigit(text[at])) return false;
  }
  return true;
}

// ^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$
bool IsTraceparent(std::string_view text) {
  if (text.size() != 55) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 2 || i == 35 || i == 52;
    if (dash ? text[i] != '-' : !IsLowerHex(text[i])) return false;
  }
  return true;
}

// non_blank: at least one character other than tab, LF, VT, FF, CR, space.
// Bytes of multi-byte UTF-8 sequences are never among those, so bytes do.
bool HasContent(std::string_view text) { return !common::IsBlank(text); }

// orders/order#/$defs/customer_email: ^[^@]+@[^@]+$ and none of U+0000..U+0020,
// U+007F..U+00A0 (U+0080..U+00A0 are C2 80..C2 A0 in UTF-8).
bool IsEmailShape(std::string_view text) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size()) return false;
  return text.find('@', at + 1) == std::string_view::npos;
}
bool HasEmailForbiddenCharacter(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0xa0) return true;
    }
  }
  return false;
}

// payments/payment#/$defs/amount: ^[0-9]+\.[0-9]{2}$, no leading zero before
// another digit, not 0.00 (LF is refused by the strict match).
bool IsAmountShape(std::string_view text) {
  const std::size_t point = text.find('.');
  if (point == std::string_view::npos || point == 0 || text.size() - point != 3) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != point && !IsDigit(text[i])) return false;
  }
  return true;
}
bool HasLeadingZero(std::string_view text) { return text.size() > 1 && text[0] == '0' && text[1] != '.'; }

// ^[A-Z]{3}$
bool IsCurrencyShape(std::string_view text) {
  return text.size() == 3 && std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// ------------------------------------------------------------------ JSON types

// JSON Schema's "integer" is any number with no fraction: 2.0 is one.
bool IsInteger(const Json& value) {
  if (value.is_number_integer()) return true;
  if (!value.is_number_float()) return false;
  const double number = value.get<double>();
  return std::isfinite(number) && std::floor(number) == number;
}

bool IsAtLeastOne(const Json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>() >= 1;
  if (value.is_number_integer()) return value.get<std::int64_t>() >= 1;
  return value.get<double>() >= 1.0;
}

std::string Quote(const Json& value) {
  std::string text = json::Serialize(value);
  return text.size() <= 80 ? text : text.substr(0, 77) + "...";
}

std::string List(const std::vector<std::string_view>& values) {
  std::string text = "[";
  for (std::string_view value : values) {
    if (text.size() > 1) text += ", ";
    text += '"' + std::string(value) + '"';
  }
  return text + "]";
}

// ------------------------------------------------------------------ the events

enum class Aggregate { kOrder, kPayment };

// One event type and what its schema pins.
struct EventKind {
  std::string_view type;
  Aggregate aggregate;
  std::vector<std::string_view> statuses;  // data.status allowed by the type
  bool first_version;           // created, registered: version and aggregateversion are 1
  bool driver_required;         // assigned: data.driver_id is a string
  std::string_view extra;       // "", "payment_id" or "reason"
  std::string_view reason_of;   // the data member data.reason repeats ("" when none)
};

const std::array<EventKind, 10> kEventKinds{{
    {"logistics.order.created.v1", Aggregate::kOrder, {"CREATED"}, true, false, "", ""},
    {"logistics.order.assigned.v1", Aggregate::kOrder, {"ASSIGNED", "PAID"}, false, true, "", ""},
    {"logistics.order.paid.v1", Aggregate::kOrder, {"PAID"}, false, false, "payment_id", ""},
    {"logistics.order.dispatched.v1", Aggregate::kOrder, {"IN_TRANSIT"}, false, false, "", ""},
    {"logistics.order.delivered.v1", Aggregate::kOrder, {"DELIVERED"}, false, false, "", ""},
    {"logistics.order.cancelled.v1", Aggregate::kOrder, {"CANCELLED"}, false, false, "reason",
     "cancellation_reason"},
    {"logistics.payment.registered.v1", Aggregate::kPayment, {"PENDING"}, true, false, "", ""},
    {"logistics.payment.confirmed.v1", Aggregate::kPayment, {"CONFIRMED"}, false, false, "", ""},
    {"logistics.payment.failed.v1", Aggregate::kPayment, {"FAILED"}, false, false, "reason",
     "failure_reason"},
    {"logistics.payment.refunded.v1", Aggregate::kPayment, {"REFUNDED"}, false, false, "reason",
     "refund_reason"},
}};

constexpr std::array<std::string_view, 13> kEnvelopeMembers{
    "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "aggregateversion",
    "correlationid", "causationid", "traceparent", "tracestate", "data"};
constexpr std::array<std::string_view, 11> kEnvelopeRequired{
    "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "aggregateversion",
    "correlationid", "causationid", "data"};
constexpr std::array<std::string_view, 12> kOrderFields{
    "order_id", "tracking_number", "customer_name", "customer_email", "origin", "destination",
    "status", "driver_id", "cancellation_reason", "created_at", "updated_at", "version"};
constexpr std::array<std::string_view, 10> kPaymentFields{
    "payment_id", "order_id", "amount", "currency", "status", "failure_reason", "refund_reason",
    "created_at", "updated_at", "version"};

// A string rule as the schemas write them: type, lengths in characters,
// non_blank, and a pattern.
struct TextRule {
  bool nullable = false;
  std::size_t min_chars = 0;
  std::size_t max_chars = 0;  // 0: no limit
  bool non_blank = false;
  bool (*shape)(std::string_view) = nullptr;
  std::string_view shape_name;  // for the message
};

class Checker {
 public:
  std::vector<ValidationProblem> problems;

  void Add(std::string path, std::string message) {
    problems.push_back({std::move(path), std::move(message)});
  }

  // Checks `value` against `rule`; true when it passed.
  bool Text(const Json& value, const std::string& path, const TextRule& rule) {
    if (rule.nullable && value.is_null()) return true;
    if (!value.is_string()) {
      Add(path, Quote(value) + " is not of type " + (rule.nullable ? "\"string\" or \"null\"" : "\"string\""));
      return false;
    }
    const auto& text = value.get_ref<const std::string&>();
    const std::size_t chars = common::CountCodePoints(text).value_or(text.size());
    bool ok = true;
    if (chars < rule.min_chars) {
      Add(path, Quote(value) + " is too short (at least " + std::to_string(rule.min_chars) + " characters)");
      ok = false;
    }
    if (rule.max_chars != 0 && chars > rule.max_chars) {
      Add(path, Quote(value) + " is too long (at most " + std::to_string(rule.max_chars) + " characters)");
      ok = false;
    }
    if (rule.non_blank && !HasContent(text)) {
      Add(path, Quote(value) + " is blank (only white space)");
      ok = false;
    }
    if (rule.shape != nullptr && !rule.shape(text)) {
      Add(path, Quote(value) + " is not " + std::string(rule.shape_name));
      ok = false;
    }
    return ok;
  }

  void Const(const Json& value, const std::string& path, const Json& expected) {
    if (!(value == expected)) Add(path, Quote(value) + " is not " + Quote(expected));
  }

  bool Version(const Json& value, const std::string& path) {
    if (!IsInteger(value)) {
      Add(path, Quote(value) + " is not of type \"integer\"");
      return false;
    }
    if (!IsAtLeastOne(value)) {
      Add(path, Quote(value) + " is less than the minimum of 1");
      return false;
    }
    return true;
  }

  bool Enum(const Json& value, const std::string& path, const std::vector<std::string_view>& allowed) {
    if (value.is_string()) {
      for (std::string_view candidate : allowed) {
        if (value.get_ref<const std::string&>() == candidate) return true;
      }
    }
    Add(path, Quote(value) + " is not one of " + List(allowed));
    return false;
  }
};

const TextRule kUuidAnyCase{false, 0, 36, false, [](std::string_view t) { return common::IsUuid(t); },
                            "a UUID (8-4-4-4-12 hex digits)"};
const TextRule kUuidV7{false, 0, 36, false, IsLowerUuidV7, "a lower-case UUIDv7"};
const TextRule kTimestamp{false, 0, 24, false, IsTimestamp, "a UTC timestamp with milliseconds (2026-11-25T09:30:00.123Z)"};
const TextRule kNonEmpty{false, 1, 0, false, nullptr, ""};

// The data object has every member of `fields` (plus the event kind's extra
// member, when it has one) and no other.
void CheckMembers(Checker& check, const Json& data, std::span<const std::string_view> fields,
                  std::string_view extra) {
  const std::string p = ".data";
  for (std::string_view name : fields) {
    if (!data.contains(name)) check.Add(p, "\"" + std::string(name) + "\" is a required property");
  }
  if (!extra.empty() && !data.contains(extra)) {
    check.Add(p, "\"" + std::string(extra) + "\" is a required property");
  }
  for (const auto& [name, value] : data.items()) {
    const bool known = name == extra ||
                       std::find(fields.begin(), fields.end(), std::string_view(name)) != fields.end();
    if (!known) check.Add(p, "unexpected property \"" + name + "\" (not allowed)");
  }
}

void CheckOrderData(Checker& check, const Json& data, const EventKind& kind) {
  CheckMembers(check, data, kOrderFields, kind.extra);
  const std::string p = ".data";

  const TextRule name_rule{false, 1, 255, true, nullptr, ""};
  auto field = [&](std::string_view name) -> const Json* {
    auto it = data.find(name);
    return it == data.end() ? nullptr : &*it;
  };
  auto path = [&](std::string_view name) { return p + "." + std::string(name); };
  if (auto* v = field("order_id")) check.Text(*v, path("order_id"), kUuidV7);
  if (auto* v = field("tracking_number")) check.Text(*v, path("tracking_number"), {false, 1, 100, true, nullptr, ""});
  if (auto* v = field("customer_name")) check.Text(*v, path("customer_name"), name_rule);
  if (auto* v = field("origin")) check.Text(*v, path("origin"), name_rule);
  if (auto* v = field("destination")) check.Text(*v, path("destination"), name_rule);
  if (auto* v = field("customer_email")) {
    if (check.Text(*v, path("customer_email"), {true, 0, 254, false, IsEmailShape, "an e-mail address (one '@' with text on both sides)"}) &&
        v->is_string() && HasEmailForbiddenCharacter(v->get_ref<const std::string&>())) {
      check.Add(path("customer_email"), Quote(*v) + " holds white space or a control character");
    }
  }
  const Json* status = field("status");
  if (status != nullptr) {
    if (check.Enum(*status, path("status"), {"CREATED", "ASSIGNED", "PAID", "IN_TRANSIT", "DELIVERED", "CANCELLED"})) {
      check.Enum(*status, path("status"), kind.statuses);
    }
  }
  const Json* driver = field("driver_id");
  if (driver != nullptr) {
    check.Text(*driver, path("driver_id"), {true, 1, 100, true, nullptr, ""});
    if (kind.driver_required && !driver->is_string()) {
      check.Add(path("driver_id"), Quote(*driver) + " is not of type \"string\" (an assigned order has a driver)");
    }
  }
  const Json* cancellation = field("cancellation_reason");
  if (cancellation != nullptr) check.Text(*cancellation, path("cancellation_reason"), {true, 0, 500, false, nullptr, ""});
  if (auto* v = field("created_at")) check.Text(*v, path("created_at"), kTimestamp);
  if (auto* v = field("updated_at")) check.Text(*v, path("updated_at"), kTimestamp);
  if (auto* v = field("version")) {
    if (check.Version(*v, path("version")) && kind.first_version) check.Const(*v, path("version"), 1);
  }
  // The state machine's invariants, read exactly as the schema's if/then: an
  // `if` on a missing status holds (properties of an absent member pass).
  const bool absent = status == nullptr;
  auto status_is = [&](std::string_view s) { return status != nullptr && *status == s; };
  if (driver != nullptr && (absent || status_is("CREATED")) && !driver->is_null()) {
    check.Add(path("driver_id"), Quote(*driver) + " must be null while the order is CREATED");
  }
  if (driver != nullptr &&
      (absent || status_is("ASSIGNED") || status_is("IN_TRANSIT") || status_is("DELIVERED")) &&
      !driver->is_string()) {
    check.Add(path("driver_id"), Quote(*driver) + " must be a string: an ASSIGNED, IN_TRANSIT or DELIVERED order has a driver");
  }
  if (cancellation != nullptr && (absent || !status_is("CANCELLED")) && !cancellation->is_null()) {
    check.Add(path("cancellation_reason"), Quote(*cancellation) + " must be null unless the order is CANCELLED");
  }
  if (kind.extra == "payment_id") {
    if (auto* v = field("payment_id"); v != nullptr && !v->is_null()) {
      check.Text(*v, path("payment_id"), kUuidAnyCase);
    }
  } else if (kind.extra == "reason") {
    if (auto* v = field("reason")) check.Text(*v, path("reason"), {true, 0, 500, false, nullptr, ""});
  }
}

void CheckPaymentData(Checker& check, const Json& data, const EventKind& kind) {
  CheckMembers(check, data, kPaymentFields, kind.extra);
  const std::string p = ".data";

  auto field = [&](std::string_view name) -> const Json* {
    auto it = data.find(name);
    return it == data.end() ? nullptr : &*it;
  };
  auto path = [&](std::string_view name) { return p + "." + std::string(name); };
  if (auto* v = field("payment_id")) check.Text(*v, path("payment_id"), kUuidV7);
  if (auto* v = field("order_id")) check.Text(*v, path("order_id"), kUuidV7);
  if (auto* v = field("amount")) {
    if (check.Text(*v, path("amount"), {false, 0, 11, false, IsAmountShape, "an amount with two decimals (\"100.00\")"})) {
      const auto& text = v->get_ref<const std::string&>();
      if (HasLeadingZero(text)) check.Add(path("amount"), Quote(*v) + " has a leading zero");
      if (text == "0.00") check.Add(path("amount"), Quote(*v) + " is not greater than 0");
    }
  }
  if (auto* v = field("currency")) check.Text(*v, path("currency"), {false, 0, 3, false, IsCurrencyShape, "three upper-case letters"});
  const Json* status = field("status");
  if (status != nullptr) {
    if (check.Enum(*status, path("status"), {"PENDING", "CONFIRMED", "FAILED", "REFUNDED"})) {
      check.Enum(*status, path("status"), kind.statuses);
    }
  }
  const TextRule failure_rule{true, 1, 500, true, nullptr, ""};
  const TextRule refund_rule{true, 0, 500, false, nullptr, ""};
  const Json* failure = field("failure_reason");
  if (failure != nullptr) check.Text(*failure, path("failure_reason"), failure_rule);
  const Json* refund = field("refund_reason");
  if (refund != nullptr) check.Text(*refund, path("refund_reason"), refund_rule);
  if (auto* v = field("created_at")) check.Text(*v, path("created_at"), kTimestamp);
  if (auto* v = field("updated_at")) check.Text(*v, path("updated_at"), kTimestamp);
  if (auto* v = field("version")) {
    if (check.Version(*v, path("version")) && kind.first_version) check.Const(*v, path("version"), 1);
  }
  // The schema's if/then invariants (an `if` on a missing status holds).
  const bool absent = status == nullptr;
  auto status_is = [&](std::string_view s) { return status != nullptr && *status == s; };
  if (failure != nullptr && (absent || status_is("FAILED")) && !failure->is_string()) {
    check.Add(path("failure_reason"), Quote(*failure) + " must be a string: a FAILED payment has a failure_reason");
  }
  if (failure != nullptr && (absent || !status_is("FAILED")) && !failure->is_null()) {
    check.Add(path("failure_reason"), Quote(*failure) + " must be null unless the payment is FAILED");
  }
  if (refund != nullptr && (absent || !status_is("REFUNDED")) && !refund->is_null()) {
    check.Add(path("refund_reason"), Quote(*refund) + " must be null unless the payment is REFUNDED");
  }
  if (auto* v = field("reason")) {
    if (kind.reason_of == "failure_reason") {
      check.Text(*v, path("reason"), {false, 1, 500, true, nullptr, ""});
    } else if (kind.reason_of == "refund_reason") {
      check.Text(*v, path("reason"), refund_rule);
    }
  }
}

// What check_schemas.py checks beyond the schemas, on an otherwise valid event.
void CheckAcrossFields(Checker& check, const Json& event, const EventKind& kind) {
  const Json& data = event["data"];
  const std::string id = kind.aggregate == Aggregate::kOrder ? "order_id" : "payment_id";
  if (event["subject"] != data[id]) {
    check.Add(".subject", Quote(event["subject"]) + " is not data." + id + " " + Quote(data[id]));
  }
  if (event["aggregateversion"] != data["version"]) {
    check.Add(".aggregateversion", Quote(event["aggregateversion"]) + " is not data.version " + Quote(data["version"]));
  }
  if (event["time"] != data["updated_at"]) {
    check.Add(".time", Quote(event["time"]) + " is not data.updated_at " + Quote(data["updated_at"]));
  }
  if (!kind.reason_of.empty() && data["reason"] != data[std::string(kind.reason_of)]) {
    check.Add(".data.reason", Quote(data["reason"]) + " is not data." + std::string(kind.reason_of) + " " +
                                  Quote(data[std::string(kind.reason_of)]));
  }
  // Fixed-width UTC timestamps: text order is time order.
  if (data["created_at"].get_ref<const std::string&>() > data["updated_at"].get_ref<const std::string&>()) {
    check.Add(".data.created_at", Quote(data["created_at"]) + " is after data.updated_at " + Quote(data["updated_at"]));
  }
}

}  // namespace

std::string ValidationProblem::ToString() const { return path.empty() ? message : path + ": " + message; }

std::vector<ValidationProblem> EventValidator::Validate(const Json& event) const {
  Checker check;
  if (!event.is_object()) {
    check.Add("", Quote(event) + " is not of type \"object\" (an event is a JSON object)");
    return check.problems;
  }
  for (std::string_view name : kEnvelopeRequired) {
    if (!event.contains(name)) check.Add("", "\"" + std::string(name) + "\" is a required property");
  }
  for (const auto& [name, value] : event.items()) {
    if (std::find(kEnvelopeMembers.begin(), kEnvelopeMembers.end(), name) == kEnvelopeMembers.end()) {
      check.Add("", "unexpected property \"" + name + "\" (not allowed)");
    }
  }
  auto member = [&](std::string_view name) -> const Json* {
    auto it = event.find(name);
    return it == event.end() ? nullptr : &*it;
  };

  const EventKind* kind = nullptr;
  if (const Json* type = member("type")) {
    if (check.Text(*type, ".type", {false, 0, 0, false, IsEventTypeShape, "logistics.<aggregate>.<name>.v<major>"})) {
      for (const EventKind& candidate : kEventKinds) {
        if (type->get_ref<const std::string&>() == candidate.type) kind = &candidate;
      }
      if (kind == nullptr) check.Add(".type", Quote(*type) + " is not a known event type");
    }
  }
  if (const Json* v = member("specversion")) check.Const(*v, ".specversion", "1.0");
  if (const Json* v = member("id")) check.Text(*v, ".id", kUuidAnyCase);
  if (const Json* v = member("source")) {
    if (check.Text(*v, ".source", kNonEmpty) && kind != nullptr) {
      check.Const(*v, ".source", kind->aggregate == Aggregate::kOrder ? "/logistics/orders" : "/logistics/payments");
    }
  }
  // Every event type pins subject to a UUIDv7; an unknown type fails anyway.
  if (const Json* v = member("subject")) {
    if (check.Text(*v, ".subject", kNonEmpty)) check.Text(*v, ".subject", kUuidV7);
  }
  if (const Json* v = member("time")) check.Text(*v, ".time", kTimestamp);
  if (const Json* v = member("datacontenttype")) check.Const(*v, ".datacontenttype", "application/json");
  if (const Json* v = member("aggregateversion")) {
    if (check.Version(*v, ".aggregateversion") && kind != nullptr && kind->first_version) {
      check.Const(*v, ".aggregateversion", 1);
    }
  }
  if (const Json* v = member("correlationid")) check.Text(*v, ".correlationid", kNonEmpty);
  if (const Json* v = member("causationid")) check.Text(*v, ".causationid", kNonEmpty);
  if (const Json* v = member("traceparent")) {
    check.Text(*v, ".traceparent", {false, 0, 55, false, IsTraceparent, "a W3C traceparent"});
  }
  if (const Json* v = member("tracestate")) check.Text(*v, ".tracestate", {});
  if (const Json* data = member("data")) {
    if (!data->is_object()) {
      check.Add(".data", Quote(*data) + " is not of type \"object\"");
    } else if (kind != nullptr) {
      if (kind->aggregate == Aggregate::kOrder) {
        CheckOrderData(check, *data, *kind);
      } else {
        CheckPaymentData(check, *data, *kind);
      }
    }
  }
  if (check.problems.empty() && kind != nullptr) CheckAcrossFields(check, event, *kind);
  return check.problems;
}

}  // namespace logistics::replay

// BodyReader: strict decoding of a JSON request body into typed fields.
//
// Requests are JSON objects whose unknown fields are rejected. A reader
// collects every problem it finds (missing, wrong type, out of range, unknown)
// so one 400 reply can name each offending field at once:
//
//   auto body = BodyReader::Parse(msg_data, limits);
//   if (!body) return reply(body.error());           // not JSON / not an object / too big
//   auto id = body->RequiredString("order_id");
//   auto reason = body->OptionalString("reason");
//   if (auto problems = body->Finish(); !problems.empty()) return reply(...);
//
// Optional fields accept JSON null as "absent". Strings are counted in
// Unicode characters when a maximum length is given. The JSON parser rejects
// ill-formed UTF-8 and duplicate keys are resolved by the last one (RFC 8259
// leaves that open; nlohmann keeps the last).
//
// Thread-safety: none; a reader belongs to one request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "logistics/common/result.hpp"

namespace logistics::json {

struct FieldProblem {
  std::string field;   // "" for the body as a whole
  std::string reason;  // "is required", "must be a string", ...
  bool operator==(const FieldProblem&) const = default;
};

struct BodyError {
  std::string code;  // INVALID_JSON, INVALID_BODY, BODY_TOO_LARGE, VALIDATION_FAILED
  std::string message;
  std::vector<FieldProblem> details;
};

inline constexpr std::size_t kDefaultMaxBodyBytes = std::size_t{64} * 1024;

class BodyReader {
 public:
  // Fails with INVALID_JSON (not JSON, or ill-formed UTF-8), INVALID_BODY (not
  // an object) or BODY_TOO_LARGE (over max_bytes).
  static common::Result<BodyReader, BodyError> Parse(std::string_view body,
                                                     std::size_t max_bytes = kDefaultMaxBodyBytes);

  // Records "is required" when absent, "must be a string" for another type, and
  // "must be at most N characters" when longer than max_chars (0 = no limit).
  std::optional<std::string> RequiredString(std::string_view field, std::size_t max_chars = 0);
  std::optional<std::string> OptionalString(std::string_view field, std::size_t max_chars = 0);
  // Integers only (no fractions, no strings); records the allowed range.
  std::optional<std::int64_t> OptionalInteger(std::string_view field, std::int64_t min,
                                              std::int64_t max);

  // A UUID string, returned in lower case (stored ids are lower case; hex
  // digits are case-insensitive, RFC 9562). Records "must be a UUID ..." for
  // any other string.
  std::optional<std::string> RequiredUuid(std::string_view field);
  std::optional<std::string> OptionalUuid(std::string_view field);

  // A decimal given as a JSON string or number, as text for an exact parser:
  // a string is returned as is; a number as its shortest round-trip text
  // (10.5 -> "10.5", 100 -> "100"), so money never passes through arithmetic
  // on a binary double. Records "is required" / "must be a number or a
  // string" otherwise.
  std::optional<std::string> RequiredDecimal(std::string_view field);

  // Adds a problem found by the caller (for example a malformed id).
  void AddProblem(std::string field, std::string reason);
  // True when a problem with `field` is already recorded: a caller's own
  // check of the field ("is required (or give ...)") then stays quiet, so a
  // field is reported once, for its first problem.
  bool HasProblemWith(std::string_view field) const;

  // Records every field of the body that was never asked for as "is not
  // allowed", and returns all problems, in the order found.
  std::vector<FieldProblem> Finish();

  // The problems as the VALIDATION_FAILED error replies carry.
  static BodyError ValidationFailed(std::vector<FieldProblem> problems);

 private:
  explicit BodyReader(nlohmann::json object) : object_(std::move(object)) {}
  const nlohmann::json* Find(std::string_view field);
  std::optional<std::string> ReadString(std::string_view field, std::size_t max_chars,
                                        bool required);
  std::optional<std::string> ReadUuid(std::string_view field, bool required);

  nlohmann::json object_;
  std::set<std::string, std::less<>> seen_;
  std::vector<FieldProblem> problems_;
};

}  // namespace logistics::json

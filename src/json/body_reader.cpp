#include "logistics/json/body_reader.hpp"

#include <cctype>

#include "logistics/common/utf8.hpp"
#include "logistics/common/uuid.hpp"

namespace logistics::json {
namespace {

// What is wrong with a body the parser refused, in words a client can act on:
// "syntax error at byte 12 (line 1, column 12): invalid literal; last read:
// '{"a":tru '". nlohmann's own text starts with its internal exception id
// ("[json.exception.parse_error.101] parse error at line 1, column 12: ..."),
// which means nothing to a client; only its explanation is kept. The parser
// is run again with exceptions only here, on the failure path.
std::string WhyNotJson(std::string_view body) {
  try {
    const auto unreachable = nlohmann::json::parse(body);
    (void)unreachable;
  } catch (const nlohmann::json::parse_error& error) {
    std::string what = error.what();
    // "... parse error at line L, column C: <explanation>" or, for an empty
    // body, "... parse error: <explanation>" (nlohmann 3.x).
    std::string explanation = what;
    if (const auto colon = what.find(": "); colon != std::string::npos)
      explanation = what.substr(colon + 2);
    if (explanation.rfind("syntax error while parsing ", 0) == 0) {
      // "syntax error while parsing value - invalid literal; ..." -> "invalid literal; ..."
      if (const auto dash = explanation.find(" - "); dash != std::string::npos) {
        explanation = explanation.substr(dash + 3);
      }
    }
    std::string where = "syntax error at byte " + std::to_string(error.byte);
    const auto at_line = what.find("at line ");
    const auto end = what.find(": ", at_line == std::string::npos ? 0 : at_line);
    if (at_line != std::string::npos && end != std::string::npos) {
      where += " (" + what.substr(at_line + 3, end - at_line - 3) + ")";
    }
    return where + ": " + explanation;
  } catch (const nlohmann::json::out_of_range&) {
    return "a number is too large (beyond the range of a double)";
  } catch (const nlohmann::json::exception&) {
    // Any other refusal: say no more than that it is not JSON.
  }
  return "it cannot be parsed";
}

}  // namespace

common::Result<BodyReader, BodyError> BodyReader::Parse(std::string_view body,
                                                        std::size_t max_bytes) {
  if (body.size() > max_bytes) {
    return common::Unexpected{BodyError{"BODY_TOO_LARGE",
                                        "request body is " + std::to_string(body.size()) +
                                            " bytes; the limit is " + std::to_string(max_bytes),
                                        {}}};
  }
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return common::Unexpected{
        BodyError{"INVALID_JSON", "request body is not valid JSON: " + WhyNotJson(body), {}}};
  }
  if (!parsed.is_object()) {
    return common::Unexpected{BodyError{"INVALID_BODY", "request body must be a JSON object", {}}};
  }
  return BodyReader(std::move(parsed));
}

const nlohmann::json* BodyReader::Find(std::string_view field) {
  seen_.emplace(field);
  const auto found = object_.find(std::string(field));
  return found == object_.end() ? nullptr : &*found;
}

std::optional<std::string> BodyReader::ReadString(std::string_view field, std::size_t max_chars,
                                                  bool required) {
  const nlohmann::json* value = Find(field);
  if (value == nullptr || (!required && value->is_null())) {
    if (required) AddProblem(std::string(field), "is required");
    return std::nullopt;
  }
  if (!value->is_string()) {
    AddProblem(std::string(field), "must be a string");
    return std::nullopt;
  }
  std::string text = value->get<std::string>();
  if (max_chars > 0) {
    const auto length = common::CountCodePoints(text);
    if (!length) {
      AddProblem(std::string(field), "must be valid UTF-8");
      return std::nullopt;
    }
    if (*length > max_chars) {
      AddProblem(std::string(field), "must be at most " + std::to_string(max_chars) +
                                         " characters (got " + std::to_string(*length) + ")");
      return std::nullopt;
    }
  }
  return text;
}

std::optional<std::string> BodyReader::RequiredString(std::string_view field,
                                                      std::size_t max_chars) {
  return ReadString(field, max_chars, true);
}

std::optional<std::string> BodyReader::OptionalString(std::string_view field,
                                                      std::size_t max_chars) {
  return ReadString(field, max_chars, false);
}

std::optional<std::int64_t> BodyReader::OptionalInteger(std::string_view field, std::int64_t min,
                                                        std::int64_t max) {
  const nlohmann::json* value = Find(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  const std::string range =
      "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value->is_number_integer()) {
    AddProblem(std::string(field), range);
    return std::nullopt;
  }
  // Unsigned values above INT64_MAX are out of range whatever the maximum.
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    AddProblem(std::string(field), range);
    return std::nullopt;
  }
  const auto number = value->get<std::int64_t>();
  if (number < min || number > max) {
    AddProblem(std::string(field), range);
    return std::nullopt;
  }
  return number;
}

std::optional<std::string> BodyReader::ReadUuid(std::string_view field, bool required) {
  auto id = ReadString(field, 0, required);
  if (!id) return std::nullopt;
  if (!common::IsUuid(*id)) {
    AddProblem(std::string(field), "must be a UUID like 0193a5b2-7c1d-7e4f-8a90-123456789abc");
    return std::nullopt;
  }
  for (char& c : *id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return id;
}

std::optional<std::string> BodyReader::RequiredUuid(std::string_view field) {
  return ReadUuid(field, true);
}

std::optional<std::string> BodyReader::OptionalUuid(std::string_view field) {
  return ReadUuid(field, false);
}

std::optional<std::string> BodyReader::RequiredDecimal(std::string_view field) {
  const nlohmann::json* value = Find(field);
  if (value == nullptr) {
    AddProblem(std::string(field), "is required");
    return std::nullopt;
  }
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number()) return value->dump();  // JSON has no NaN or Infinity
  AddProblem(std::string(field), "must be a number or a string");
  return std::nullopt;
}

void BodyReader::AddProblem(std::string field, std::string reason) {
  problems_.push_back(FieldProblem{std::move(field), std::move(reason)});
}

bool BodyReader::HasProblemWith(std::string_view field) const {
  for (const FieldProblem& problem : problems_) {
    if (problem.field == field) return true;
  }
  return false;
}

std::vector<FieldProblem> BodyReader::Finish() {
  for (const auto& [key, value] : object_.items()) {
    if (!seen_.contains(key)) AddProblem(key, "is not allowed");
  }
  return problems_;
}

BodyError BodyReader::ValidationFailed(std::vector<FieldProblem> problems) {
  std::string message = "invalid request";
  for (std::size_t i = 0; i < problems.size(); ++i) {
    message += i == 0 ? ": " : "; ";
    message += problems[i].field.empty() ? problems[i].reason
                                         : problems[i].field + " " + problems[i].reason;
  }
  return BodyError{"VALIDATION_FAILED", message, std::move(problems)};
}

}  // namespace logistics::json

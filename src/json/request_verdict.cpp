#include "logistics/json/request_verdict.hpp"

#include <algorithm>

namespace logistics::json {

common::Result<void, BodyError> RequestVerdict(std::vector<FieldProblem> problems,
                                               const std::vector<BrokenRule>& broken_rules) {
  const BrokenRule* only_rule = nullptr;
  std::size_t rules_named = 0;
  for (const BrokenRule& rule : broken_rules) {
    const bool already_named =
        std::any_of(problems.begin(), problems.end(),
                    [&](const FieldProblem& p) { return p.field == rule.field; });
    if (already_named) continue;
    // A rule's message names its field ("tracking_number must not be empty
    // or blank"), as a reply with that one rule shows it; as one of several
    // problems the field is named beside it (FieldProblem, and the message
    // "invalid request: <field> <reason>"), so it is not named twice.
    std::string reason = rule.message;
    if (!rule.field.empty() && reason.rfind(rule.field + " ", 0) == 0)
      reason.erase(0, rule.field.size() + 1);
    problems.push_back(FieldProblem{rule.field, std::move(reason)});
    only_rule = &rule;
    ++rules_named;
  }
  if (problems.empty()) return {};
  BodyError error = BodyReader::ValidationFailed(std::move(problems));
  if (rules_named == 1 && error.details.size() == 1) {
    error.code = only_rule->code;
    error.message = only_rule->message;
  }
  return common::Unexpected{std::move(error)};
}

}  // namespace logistics::json

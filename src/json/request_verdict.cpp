#include "logistics/json/request_verdict.hpp"

#include <algorithm>

namespace logistics::json {

common::Result<void, BodyError> RequestVerdict(std::vector<FieldProblem> problems,
                                               const std::vector<BrokenRule>& broken_rules) {
  const BrokenRule* only_rule = nullptr;
  std::size_t rules_named = 0;
  for (const BrokenRule& rule : broken_rules) {
    const bool already_named = std::any_of(problems.begin(), problems.end(),
                                           [&](const FieldProblem& p) { return p.field == rule.field; });
    if (already_named) continue;
    problems.push_back(FieldProblem{rule.field, rule.message});
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

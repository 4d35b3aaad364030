#include "logistics/nats/subject_filter.hpp"

#include <vector>

namespace logistics::nats {
namespace {

std::vector<std::string_view> Tokens(std::string_view subject) {
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = subject.find('.', start);
    tokens.push_back(subject.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return tokens;
    start = dot + 1;
  }
}

}  // namespace

bool SubjectMatches(std::string_view filter, std::string_view subject) {
  const auto wanted = Tokens(filter);
  const auto tokens = Tokens(subject);
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i] == ">") return i + 1 == wanted.size() && tokens.size() > i;
    if (i >= tokens.size()) return false;
    if (wanted[i] != "*" && wanted[i] != tokens[i]) return false;
  }
  return wanted.size() == tokens.size();
}


bool IsPlainSubject(std::string_view subject) {
  if (subject.empty() || subject.front() == '.' || subject.back() == '.') return false;
  std::size_t token_start = 0;
  for (std::size_t i = 0; i <= subject.size(); ++i) {
    if (i < subject.size() && subject[i] != '.') {
      const auto c = static_cast<unsigned char>(subject[i]);
      if (c <= 0x20 || c >= 0x7f) return false;
      continue;
    }
    const std::string_view token = subject.substr(token_start, i - token_start);
    if (token.empty() || token == "*" || token == ">") return false;
    token_start = i + 1;
  }
  return true;
}

}  // namespace logistics::nats

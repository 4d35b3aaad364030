#include "integration/readme_walkthrough.hpp"

#include <algorithm>
#include <regex>
#include <sstream>

namespace logistics::testing {
namespace {

bool OpensQuote(const std::string& text) {
  // Single quotes only: the README's bodies are JSON in single quotes.
  return std::count(text.begin(), text.end(), '\'') % 2 == 1;
}

bool Continues(const std::string& command) {
  return OpensQuote(command) || (!command.empty() && command.back() == '\\');
}

std::string SquashSpaces(const std::string& text) {
  std::string squashed;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !squashed.empty()) squashed += ' ';
    space = false;
    squashed += c;
  }
  return squashed;
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}  // namespace

std::vector<WalkthroughStep> ReadWalkthrough(const std::string& readme, const std::string& name) {
  const std::string marker = "<!-- walkthrough: " + name + " -->";
  std::vector<WalkthroughStep> steps;
  std::istringstream lines(readme);
  std::string line;
  int number = 0;
  bool marked = false;    // the previous line was the marker
  bool in_block = false;  // inside a marked ```sh block
  bool continuing = false;
  while (std::getline(lines, line)) {
    ++number;
    if (!in_block) {
      in_block = marked && line == "```sh";
      marked = line == marker;
      continue;
    }
    if (line == "```") {
      in_block = false;
      continuing = false;
      continue;
    }
    if (continuing) {
      steps.back().command += "\n" + line;
      continuing = Continues(steps.back().command);
      continue;
    }
    if (line.rfind("#   ", 0) == 0 && !steps.empty()) {
      steps.back().expected.push_back(line.substr(4));
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    steps.push_back(WalkthroughStep{number, line, {}});
    continuing = Continues(line);
  }
  return steps;
}

std::string MissingOutput(const std::string& output, const std::vector<std::string>& expected) {
  static const std::regex kWildcard(R"(\.\.\.|<[^>]*>)");
  const std::string haystack = SquashSpaces(output);
  std::size_t from = 0;
  for (const std::string& line : expected) {
    const std::string squashed = SquashSpaces(line);
    std::sregex_token_iterator piece(squashed.begin(), squashed.end(), kWildcard, -1);
    for (; piece != std::sregex_token_iterator(); ++piece) {
      const std::string text = Trim(*piece);
      if (text.empty()) continue;
      const std::size_t found = haystack.find(text, from);
      if (found == std::string::npos) return text;
      from = found + text.size();
    }
  }
  return "";
}

}  // namespace logistics::testing

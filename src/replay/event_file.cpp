#include "logistics/replay/event_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "logistics/common/errno_text.hpp"

namespace logistics::replay {

std::string LineProblem::ToString() const {
  return "line " + std::to_string(line) + ": " + problem.ToString();
}

std::string ExpectedSubject(const nlohmann::ordered_json& event) {
  const auto type = event.find("type");
  const auto subject = event.find("subject");
  if (type == event.end() || subject == event.end() || !type->is_string() || !subject->is_string()) return "";
  const std::string& text = type->get_ref<const std::string&>();
  // logistics.<aggregate>.<name>.v<major>
  const std::size_t first = text.find('.');
  const std::size_t second = text.find('.', first + 1);
  const std::size_t third = text.find('.', second + 1);
  if (first == std::string::npos || second == std::string::npos || third == std::string::npos) return "";
  const std::string aggregate = text.substr(first + 1, second - first - 1);
  const std::string name = text.substr(second + 1, third - second - 1);
  const std::string prefix = aggregate == "order" ? "orders" : aggregate == "payment" ? "payments" : "";
  if (prefix.empty()) return "";
  return prefix + ".events." + subject->get<std::string>() + "." + name;
}

common::Result<EventFile, ReplayError> EventFile::Read(const std::string& path,
                                                       const EventValidator& validator) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
      return common::Unexpected{ReplayError{ReplayErrorKind::kFileUnreadable,
                                            "cannot read " + path + ": it is a directory"}};
    }
    file.open(path, std::ios::binary);
    if (!file) {
      const int error = errno;
      return common::Unexpected{ReplayError{ReplayErrorKind::kFileUnreadable,
                                            "cannot read " + path + ": " + common::ErrnoText(error)}};
    }
    in = &file;
  }
  EventFile result;
  std::string text;
  std::size_t number = 0;
  while (std::getline(*in, text)) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    auto record = ParseEventRecord(text);
    std::vector<ValidationProblem> problems;
    if (!record) {
      problems = record.error();  // copied: `record` is read again below
    } else {
      problems = validator.Validate(record->event);
      if (problems.empty()) {
        const std::string expected = ExpectedSubject(record->event);
        if (record->subject != expected) {
          problems.push_back({"(record).subject", "\"" + record->subject + "\" is not the event's subject \"" +
                                                      expected + "\""});
        }
      }
    }
    if (problems.empty()) {
      result.records_.push_back({number, std::move(*record)});
    } else {
      ++result.invalid_lines_;
      for (auto& problem : problems) result.problems_.push_back({number, std::move(problem)});
    }
  }
  if (in->bad()) {
    const int error = errno;
    return common::Unexpected{ReplayError{ReplayErrorKind::kFileUnreadable,
                                          "cannot read " + path + ": " + common::ErrnoText(error)}};
  }
  return result;
}

}  // namespace logistics::replay

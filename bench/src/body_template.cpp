#include "body_template.hpp"

#include <random>

namespace logistics::bench {
namespace {

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

BodyTemplate::BodyTemplate(const std::string& text, const std::string& run_id) {
  const std::string filled = ReplaceAll(text, "{run}", run_id);
  std::size_t start = 0;
  for (std::size_t at = filled.find("{n}"); at != std::string::npos; at = filled.find("{n}", start)) {
    literals_.push_back(filled.substr(start, at - start));
    start = at + 3;
  }
  literals_.push_back(filled.substr(start));
}

std::string BodyTemplate::Fill(std::uint64_t n) const {
  const std::string number = std::to_string(n);
  std::string body = literals_.front();
  for (std::size_t i = 1; i < literals_.size(); ++i) body += number + literals_[i];
  return body;
}

std::string NewRunId() {
  std::random_device random;
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id;
  for (int i = 0; i < 8; ++i) id += kDigits[random() % 36];
  return id;
}

}  // namespace logistics::bench

#include "support/harness/prometheus_text.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace logistics::testing {
namespace {

bool IsNameChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)) != 0);
}

// Reads a metric or label name at `pos`; empty when there is none.
std::string ReadName(const std::string& line, std::size_t& pos) {
  const std::size_t start = pos;
  while (pos < line.size() && IsNameChar(line[pos], pos == start)) ++pos;
  return line.substr(start, pos - start);
}

std::optional<double> ReadNumber(const std::string& text) {
  if (text == "+Inf" || text == "Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN" || text == "Nan") return std::numeric_limits<double>::quiet_NaN();
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

// One sample line; the reason when it is not one.
std::optional<std::string> ReadSample(const std::string& line, PrometheusSample& sample) {
  std::size_t pos = 0;
  sample.name = ReadName(line, pos);
  if (sample.name.empty()) return "no metric name";
  if (pos < line.size() && line[pos] == '{') {
    ++pos;
    while (pos < line.size() && line[pos] != '}') {
      const std::string label = ReadName(line, pos);
      if (label.empty()) return "no label name";
      if (pos + 1 >= line.size() || line[pos] != '=' || line[pos + 1] != '"') {
        return "no =\" after label " + label;
      }
      pos += 2;
      std::string value;
      bool closed = false;
      while (pos < line.size()) {
        const char c = line[pos++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c != '\\') {
          value += c;
          continue;
        }
        if (pos >= line.size()) return "a label value ends in a backslash";
        const char escaped = line[pos++];
        if (escaped == 'n') {
          value += '\n';
        } else if (escaped == '\\' || escaped == '"') {
          value += escaped;
        } else {
          return std::string("an unknown escape \\") + escaped;
        }
      }
      if (!closed) return "an unclosed label value";
      if (!sample.labels.emplace(label, value).second) return "label " + label + " twice";
      if (pos < line.size() && line[pos] == ',') ++pos;
    }
    if (pos >= line.size()) return "no closing }";
    ++pos;
  }
  if (pos >= line.size() || line[pos] != ' ') return "no space before the value";
  std::istringstream rest(line.substr(pos));
  std::string value;
  std::string timestamp;
  rest >> value >> timestamp;
  const auto number = ReadNumber(value);
  if (!number) return "a value that is not a number: '" + value + "'";
  sample.value = *number;
  return std::nullopt;
}

}  // namespace

PrometheusText PrometheusText::Parse(const std::string& text) {
  PrometheusText result;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream comment(line.substr(1));
      std::string keyword;
      std::string name;
      std::string type;
      comment >> keyword >> name >> type;
      if (keyword == "TYPE") {
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
            type != "untyped") {
          result.error = "line " + std::to_string(number) + ": unknown type '" + type + "'";
          return result;
        }
        result.types[name] = type;
      }
      continue;
    }
    PrometheusSample sample;
    if (auto problem = ReadSample(line, sample)) {
      result.error = "line " + std::to_string(number) + " (" + line + "): " + *problem;
      return result;
    }
    result.samples.push_back(std::move(sample));
  }
  return result;
}

std::vector<PrometheusSample> PrometheusText::Find(
    const std::string& name, const std::map<std::string, std::string>& labels) const {
  std::vector<PrometheusSample> found;
  for (const auto& sample : samples) {
    if (sample.name != name) continue;
    bool matches = true;
    for (const auto& [label, value] : labels) {
      const auto it = sample.labels.find(label);
      if (it == sample.labels.end() || it->second != value) matches = false;
    }
    if (matches) found.push_back(sample);
  }
  return found;
}

std::optional<double> PrometheusText::Value(
    const std::string& name, const std::map<std::string, std::string>& labels) const {
  const auto found = Find(name, labels);
  if (found.size() != 1) return std::nullopt;
  return found.front().value;
}

std::optional<std::string> PrometheusText::HistogramProblem(
    const std::string& name, const std::map<std::string, std::string>& labels) const {
  std::vector<std::pair<double, double>> buckets;  // (le, cumulative count), in text order
  for (const auto& sample : Find(name + "_bucket", labels)) {
    auto own = sample.labels;
    const auto le = own.find("le");
    if (le == own.end()) return name + "_bucket without le";
    const auto bound = ReadNumber(le->second);
    if (!bound) return name + "_bucket with le=\"" + le->second + "\"";
    own.erase(le);
    if (own != labels) continue;  // another series that merely includes `labels`
    buckets.emplace_back(*bound, sample.value);
  }
  if (buckets.empty()) return "no " + name + "_bucket";
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    if (!(buckets[i].first > buckets[i - 1].first)) return name + ": le not ascending";
    if (buckets[i].second < buckets[i - 1].second) {
      return name + ": bucket le=" + std::to_string(buckets[i].first) + " holds " +
             std::to_string(buckets[i].second) + " < " + std::to_string(buckets[i - 1].second) +
             " of the bucket before (not cumulative)";
    }
  }
  if (!std::isinf(buckets.back().first)) return name + ": no le=\"+Inf\" bucket last";
  const auto count = Value(name + "_count", labels);
  if (!count) return "no single " + name + "_count";
  if (*count != buckets.back().second) {
    return name + "_count " + std::to_string(*count) + " differs from le=\"+Inf\" " +
           std::to_string(buckets.back().second);
  }
  if (!Value(name + "_sum", labels)) return "no single " + name + "_sum";
  return std::nullopt;
}

}  // namespace logistics::testing

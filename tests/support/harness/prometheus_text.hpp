// PrometheusText: a reader of the Prometheus text exposition format (0.0.4),
// written from the format's description and sharing no code with the
// services' exposition, so that tests check what a Prometheus server would
// read.
//
// Reads "# TYPE name type" lines and samples `name{label="value",...} value`
// (label values unescaped: \\ \" \n), ignores "# HELP" and other comments,
// and refuses anything else with the line it could not read.
//
// Usage:
//   auto text = PrometheusText::Parse(body);
//   REQUIRE(text.error.empty());
//   CHECK(text.Value("outbox_unpublished_messages", {{"service", "orders"}}) == 0);
//
// Thread-safety: a plain value.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace logistics::testing {

struct PrometheusSample {
  std::string name;  // with its suffix: "x_bucket", "x_count", "x_sum"
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PrometheusText {
  std::vector<PrometheusSample> samples;     // in the order of the text
  std::map<std::string, std::string> types;  // family name -> "counter", "gauge", ...
  std::string error;                         // "" when the whole text was read

  static PrometheusText Parse(const std::string& text);

  // Samples named `name` whose labels include every one of `labels`.
  std::vector<PrometheusSample> Find(const std::string& name,
                                     const std::map<std::string, std::string>& labels = {}) const;
  // The value of the one sample Find returns; nullopt when there is none or
  // more than one.
  std::optional<double> Value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const;
  // What is wrong with histogram `name` (the family name, without _bucket)
  // for exactly `labels`: its buckets must exist, be cumulative
  // (non-decreasing as `le` grows), end with le="+Inf", and that bucket must
  // equal `name`_count; `name`_sum must exist. nullopt when nothing is.
  std::optional<std::string> HistogramProblem(
      const std::string& name, const std::map<std::string, std::string>& labels) const;
};

}  // namespace logistics::testing

// HttpGet: one plain HTTP GET with libcurl, for tests that scrape a service's
// /metrics as Prometheus would.
//
// Usage:
//   auto response = HttpGet("http://127.0.0.1:9464/metrics");
//   REQUIRE(response.error.empty());
//   CHECK(response.status == 200);
//
// Thread-safety: safe from any thread (curl_global_init runs once, under a
// static's initialisation).
#pragma once

#include <chrono>
#include <string>

namespace logistics::testing {

struct HttpResponse {
  long status = 0;           // HTTP status; 0 when no response came
  std::string content_type;  // the Content-Type header
  std::string body;
  std::string error;  // "" when a response came; else curl's reason
};

// GETs `url`, failing (error set) when nothing answers within `timeout`.
HttpResponse HttpGet(const std::string& url,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace logistics::testing

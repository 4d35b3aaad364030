#include "support/harness/contract_recorder.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

namespace logistics::testing {
namespace {

bool IsServiceSubject(const std::string& subject) {
  return subject.rfind("orders.", 0) == 0 || subject.rfind("payments.", 0) == 0;
}

void Append(nlohmann::json record) {
  static std::mutex mutex;
  const char* dir = std::getenv("LOGISTICS_CONTRACT_DIR");
  if (dir == nullptr || *dir == '\0') return;
  const std::string path = std::string(dir) + "/" + std::to_string(::getpid()) + ".jsonl";
  std::lock_guard lock(mutex);
  std::ofstream out(path, std::ios::app);
  out << record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace

void RecordReply(const std::string& request_subject,
                 const std::map<std::string, std::string>& headers, const std::string& body) {
  if (!IsServiceSubject(request_subject)) return;
  Append({{"kind", "reply"}, {"subject", request_subject}, {"headers", headers}, {"body", body}});
}

void RecordStreamMessage(const std::string& stream, const std::string& subject,
                         const std::map<std::string, std::string>& headers, const std::string& body) {
  if (!IsServiceSubject(subject)) return;
  // A test's own re-published copies are not the service's output.
  if (auto id = headers.find("Nats-Msg-Id"); id != headers.end() && id->second.rfind("replayed-", 0) == 0) {
    return;
  }
  Append({{"kind", "event"}, {"stream", stream}, {"subject", subject}, {"headers", headers},
          {"body", body}});
}

void RecordMessage(const std::string& subject, const std::map<std::string, std::string>& headers,
                   const std::string& body) {
  if (!IsServiceSubject(subject)) return;
  Append({{"kind", "message"}, {"subject", subject}, {"headers", headers}, {"body", body}});
}

void RecordDiscovery(const std::string& request_subject, const std::string& body) {
  Append({{"kind", "discovery"}, {"subject", request_subject}, {"headers", nlohmann::json::object()},
          {"body", body}});
}

}  // namespace logistics::testing

// ContractRecorder: keeps what the services put on the wire during the tests,
// so a final step can validate every reply, rejection and event against the
// JSON Schemas (tests/contract/validate_recorded.py).
//
// When the environment variable LOGISTICS_CONTRACT_DIR names a directory (the
// ctest run sets it), each call appends one JSON object per line to
// <dir>/<pid>.jsonl:
//   {"kind":"reply","subject":<request subject>,"headers":{...},"body":<text>}
//   {"kind":"event","stream":<stream>,"subject":<subject>,"headers":{...},"body":<text>}
//   {"kind":"message","subject":<subject>,"headers":{...},"body":<text>}
//   {"kind":"discovery","subject":"$SRV.<VERB>...","body":<text>}
// Without the variable it records nothing. Only subjects of the services
// (orders.*, payments.*) are recorded; the harness's own test traffic is not.
//
// Thread-safety: safe from any thread (one lock around the file).
#pragma once

#include <map>
#include <string>

namespace logistics::testing {

void RecordReply(const std::string& request_subject, const std::map<std::string, std::string>& headers,
                 const std::string& body);
void RecordStreamMessage(const std::string& stream, const std::string& subject,
                         const std::map<std::string, std::string>& headers, const std::string& body);
void RecordMessage(const std::string& subject, const std::map<std::string, std::string>& headers,
                   const std::string& body);
// A reply to a $SRV (ADR-32 service discovery) request.
void RecordDiscovery(const std::string& request_subject, const std::string& body);

}  // namespace logistics::testing

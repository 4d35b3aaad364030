// Tests of the test harness itself: if these fail, no integration test can be
// trusted, so they check the harness against the real programs it drives.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/harness/child_process.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;

// Living (non-zombie) processes in process group `group`, from /proc.
int LivingMembersOfGroup(pid_t group) {
  int members = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat_file(entry.path() / "stat");
    std::string stat;
    if (!std::getline(stat_file, stat)) continue;  // exited meanwhile
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const std::size_t after_comm = stat.rfind(')');
    if (after_comm == std::string::npos) continue;
    std::istringstream fields(stat.substr(after_comm + 1));
    char state = '?';
    pid_t parent = 0;
    pid_t process_group = 0;
    fields >> state >> parent >> process_group;
    if (process_group == group && state != 'Z') ++members;
  }
  return members;
}

// A responder written directly against nats.c, as a service would be: it
// echoes the body and the Correlation-Id header, and answers "harness.fail"
// with a service error.
void Respond(natsConnection* connection, natsSubscription*, natsMsg* raw_request, void*) noexcept {
  const NatsMessagePtr request(raw_request);
  const char* reply_subject = natsMsg_GetReply(request.get());
  if (reply_subject == nullptr) return;
  const bool fail = std::string(natsMsg_GetSubject(request.get())) == "harness.fail";
  const std::string body =
      fail ? R"({"error":{"code":"ORDER_NOT_FOUND","message":"no such order","details":[]}})"
           : "echo: " + std::string(natsMsg_GetData(request.get()),
                                    static_cast<size_t>(natsMsg_GetDataLength(request.get())));
  natsMsg* raw_reply = nullptr;
  if (natsMsg_Create(&raw_reply, reply_subject, nullptr, body.data(),
                     static_cast<int>(body.size())) != NATS_OK) {
    return;  // the test sees a timeout
  }
  const NatsMessagePtr reply(raw_reply);
  const char* correlation = nullptr;
  if (natsMsgHeader_Get(request.get(), "Correlation-Id", &correlation) == NATS_OK) {
    natsMsgHeader_Set(reply.get(), "Correlation-Id", correlation);
  }
  if (fail) {
    natsMsgHeader_Set(reply.get(), "Nats-Service-Error", "no such order");
    natsMsgHeader_Set(reply.get(), "Nats-Service-Error-Code", "404");
  }
  natsConnection_PublishMsg(connection, reply.get());
}

TEST_CASE("a request to a nats.c responder gets its reply, status and headers", "[harness]") {
  NatsServer server;
  server.Start();
  natsConnection* raw_connection = nullptr;
  REQUIRE(natsConnection_ConnectTo(&raw_connection, server.url().c_str()) == NATS_OK);
  const NatsConnectionPtr responder_connection(raw_connection);
  natsSubscription* raw_subscription = nullptr;
  REQUIRE(natsConnection_Subscribe(&raw_subscription, responder_connection.get(), "harness.*",
                                   &Respond, nullptr) == NATS_OK);
  const NatsSubscriptionPtr responder(raw_subscription);
  REQUIRE(natsConnection_FlushTimeout(responder_connection.get(), 5000) == NATS_OK);

  NatsClient client(server.url());

  SECTION("a plain reply has status 200, the body and the echoed header") {
    const Reply reply = client.Request("harness.echo", "hello", {{"Correlation-Id", "corr-1"}});
    CHECK_FALSE(reply.timed_out);
    CHECK_FALSE(reply.no_responders);
    CHECK(reply.Status() == 200);
    CHECK(reply.body == "echo: hello");
    CHECK(reply.headers.at("Correlation-Id") == "corr-1");
  }
  SECTION("an error reply has the status of Nats-Service-Error-Code and a JSON body") {
    const Reply reply = client.Request("harness.fail", "{}");
    CHECK(reply.Status() == 404);
    CHECK(reply.headers.at("Nats-Service-Error") == "no such order");
    CHECK(reply.Json()["error"]["code"] == "ORDER_NOT_FOUND");
  }
  SECTION("a request nobody listens to reports no responders") {
    const Reply reply = client.Request("nobody.listens", "{}", {}, 2s);
    CHECK(reply.no_responders);
    CHECK(reply.Status() == 503);
  }
  SECTION("a published message reaches a subscription with its headers") {
    Subscription subscription = client.Subscribe("harness.events.>");
    client.Publish("harness.events.1.created", R"({"n":1})", {{"Kind", "created"}});
    REQUIRE(Eventually([&] { return subscription.Count() >= 1; }));
    const Received received = subscription.Messages().front();
    CHECK(received.subject == "harness.events.1.created");
    CHECK(received.headers.at("Kind") == "created");
    CHECK(received.Json()["n"] == 1);
  }
}

TEST_CASE("a killed NATS server restarted on the same port and store keeps its stream",
          "[harness]") {
  NatsServer server;
  server.Start();
  NatsClient client(server.url());

  jsStreamConfig config;
  REQUIRE(jsStreamConfig_Init(&config) == NATS_OK);
  const char* subjects[] = {"harness.>"};
  config.Name = "HARNESS";
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  jsStreamInfo* raw_info = nullptr;
  jsErrCode error_code = static_cast<jsErrCode>(0);
  REQUIRE(js_AddStream(&raw_info, client.jetstream(), &config, nullptr, &error_code) == NATS_OK);
  const StreamInfoPtr info(raw_info);
  for (const std::string subject : {"harness.1.created", "harness.1.paid", "harness.2.created"}) {
    const std::string data = R"({"subject":")" + subject + R"("})";
    jsPubAck* raw_ack = nullptr;
    REQUIRE(js_Publish(&raw_ack, client.jetstream(), subject.c_str(), data.data(),
                       static_cast<int>(data.size()), nullptr, &error_code) == NATS_OK);
    const PubAckPtr ack(raw_ack);
  }
  REQUIRE(client.ReadStream("HARNESS").size() == 3);

  const int port = server.port();
  REQUIRE(server.Kill().has_value());
  REQUIRE(Eventually([&] { return !client.Connected(); }));
  server.Restart();
  CHECK(server.port() == port);
  REQUIRE(Eventually([&] { return client.Connected(); }));

  const std::vector<StreamMessage> messages = client.ReadStream("HARNESS");
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].sequence == 1);
  CHECK(messages[0].subject == "harness.1.created");
  CHECK(messages[1].subject == "harness.1.paid");
  CHECK(messages[2].Json()["subject"] == "harness.2.created");
  CHECK(client.StreamMessageCount("HARNESS") == 3);
  CHECK(client.StreamLastSequence("HARNESS") == 3);
  CHECK(client.ReadStream("HARNESS", "harness.*.created").size() == 2);
  CHECK(client.ReadStream("HARNESS", "harness.1.>").size() == 2);

  REQUIRE(js_DeleteMsg(client.jetstream(), "HARNESS", 2, nullptr, &error_code) == NATS_OK);
  const std::vector<StreamMessage> after_delete = client.ReadStream("HARNESS");
  REQUIRE(after_delete.size() == 2);
  CHECK(after_delete[0].sequence == 1);
  CHECK(after_delete[1].sequence == 3);

  CHECK_FALSE(client.StreamExists("NO_SUCH_STREAM"));
  CHECK(client.ReadStream("NO_SUCH_STREAM").empty());
  CHECK(client.StreamMessageCount("NO_SUCH_STREAM") == 0);
}

TEST_CASE("terminating a shell script also stops the processes it started", "[harness]") {
  TempDir logs;
  ChildProcess script("sh", {"-c", "sleep 100 & wait"}, {}, logs.path());
  script.Start();
  const pid_t group = script.pid();
  REQUIRE(Eventually([&] { return LivingMembersOfGroup(group) == 2; }));  // sh and sleep

  const ExitStatus status = script.Terminate(5s);

  CHECK_FALSE(status.exited);
  CHECK(status.signal == SIGTERM);  // it went on SIGTERM, not on the SIGKILL fallback
  CHECK(Eventually([&] { return LivingMembersOfGroup(group) == 0; }, 5s));
}

TEST_CASE("signalling a child process reaches every process of its group", "[harness]") {
  TempDir logs;
  ChildProcess script("sh", {"-c", "sleep 100 & sleep 100 & wait"}, {}, logs.path());
  script.Start();
  const pid_t group = script.pid();
  REQUIRE(Eventually([&] { return LivingMembersOfGroup(group) == 3; }));

  script.Signal(SIGTERM);

  REQUIRE(script.WaitForExit(5s).has_value());
  // No sweep happens on a plain signal: the group signal itself stopped them.
  CHECK(Eventually([&] { return LivingMembersOfGroup(group) == 0; }, 5s));
}

TEST_CASE("a child process's output and environment reach its log, and its exit code is kept",
          "[harness]") {
  TempDir logs;
  ChildProcess first("sh", {"-c", "echo hello from $GREETING; echo oops >&2; exit 3"},
                     {{"GREETING", "the harness"}}, logs.path(), "greeter");
  first.Start();

  CHECK(first.WaitForLog("hello from the harness", 5s));
  const std::optional<ExitStatus> status = first.WaitForExit(5s);
  REQUIRE(status.has_value());
  CHECK(status->exited);
  CHECK(status->code == 3);
  CHECK(first.Log() == "hello from the harness\noops\n");
  CHECK_FALSE(first.WaitForLog("never written", 5s));  // returns early: the child has exited

  ChildProcess second("sh", {"-c", "echo second"}, {}, logs.path(), "greeter");
  second.Start();
  CHECK(second.log_path() != first.log_path());
  CHECK(second.WaitForLog("second", 5s));
  CHECK(first.Log().find("second") == std::string::npos);
}

// Sets an environment variable for the life of this object, then restores it.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    if (const char* previous = std::getenv(name)) previous_ = previous;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (previous_) {
      ::setenv(name_, previous_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

// The child stands in for a sanitized service that found a bug: it writes a
// report where scripts/test has every sanitizer write (<tool>.<executable>.
// <pid> in $LOGISTICS_SANITIZER_REPORTS). Reaping it must fail this test, so
// the test is expected to fail ([!shouldfail]); it fails for real if the
// report goes unnoticed.
TEST_CASE("a child process that wrote a sanitizer report fails the test that started it",
          "[harness][!shouldfail]") {
  TempDir reports;
  ScopedEnvironment reports_here("LOGISTICS_SANITIZER_REPORTS", reports.path().string());
  TempDir logs;
  const std::string write_report =
      R"(echo 'WARNING: ThreadSanitizer: data race' > "$LOGISTICS_SANITIZER_REPORTS/tsan.sh.$$")";
  ChildProcess child("sh", {"-c", write_report}, {}, logs.path());
  child.Start();
  const std::optional<ExitStatus> status = child.WaitForExit(5s);  // reaps: FAIL_CHECK here
  REQUIRE(status.has_value());
  CHECK(status->Success());
}

TEST_CASE("a service process is ready once it logs \"service ready\"", "[harness]") {
  TempDir logs;
  ServiceProcess service(
      "sh", {"-c", R"(echo '{"level":"info","message":"fake service ready"}'; exec sleep 100)"}, {},
      logs.path());

  service.Start();

  REQUIRE(service.WaitUntilReady(5s));
  CHECK(service.Running());
  CHECK(service.Terminate(5s).signal == SIGTERM);

  // A second start runs the same command again, with a log of its own.
  const std::filesystem::path first_log = service.log_path();
  service.Start();
  REQUIRE(service.WaitUntilReady(5s));
  CHECK(service.log_path() != first_log);
}

TEST_CASE("Eventually returns false when the condition does not hold before the timeout",
          "[harness]") {
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(Eventually([] { return false; }, 100ms));
  CHECK(std::chrono::steady_clock::now() - start >= 100ms);

  int calls = 0;
  CHECK(Eventually([&] { return ++calls == 3; }, 5s, 1ms));
  CHECK(calls == 3);
}

TEST_CASE("a temporary directory is removed with its owner", "[harness]") {
  std::filesystem::path path;
  {
    TempDir dir("harness-temp");
    path = dir.path();
    std::ofstream(dir / "file.txt") << "content";
    std::filesystem::create_directories(dir / "nested" / "deeper");
    REQUIRE(std::filesystem::exists(dir / "file.txt"));
  }
  const char* keep = std::getenv("LOGISTICS_KEEP_TEMP");
  if (keep != nullptr && std::string(keep) == "1") {
    CHECK(std::filesystem::exists(path));
  } else {
    CHECK_FALSE(std::filesystem::exists(path));
  }
}

}  // namespace
}  // namespace logistics::testing

// TLS between nats-server and the services and tools (issue 17): certificates
// made by scripts/tls-certs in the test's temporary directory, a nats-server
// that requires TLS, and the real binaries told the CA with --nats-tls-ca.
//
// What must hold: a service and logistics-events that trust the server's CA
// work over TLS; a wrong CA, a plain-text client of a TLS server and a TLS
// client of a plain server are each refused at the first connect, with a
// message that says what to change, and exit 1 (never a silent retry); the
// shipped deploy/nats/tls.conf requires TLS and refuses plain-text clients.
//
// The service tests run nats-server with TLS from its flags (`--tls --tlscert
// --tlskey`, what a set-up without users runs), so that they do not depend on
// the users of the shipped configuration; the shipped tls.conf has its own
// test with those users.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "integration/secure_system.hpp"  // RandomPassword
#include "support/harness/child_process.hpp"
#include "support/harness/contract_recorder.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kSourceDir = LOGISTICS_SOURCE_DIR;
const std::string kTlsCertsScript = kSourceDir + "/scripts/tls-certs";
const std::string kTlsConfig = kSourceDir + "/deploy/nats/tls.conf";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

std::filesystem::perms PermissionsOf(const std::filesystem::path& path) {
  return std::filesystem::status(path).permissions() & std::filesystem::perms::all;
}

// What scripts/tls-certs writes into a directory.
struct Certificates {
  std::filesystem::path ca;
  std::filesystem::path ca_key;
  std::filesystem::path server;
  std::filesystem::path server_key;
};

Certificates CertificatesIn(const std::filesystem::path& dir) {
  return {dir / "ca.pem", dir / "ca-key.pem", dir / "server.pem", dir / "server-key.pem"};
}

// Runs scripts/tls-certs `dir` to the end; fails the test, with its output,
// unless it succeeds. Returns its output.
std::string RunTlsCerts(const std::filesystem::path& dir, const std::filesystem::path& log_dir) {
  ChildProcess script(kTlsCertsScript, {dir.string()}, {}, log_dir, "tls-certs");
  script.Start();
  const auto status = script.WaitForExit(60s);
  INFO("--- scripts/tls-certs " << dir.string() << " ---\n" << script.Log());
  REQUIRE(status);
  REQUIRE(status->Success());
  return script.Log();
}

// nats-server requiring TLS with the server certificate of `certificates`,
// configured by its flags (no users).
NatsServerOptions TlsServerOptions(const Certificates& certificates) {
  NatsServerOptions options;
  options.extra_args = {"--tls", "--tlscert", certificates.server.string(), "--tlskey",
                        certificates.server_key.string()};
  return options;
}

// A nats.c connection that trusts `ca`, as the services do with --nats-tls-ca,
// or the reason it could not connect.
struct TlsConnection {
  natsStatus status = NATS_OK;
  std::string error;  // nats.c's text when status is not NATS_OK
  NatsConnectionPtr connection;
};

TlsConnection ConnectTrusting(const std::string& url, const std::filesystem::path& ca,
                              const std::string& user = {}, const std::string& password = {}) {
  natsOptions* raw_options = nullptr;
  REQUIRE(natsOptions_Create(&raw_options) == NATS_OK);
  const NatsOptionsPtr options(raw_options);
  REQUIRE(natsOptions_SetURL(options.get(), url.c_str()) == NATS_OK);
  REQUIRE(natsOptions_SetName(options.get(), "tls-test-client") == NATS_OK);
  REQUIRE(natsOptions_SetTimeout(options.get(), 5000) == NATS_OK);
  if (!ca.empty()) {
    REQUIRE(natsOptions_SetSecure(options.get(), true) == NATS_OK);
    REQUIRE(natsOptions_LoadCATrustedCertificates(options.get(), ca.c_str()) == NATS_OK);
  }
  if (!user.empty()) {
    REQUIRE(natsOptions_SetUserInfo(options.get(), user.c_str(), password.c_str()) == NATS_OK);
  }
  TlsConnection result;
  natsConnection* raw = nullptr;
  result.status = natsConnection_Connect(&raw, options.get());
  result.connection.reset(raw);
  if (result.status != NATS_OK) {
    natsStatus last = NATS_OK;
    const char* text = nats_GetLastError(&last);
    result.error = std::string(natsStatus_GetText(result.status)) + ": " + (text ? text : "");
  }
  return result;
}

// A request over `connection`; the reply's status as the harness reads it
// (200, or the Nats-Service-Error-Code header; 408 on timeout).
Reply RequestOver(natsConnection* connection, const std::string& subject, const std::string& body) {
  natsMsg* raw = nullptr;
  const natsStatus status = natsConnection_Request(&raw, connection, subject.c_str(), body.data(),
                                                   static_cast<int>(body.size()), 5000);
  const NatsMessagePtr message(raw);
  Reply reply;
  if (status == NATS_TIMEOUT) {
    reply.timed_out = true;
    return reply;
  }
  if (status == NATS_NO_RESPONDERS) {
    reply.no_responders = true;
    return reply;
  }
  INFO("request on " << subject << ": " << natsStatus_GetText(status));
  REQUIRE(status == NATS_OK);
  const char* data = natsMsg_GetData(message.get());
  reply.body.assign(data != nullptr ? data : "",
                    static_cast<std::size_t>(natsMsg_GetDataLength(message.get())));
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(message.get(), &keys, &count) == NATS_OK) {
    // nats.c hands over the array (not the strings): free it with free().
    const std::unique_ptr<const char*, decltype(&std::free)> owned_keys(keys, &std::free);
    for (int i = 0; i < count; ++i) {
      const char* value = nullptr;
      natsMsgHeader_Get(message.get(), keys[i], &value);
      reply.headers.emplace(keys[i], value != nullptr ? value : "");
    }
  }
  // The services' replies over TLS are validated against the schemas too.
  RecordReply(subject, reply.headers, reply.body);
  return reply;
}

ServiceProcess Orders(const std::string& url, const TempDir& dir, std::vector<std::string> extra) {
  std::vector<std::string> args = {"--nats-url", url, "--db", (dir / "orders.db").string(),
                                   "--log-level", "debug"};
  args.insert(args.end(), extra.begin(), extra.end());
  return ServiceProcess(LOGISTICS_ORDERS_BIN, std::move(args), {}, dir.path());
}

struct ToolRun {
  ExitStatus status;
  std::string output;  // stdout and stderr together
};

// Runs logistics-events to the end (it must finish within 60 s).
ToolRun RunEventsTool(const std::vector<std::string>& args, const TempDir& dir) {
  ChildProcess tool(LOGISTICS_EVENTS_BIN, args, {}, dir.path(), "logistics-events");
  tool.Start();
  const auto status = tool.WaitForExit(60s);
  REQUIRE(status);
  return ToolRun{*status, tool.Log()};
}

// A refused service: it exits 1 on its own, before it was ever ready, and its
// log says `reason`.
void CheckRefused(ServiceProcess& service, const std::string& reason) {
  service.Start();
  const auto status = service.WaitForExit(30s);
  INFO("--- " << service.log_path().string() << " ---\n" << service.Log());
  REQUIRE(status);
  CHECK(status->exited);
  CHECK(status->code == 1);
  CHECK_THAT(service.Log(), Catch::Contains(reason));
  CHECK_THAT(service.Log(), !Catch::Contains("service ready"));
}

void CheckToolRefused(const ToolRun& run, const std::string& reason) {
  INFO("--- logistics-events ---\n" << run.output);
  CHECK(run.status.exited);
  CHECK(run.status.code == 1);
  CHECK_THAT(run.output, Catch::Contains("logistics-events: " + reason));
}

// ---- scripts/tls-certs ---------------------------------------------------------

TEST_CASE("scripts/tls-certs makes a CA and a server certificate, and keeps them when run again",
          "[tls][scripts]") {
  TempDir dir("tls-certs");
  const std::filesystem::path certs_dir = dir / "certs";
  RunTlsCerts(certs_dir, dir.path());
  const Certificates certs = CertificatesIn(certs_dir);
  for (const auto& file : {certs.ca, certs.ca_key, certs.server, certs.server_key}) {
    INFO(file);
    REQUIRE(std::filesystem::is_regular_file(file));
  }
  using std::filesystem::perms;
  CHECK(PermissionsOf(certs_dir) == perms::owner_all);
  CHECK(PermissionsOf(certs.ca_key) == (perms::owner_read | perms::owner_write));
  CHECK(PermissionsOf(certs.server_key) == (perms::owner_read | perms::owner_write));

  // Run again: every file is still good, so none changes.
  std::map<std::string, std::string> before;
  for (const auto& file : {certs.ca, certs.ca_key, certs.server, certs.server_key}) {
    before[file.string()] = ReadFile(file);
  }
  std::filesystem::permissions(certs.server_key, perms::owner_read | perms::group_read |
                                                     perms::others_read);
  const std::string second = RunTlsCerts(certs_dir, dir.path());
  CHECK_THAT(second, !Catch::Contains("making"));
  for (const auto& [file, content] : before) {
    INFO(file);
    CHECK(ReadFile(file) == content);
  }
  // ... and a key found readable by others is made private again.
  CHECK(PermissionsOf(certs.server_key) == (perms::owner_read | perms::owner_write));

  // A missing server certificate is made anew, by the same CA.
  std::filesystem::remove(certs.server);
  const std::string third = RunTlsCerts(certs_dir, dir.path());
  CHECK_THAT(third, Catch::Contains("making a server certificate"));
  CHECK(ReadFile(certs.ca) == before.at(certs.ca.string()));
  CHECK(ReadFile(certs.server_key) != before.at(certs.server_key.string()));
}

// ---- the services and logistics-events ------------------------------------------

TEST_CASE("services connect over TLS when they trust the server's CA, and a command is answered",
          "[tls]") {
  TempDir dir("tls");
  const Certificates certs = CertificatesIn(dir / "certs");
  RunTlsCerts(dir / "certs", dir.path());
  NatsServer nats(TlsServerOptions(certs));
  nats.Start();
  CHECK_THAT(nats.Log(), Catch::Contains("TLS required for client connections"));

  ServiceProcess orders = Orders(nats.url(), dir, {"--nats-tls-ca", certs.ca.string()});
  orders.Start();
  REQUIRE(orders.WaitUntilReady(30s));

  const TlsConnection client = ConnectTrusting(nats.url(), certs.ca);
  INFO(client.error);
  REQUIRE(client.status == NATS_OK);
  const Reply created = RequestOver(
      client.connection.get(), "orders.cmd.create",
      R"({"tracking_number":"TLS-1","customer_name":"Ana","origin":"Madrid","destination":"Lisbon"})");
  INFO(created.body);
  REQUIRE(created.Status() == 200);
  const std::string order_id = created.Json()["order_id"];
  const Reply found = RequestOver(client.connection.get(), "orders.query.get",
                                  json{{"order_id", order_id}}.dump());
  REQUIRE(found.Status() == 200);
  CHECK(found.Json()["tracking_number"] == "TLS-1");

  // The event went out over TLS too (the relay's connection): the outbox empties.
  CHECK(Eventually([&] {
    const Reply status = RequestOver(client.connection.get(), "orders.query.status", "{}");
    return status.Status() == 200 && status.Json()["outbox"]["unpublished"] == 0 &&
           status.Json()["relay"]["published"] >= 1;
  }, 15s));

  // logistics-events trusts the CA in the same way and reads the event back.
  const std::filesystem::path exported = dir / "orders.jsonl";
  const ToolRun run =
      RunEventsTool({"--nats-url", nats.url(), "--nats-tls-ca", certs.ca.string(), "--quiet",
                     "export", "--stream", "ORDERS", "-o", exported.string()},
                    dir);
  INFO("--- logistics-events ---\n" << run.output);
  CHECK(run.status.Success());
  CHECK_THAT(ReadFile(exported), Catch::Contains(order_id));

  // The service logged no error, and stops cleanly.
  CHECK_THAT(orders.Log(), !Catch::Contains(R"("level":"error")"));
  CHECK(orders.Terminate(20s).Success());
}

TEST_CASE("a service that does not trust the server's certificate exits 1 and says why", "[tls]") {
  TempDir dir("tls-wrong-ca");
  const Certificates certs = CertificatesIn(dir / "certs");
  RunTlsCerts(dir / "certs", dir.path());
  // Another CA, as a client configured for another deployment would have.
  const Certificates other = CertificatesIn(dir / "other-certs");
  RunTlsCerts(dir / "other-certs", dir.path());
  REQUIRE(ReadFile(other.ca) != ReadFile(certs.ca));
  NatsServer nats(TlsServerOptions(certs));
  nats.Start();

  const std::string reason = "the NATS server's TLS certificate is not trusted (certificate verify "
                             "failed) with --nats-tls-ca " + other.ca.string();
  ServiceProcess orders = Orders(nats.url(), dir, {"--nats-tls-ca", other.ca.string()});
  CheckRefused(orders, reason);

  CheckToolRefused(RunEventsTool({"--nats-url", nats.url(), "--nats-tls-ca", other.ca.string(),
                                  "export", "--stream", "ORDERS"},
                                 dir),
                   reason);

  // The server saw the handshakes fail, and served nothing to them.
  CHECK_THAT(nats.Log(), Catch::Contains("TLS handshake error"));
}

TEST_CASE("a plain-text URL against a TLS server exits 1 and says the server requires TLS",
          "[tls]") {
  TempDir dir("tls-plain-client");
  const Certificates certs = CertificatesIn(dir / "certs");
  RunTlsCerts(dir / "certs", dir.path());
  NatsServer nats(TlsServerOptions(certs));
  nats.Start();
  REQUIRE(nats.url().rfind("nats://", 0) == 0);

  const std::string reason = "the NATS server at " + nats.url() +
                             " requires TLS: pass --nats-tls-ca (NATS_TLS_CA) with the CA that "
                             "signed its certificate";
  ServiceProcess orders = Orders(nats.url(), dir, {});
  CheckRefused(orders, reason);

  CheckToolRefused(RunEventsTool({"--nats-url", nats.url(), "export", "--stream", "ORDERS"}, dir),
                   reason);
}

TEST_CASE("a TLS client against a server without TLS exits 1 and says the server offers none",
          "[tls]") {
  TempDir dir("tls-plain-server");
  const Certificates certs = CertificatesIn(dir / "certs");
  RunTlsCerts(dir / "certs", dir.path());
  NatsServer nats;  // no TLS
  nats.Start();

  const std::string reason = "the NATS server at " + nats.url() + " does not offer TLS";
  ServiceProcess orders = Orders(nats.url(), dir, {"--nats-tls-ca", certs.ca.string()});
  CheckRefused(orders, reason);
  CheckToolRefused(RunEventsTool({"--nats-url", nats.url(), "--nats-tls-ca", certs.ca.string(),
                                  "export", "--stream", "ORDERS"},
                                 dir),
                   reason);

  // A tls:// URL asks for TLS just as a CA does (nats.c alone would connect in
  // plain text).
  const std::string tls_url = "tls://127.0.0.1:" + std::to_string(nats.port());
  ServiceProcess by_scheme = Orders(tls_url, dir, {});
  CheckRefused(by_scheme, "the NATS server at " + tls_url + " does not offer TLS");
}

// ---- the shipped configuration: deploy/nats/tls.conf -----------------------------

// Every password variable the shipped configuration reads ($ORDERS_NATS_PASSWORD,
// ...), each with a random password: the users may change, tls.conf must
// work with whichever there are.
std::map<std::string, std::string> PasswordsForShippedConfig() {
  const std::string config = ReadFile(kSecureConfig);
  REQUIRE(!config.empty());
  static const std::regex kVariable(R"(\$([A-Z][A-Z0-9_]*_NATS_PASSWORD))");
  std::map<std::string, std::string> passwords;
  for (auto match = std::sregex_iterator(config.begin(), config.end(), kVariable);
       match != std::sregex_iterator(); ++match) {
    passwords.emplace((*match)[1].str(), RandomPassword());
  }
  REQUIRE(passwords.count("ADMIN_NATS_PASSWORD") == 1);
  return passwords;
}

// What a plain-text client gets from a server that requires TLS: the server's
// INFO line, and whether the server closed the connection (rather than
// answering PING with PONG) after the client spoke plain NATS.
struct PlainTextAttempt {
  std::string info;
  std::string answer;  // what came after CONNECT/PING before the server closed
  bool closed = false;
};

PlainTextAttempt SpeakPlainText(int port, const std::string& user, const std::string& password) {
  PlainTextAttempt attempt;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  // Reads wait at most 10 s: a server that neither answers nor closes fails the test.
  timeval timeout{10, 0};
  REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) == 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  std::string received;
  char buffer[4096];
  while (received.find("\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  attempt.info = received.substr(0, received.find("\r\n"));
  const std::string hello = "CONNECT " +
                            json{{"verbose", false}, {"user", user}, {"pass", password}}.dump() +
                            "\r\nPING\r\n";
  REQUIRE(::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(hello.size()));
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) {
      attempt.closed = true;
      break;
    }
    if (n < 0) break;  // the read timed out: the server kept the connection
    attempt.answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return attempt;
}

TEST_CASE("the shipped tls.conf requires TLS: clients that trust the CA are served, plain text is "
          "refused",
          "[tls][secure]") {
  TempDir dir("tls-conf");
  const Certificates certs = CertificatesIn(dir / "certs");
  RunTlsCerts(dir / "certs", dir.path());
  const std::map<std::string, std::string> passwords = PasswordsForShippedConfig();
  NatsServerOptions options;
  options.extra_args = {"-c", kTlsConfig};
  // Quoted, as the configuration's header asks (values are parsed as configuration values).
  options.env = {{"NATS_TLS_SERVER_CERT", '"' + certs.server.string() + '"'},
                 {"NATS_TLS_SERVER_KEY", '"' + certs.server_key.string() + '"'}};
  for (const auto& [variable, password] : passwords) options.env[variable] = '"' + password + '"';
  NatsServer nats(options);
  nats.Start();
  CHECK_THAT(nats.Log(), Catch::Contains("TLS required for client connections"));
  const std::string& admin_password = passwords.at("ADMIN_NATS_PASSWORD");

  // A client that trusts the CA: served, with the users and permissions of the
  // included configuration (a wrong password is still refused).
  {
    const TlsConnection admin = ConnectTrusting(nats.url(), certs.ca, "admin", admin_password);
    INFO(admin.error);
    REQUIRE(admin.status == NATS_OK);
    const Reply account = RequestOver(admin.connection.get(), "$JS.API.INFO", "");
    INFO(account.body);
    REQUIRE(account.Status() == 200);
    CHECK(account.Json()["type"] == "io.nats.jetstream.api.v1.account_info_response");
    CHECK(ConnectTrusting(nats.url(), certs.ca, "admin", admin_password + "x").status ==
          NATS_CONNECTION_AUTH_FAILED);
  }

  // Plain text, with the right password: the server announces that TLS is
  // required, takes the first plain bytes for a failed handshake and closes
  // the connection without a PONG.
  const PlainTextAttempt plain = SpeakPlainText(nats.port(), "admin", admin_password);
  INFO("INFO: " << plain.info << "\nanswer: " << plain.answer);
  CHECK_THAT(plain.info, Catch::Contains("\"tls_required\":true"));
  CHECK(plain.closed);
  CHECK_THAT(plain.answer, !Catch::Contains("PONG"));
  CHECK(Eventually([&] {
    return nats.Log().find("TLS handshake error: tls: first record does not look like a TLS "
                           "handshake") != std::string::npos;
  }));

  // A client that trusts no CA of ours is refused in the handshake.
  const TlsConnection untrusting = ConnectTrusting(nats.url(), {}, "admin", admin_password);
  CHECK(untrusting.status == NATS_SSL_ERROR);
  CHECK_THAT(untrusting.error, Catch::Contains("unable to get local issuer certificate"));
}

}  // namespace
}  // namespace logistics::testing

// SecureSystem: nats-server with the shipped configuration
// (deploy/nats/nats-server.conf, what `scripts/run --secure` runs), random
// passwords given to it through its environment (quoted, as scripts/run
// --secure does), and the services under their own users, in a temporary
// directory. Shared by the [secure] tests.
//
// As in a secure deployment, the services run with MANAGE_STREAMS=false:
// call Provision() (`logistics-events provision` as admin) before starting
// one, or see it exit 1 because its stream is missing.
#pragma once

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "support/harness/child_process.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/nats_server.hpp"
#include "support/harness/service_process.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {

inline const std::string kSecureConfig = LOGISTICS_NATS_SECURE_CONF;

// The users of the configuration file and the environment variable that
// holds each one's password.
inline const std::map<std::string, std::string> kPasswordVariables = {
    {"orders", "ORDERS_NATS_PASSWORD"},
    {"payments", "PAYMENTS_NATS_PASSWORD"},
    {"notifications", "NOTIFICATIONS_NATS_PASSWORD"},
    {"client", "CLIENT_NATS_PASSWORD"},
    {"reader", "READER_NATS_PASSWORD"},
    {"admin", "ADMIN_NATS_PASSWORD"},
    {"sys", "SYS_NATS_PASSWORD"},
};

// 32 letters and digits, like scripts/run --secure makes.
inline std::string RandomPassword() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device random;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string password;
  for (int i = 0; i < 32; ++i) password += kAlphabet[pick(random)];
  return password;
}

// Sets environment variables for as long as it lives, then restores them.
// nats-server (a child of this test) reads its passwords from the environment.
class ScopedEnvironment {
 public:
  explicit ScopedEnvironment(const std::map<std::string, std::string>& variables) {
    for (const auto& [name, value] : variables) {
      const char* previous = std::getenv(name.c_str());
      previous_.emplace(name, previous != nullptr ? std::optional<std::string>(previous)
                                                  : std::nullopt);
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnvironment() {
    for (const auto& [name, value] : previous_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  std::map<std::string, std::optional<std::string>> previous_;
};

inline std::map<std::string, std::string> RandomPasswords() {
  std::map<std::string, std::string> passwords;
  for (const auto& [user, variable] : kPasswordVariables) passwords[user] = RandomPassword();
  return passwords;
}

// nats-server parses the value of a variable as a configuration value: in
// double quotes it is always a string (unquoted, "12345" would be a number and
// leave the user without a password), as scripts/run --secure passes it.
inline std::map<std::string, std::string> PasswordEnvironment(
    const std::map<std::string, std::string>& passwords) {
  std::map<std::string, std::string> environment;
  for (const auto& [user, variable] : kPasswordVariables) {
    environment[variable] = '"' + passwords.at(user) + '"';
  }
  return environment;
}

inline NatsServerOptions SecureServerOptions() {
  NatsServerOptions options;
  options.extra_args = {"-c", kSecureConfig};
  return options;
}

// nats-server with the shipped configuration, and the services under their
// own users, in a temporary directory.
class SecureSystem {
 public:
  SecureSystem()
      : passwords_(RandomPasswords()),
        environment_(PasswordEnvironment(passwords_)),
        nats_(SecureServerOptions()) {
    nats_.Start();
    std::filesystem::create_directories(dir_.path() / "secrets");
    std::filesystem::permissions(dir_.path() / "secrets", std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace);
    for (const auto& [user, password] : passwords_) {
      const std::filesystem::path file = PasswordFile(user);
      std::ofstream(file) << password << '\n';
      REQUIRE(::chmod(file.c_str(), 0600) == 0);
    }
  }

  // A client of `user` with that user's password, its replies in that
  // user's inbox space ("_INBOX.<user>"), as the configuration requires.
  std::unique_ptr<NatsClient> ClientOf(const std::string& user) {
    return std::make_unique<NatsClient>(nats_.url(), "secure-test-" + user, user,
                                        passwords_.at(user), "_INBOX." + user);
  }

  // Runs `logistics-events provision` as admin (with `args` added) to its end;
  // its exit status and output.
  std::pair<ExitStatus, std::string> Provision(std::vector<std::string> args = {}) {
    std::vector<std::string> command = {"--nats-url", nats_.url(), "--nats-user", "admin",
                                        "--nats-password-file", PasswordFile("admin").string(),
                                        "provision"};
    command.insert(command.end(), args.begin(), args.end());
    ChildProcess tool(LOGISTICS_EVENTS_BIN, command, {}, dir_.path(), "provision");
    tool.Start();
    const auto exit = tool.WaitForExit(std::chrono::seconds(60));
    REQUIRE(exit);
    UNSCOPED_INFO("logistics-events provision: " << exit->ToString() << "\n" << tool.Log());
    return {*exit, tool.Log()};
  }
  NatsClient& admin() {
    if (!admin_) admin_ = ClientOf("admin");
    return *admin_;
  }

  // Starts a service as its own user (NATS_USER, NATS_PASSWORD_FILE), on
  // provisioned streams (MANAGE_STREAMS=false), and waits until it takes
  // requests.
  ServiceProcess& Start(const std::string& service, const std::string& binary,
                        std::map<std::string, std::string> env = {}) {
    ServiceProcess& process = Launch(service, binary, std::move(env));
    REQUIRE(process.WaitUntilReady(std::chrono::seconds(20)));
    return process;
  }
  // Starts it the same way without waiting (for a service expected to exit).
  ServiceProcess& Launch(const std::string& service, const std::string& binary,
                         std::map<std::string, std::string> env = {}) {
    env.emplace("MANAGE_STREAMS", "false");
    env.emplace("NATS_USER", service);
    env.emplace("NATS_PASSWORD_FILE", PasswordFile(service).string());
    env.emplace("RETRY_INITIAL_MS", "100");  // keep redeliveries quick in tests
    env.emplace("RETRY_MAX_MS", "400");
    auto process = std::make_unique<ServiceProcess>(
        binary,
        std::vector<std::string>{"--nats-url", nats_.url(), "--db",
                                 (dir_.path() / (service + ".db")).string(), "--log-level",
                                 "debug"},
        std::move(env), dir_.path());
    process->Start();
    services_.push_back(std::move(process));
    return *services_.back();
  }

  std::filesystem::path PasswordFile(const std::string& user) const {
    return dir_.path() / "secrets" / (user + ".password");
  }
  const std::string& password(const std::string& user) const { return passwords_.at(user); }
  NatsServer& nats() { return nats_; }

  // Every log line of nats-server and the services that mentions `text`.
  std::vector<std::string> LogLinesMentioning(const std::string& text) {
    std::vector<std::string> found;
    auto scan = [&](const std::string& name, const std::string& log) {
      std::size_t begin = 0;
      while (begin < log.size()) {
        const std::size_t end = std::min(log.find('\n', begin), log.size());
        const std::string line = log.substr(begin, end - begin);
        if (line.find(text) != std::string::npos) found.push_back(name + ": " + line);
        begin = end + 1;
      }
    };
    scan("nats-server", nats_.Log());
    for (const auto& service : services_) scan(service->log_path().stem().string(), service->Log());
    return found;
  }

 private:
  TempDir dir_{"secure"};
  std::map<std::string, std::string> passwords_;
  ScopedEnvironment environment_;
  NatsServer nats_;
  std::unique_ptr<NatsClient> admin_;
  std::vector<std::unique_ptr<ServiceProcess>> services_;
};

}  // namespace logistics::testing

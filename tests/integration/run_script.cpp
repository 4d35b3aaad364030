#include "integration/run_script.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <utility>

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;

const std::string kRunScript = std::string(LOGISTICS_SOURCE_DIR) + "/scripts/run";

std::string Label(const std::vector<std::string>& args) {
  std::string label = "scripts/run";
  for (const std::string& arg : args) label += " " + arg;
  return label;
}

std::map<std::string, std::string> WithDirectories(std::map<std::string, std::string> env,
                                                   const std::filesystem::path& data_dir) {
  env["DATA_DIR"] = data_dir.string();
  env["BUILD_DIR"] = LOGISTICS_BUILD_DIR;
  return env;
}

}  // namespace

std::vector<std::string> ProcessesMentioning(const std::string& text) {
  std::vector<std::string> found;
  const std::string self = std::to_string(::getpid());
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid == self || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream file(entry.path() / "cmdline", std::ios::binary);
    std::string command_line((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
    std::replace(command_line.begin(), command_line.end(), '\0', ' ');
    if (command_line.find(text) != std::string::npos) found.push_back(pid + ": " + command_line);
  }
  return found;
}

RunScript::RunScript(std::vector<std::string> args, std::map<std::string, std::string> env,
                     const std::filesystem::path& data_dir, const std::filesystem::path& log_dir,
                     const std::string& log_name)
    : process_(kRunScript, args, WithDirectories(std::move(env), data_dir), log_dir, log_name),
      mentioned_(data_dir),
      label_(Label(args)) {}

RunScript::RunScript(std::string binary, std::vector<std::string> args,
                     std::map<std::string, std::string> env, const std::filesystem::path& log_dir,
                     const std::string& log_name, std::filesystem::path mentioned)
    : process_(std::move(binary), std::move(args), std::move(env), log_dir, log_name),
      mentioned_(std::move(mentioned)),
      label_("scripts/run") {}

RunScript::~RunScript() {
  if (process_.Running()) process_.Terminate(60s);
}

void RunScript::Start() { process_.Start(); }

void RunScript::StartAndWaitUntilReady() {
  process_.Start();
  const bool ready = process_.WaitForLog("ready:", 150s);
  INFO("--- " << label_ << " output ---\n" << process_.Log());
  REQUIRE(ready);
}

void RunScript::StopCleanly() {
  // Only the script is signalled: it must stop what it started.
  REQUIRE(::kill(process_.pid(), SIGTERM) == 0);
  const std::optional<ExitStatus> status = process_.WaitForExit(60s);
  INFO("--- " << label_ << " output after SIGTERM ---\n" << process_.Log());
  REQUIRE(status.has_value());
  CHECK(status->Success());
  CHECK(LeftRunning() == std::vector<std::string>{});
}

}  // namespace logistics::testing

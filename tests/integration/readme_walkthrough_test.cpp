// The README's quick start and replay walkthrough, run as written: every
// command of the blocks marked `<!-- walkthrough: ... -->`, in README order, in
// a scratch directory laid out like the repository (its top-level entries
// linked, `build/` this test's build directory, `var/` empty), so that a README
// change that breaks a step, a command or the output it shows fails here.
//
// What is translated, and only that (README, Tests): the default ports 4222
// and 4223 become free ones (NATS_PORT and NATS_URL name the first, for
// scripts/run and the tools' default server); `<name>` in a command becomes the value of `name`
// in the last `nats req` reply that had it; and the `nats` CLI, which is not
// installed here, is performed with nats.c: `context save`, `req`, `pub` and
// `sub --stream S FILTER --all` (same server, user, inbox prefix, subject,
// body and headers). `scripts/run` and lines ending in `&` run in the
// background; every other line runs through bash and must exit 0.
#include "integration/readme_walkthrough.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "integration/run_script.hpp"
#include "support/harness/child_process.hpp"
#include "support/harness/eventually.hpp"
#include "support/harness/free_port.hpp"
#include "support/harness/loopback_port.hpp"
#include "support/harness/nats_client.hpp"
#include "support/harness/temp_dir.hpp"

namespace logistics::testing {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kSourceDir(LOGISTICS_SOURCE_DIR);

std::string ReadReadme() {
  std::ifstream file(kSourceDir / "README.md");
  REQUIRE(file);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// A command that only reads: repeated until its output shows what the README
// says, because events take a moment to reach their consumers.
bool OnlyReads(const std::vector<std::string>& words) {
  if (words.empty()) return false;
  if (words[0] == "grep" || words[0] == "ls" || words[0] == "cat") return true;
  if (words[0] != "nats") return false;
  const bool subscribes = std::find(words.begin(), words.end(), "sub") != words.end();
  const bool queries = std::any_of(words.begin(), words.end(), [](const std::string& word) {
    return word.find(".query.") != std::string::npos;
  });
  return subscribes || queries;
}

struct Outcome {
  bool ok = false;
  std::string output;
};

// A `nats context save`: what later `nats` commands connect with.
struct NatsContext {
  std::string server;
  std::string user;
  std::string password;
  std::string inbox_prefix;
};

class Walkthrough {
 public:
  Walkthrough()
      : scratch_("readme-walkthrough"),
        logs_("readme-walkthrough-logs"),
        nats_port_(FreePortRun(1)),
        replay_port_(FreePortRun(1, {nats_port_})),
        metrics_port_base_(FreePortRun(3, {nats_port_, replay_port_})) {
    // The repository's layout, so that `scripts/run`, `build/...` and `var/...`
    // mean here what they mean in a checkout.
    for (const auto& entry : std::filesystem::directory_iterator(kSourceDir)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(".") || name.starts_with("build") || name == "var") continue;
      std::filesystem::create_directory_symlink(entry.path(), scratch_ / name);
    }
    std::filesystem::create_directory_symlink(LOGISTICS_BUILD_DIR, scratch_ / "build");
    std::filesystem::create_directory(scratch_ / "var");
    const char* path = std::getenv("PATH");
    // NATS_URL: the tools' default server is 4222 too.
    env_ = {{"NATS_PORT", std::to_string(nats_port_)},
            {"NATS_URL", "nats://127.0.0.1:" + std::to_string(nats_port_)},
            {"METRICS_PORT_BASE", std::to_string(metrics_port_base_)},
            {"PATH", std::string(path ? path : "/usr/bin:/bin") + ":/usr/sbin"}};
  }

  ~Walkthrough() {
    for (auto process = background_.rbegin(); process != background_.rend(); ++process) {
      (*process)->Terminate(20s);
    }
    // run_ (the script, which stops its services) goes after them.
  }
  Walkthrough(const Walkthrough&) = delete;
  Walkthrough& operator=(const Walkthrough&) = delete;

  void Follow(const std::vector<WalkthroughStep>& steps) {
    for (const WalkthroughStep& step : steps) Do(step);
  }

  // Stops scripts/run as Ctrl-C would, and checks that it stopped everything.
  void StopEverything() {
    for (auto process = background_.rbegin(); process != background_.rend(); ++process) {
      (*process)->Terminate(20s);
    }
    REQUIRE(run_);
    run_->StopCleanly();
  }

 private:
  void Do(const WalkthroughStep& step) {
    const std::string command = Translate(step.command);
    INFO("README line " << step.line << ": " << step.command);
    if (command.rfind("scripts/run", 0) == 0) return StartRun(command);
    const std::string trimmed = command.substr(0, command.find_last_not_of(" \t") + 1);
    if (trimmed.ends_with("&") && !trimmed.ends_with("&&")) {
      return StartInBackground(trimmed.substr(0, trimmed.size() - 1), step.line);
    }
    const std::vector<std::string> words = Words(command);
    const bool reads = OnlyReads(words);
    Outcome outcome;
    std::string missing;
    const auto attempt = [&] {
      outcome = Perform(words, command, step.line);
      missing = outcome.ok ? MissingOutput(outcome.output, step.expected) : "(it failed)";
      return missing.empty();
    };
    if (reads) {
      Eventually(attempt, 20s, 200ms);
    } else {
      attempt();
    }
    INFO("output:\n" << outcome.output);
    REQUIRE(outcome.ok);
    INFO("the README shows output this command did not print: " << missing);
    REQUIRE(missing.empty());
  }

  // The default ports become this test's; <name> the value last seen.
  std::string Translate(const std::string& command) const {
    std::string text =
        std::regex_replace(command, std::regex(R"(\b4222\b)"), std::to_string(nats_port_));
    text = std::regex_replace(text, std::regex(R"(\b4223\b)"), std::to_string(replay_port_));
    for (const auto& [name, value] : seen_) {
      const std::string placeholder = "<" + name + ">";
      for (auto at = text.find(placeholder); at != std::string::npos;
           at = text.find(placeholder, at + value.size())) {
        text.replace(at, placeholder.size(), value);
      }
    }
    return text;
  }

  ChildProcess Bash(const std::string& script, const std::string& command, int line) const {
    return ChildProcess("bash", {"-c", script, "bash", scratch_.string(), command}, env_,
                        logs_.path(), "line-" + std::to_string(line));
  }

  // The words bash makes of the command (quotes, $(...), comments).
  std::vector<std::string> Words(const std::string& command) const {
    ChildProcess shell = Bash(R"(cd "$1" && eval "set -- $2" && printf '%s\0' "$@")", command, 0);
    shell.Start();
    const std::optional<ExitStatus> status = shell.WaitForExit(30s);
    REQUIRE(status.has_value());
    REQUIRE(status->Success());
    std::vector<std::string> words;
    std::istringstream log(shell.Log());
    for (std::string word; std::getline(log, word, '\0');) words.push_back(word);
    return words;
  }

  Outcome Perform(const std::vector<std::string>& words, const std::string& command, int line) {
    if (!words.empty() && words[0] == "nats") return Nats(words);
    ChildProcess shell = Bash(R"(cd "$1" && eval "$2")", command, line);
    shell.Start();
    const std::optional<ExitStatus> status = shell.WaitForExit(120s);
    return {status.has_value() && status->Success(), shell.Log()};
  }

  void StartRun(const std::string& command) {
    REQUIRE_FALSE(run_);
    run_ = std::make_unique<RunScript>(
        "bash",
        std::vector<std::string>{"-c", R"(cd "$1" && eval "exec $2")", "bash", scratch_.string(),
                                 command},
        env_, logs_.path(), "scripts-run", scratch_.path());
    run_->StartAndWaitUntilReady();
  }

  void StartInBackground(const std::string& command, int line) {
    const std::vector<std::string> words = Words(command);
    background_.push_back(std::make_unique<ChildProcess>(
        "bash",
        std::vector<std::string>{"-c", R"(cd "$1" && eval "exec $2")", "bash", scratch_.string(),
                                 command},
        env_, logs_.path(), "background-" + std::to_string(line)));
    ChildProcess& process = *background_.back();
    process.Start();
    // A server given its port with -p is waited for, as a reader would.
    const auto port = std::find(words.begin(), words.end(), "-p");
    if (port != words.end() && std::next(port) != words.end()) {
      const int number = std::stoi(*std::next(port));
      const bool listening = Eventually([&] { return PortAccepts(number); }, 20s, 50ms);
      INFO("--- its output ---\n" << process.Log());
      REQUIRE(listening);
    }
  }

  // The nats CLI's commands this walkthrough uses, with nats.c.
  Outcome Nats(const std::vector<std::string>& words) {
    std::optional<std::string> server;
    std::optional<std::string> context_name;
    NatsContext given;
    Headers headers;
    std::string stream;
    bool select = false;
    bool all = false;
    std::vector<std::string> positional;
    for (std::size_t i = 1; i < words.size(); ++i) {
      const std::string& word = words[i];
      const auto value = [&]() -> std::string {
        REQUIRE(i + 1 < words.size());
        return words[++i];
      };
      if (word == "-s" || word == "--server") {
        server = value();
      } else if (word == "--context") {
        context_name = value();
      } else if (word == "--user") {
        given.user = value();
      } else if (word == "--password") {
        given.password = value();
      } else if (word == "--inbox-prefix") {
        given.inbox_prefix = value();
      } else if (word == "-H") {
        const std::string header = value();
        const auto colon = header.find(':');
        REQUIRE(colon != std::string::npos);
        headers[header.substr(0, colon)] = header.substr(colon + 1);
      } else if (word == "--stream") {
        stream = value();
      } else if (word == "--select") {
        select = true;
      } else if (word == "--all") {
        all = true;
      } else {
        INFO("nats option the walkthrough test does not know: " << word);
        REQUIRE(word.rfind("-", 0) != 0);
        positional.push_back(word);
      }
    }
    REQUIRE_FALSE(positional.empty());
    const std::string& verb = positional[0];

    if (verb == "context") {
      REQUIRE(positional.size() == 3);
      REQUIRE(positional[1] == "save");
      REQUIRE(server.has_value());
      given.server = *server;
      contexts_[positional[2]] = given;
      if (select) selected_ = positional[2];
      return {true, "NATS Configuration Context \"" + positional[2] + "\"\n"};
    }

    NatsContext connect{"nats://127.0.0.1:" + std::to_string(nats_port_), "", "", ""};
    const std::optional<std::string> chosen = context_name ? context_name : selected_;
    if (chosen) {
      INFO("no saved nats context " << *chosen);
      REQUIRE(contexts_.count(*chosen) == 1);
      connect = contexts_.at(*chosen);
    }
    if (server) connect.server = *server;
    if (!given.user.empty()) connect.user = given.user;
    if (!given.password.empty()) connect.password = given.password;
    if (!given.inbox_prefix.empty()) connect.inbox_prefix = given.inbox_prefix;
    NatsClient client(connect.server, "readme-walkthrough", connect.user, connect.password,
                      connect.inbox_prefix);

    if (verb == "req" || verb == "request") {
      REQUIRE(positional.size() == 3);
      const Reply reply = client.Request(positional[1], positional[2], headers);
      if (reply.timed_out || reply.no_responders) {
        return {false, reply.timed_out ? "nats: error: timeout" : "nats: error: no responders"};
      }
      std::string output;
      for (const auto& [name, value] : reply.headers) output += name + ": " + value + "\n";
      output += reply.body + "\n";
      Remember(reply.body);
      return {true, output};
    }
    if (verb == "pub") {
      REQUIRE(positional.size() == 3);
      client.Publish(positional[1], positional[2], headers);
      return {true, ""};
    }
    if (verb == "sub") {
      INFO("the walkthrough test performs `nats sub` only as `sub --stream S FILTER --all`");
      REQUIRE(positional.size() == 2);
      REQUIRE(!stream.empty());
      REQUIRE(all);
      std::string output;
      for (const StreamMessage& message : client.ReadStream(stream, positional[1])) {
        output += "[#" + std::to_string(message.sequence) + "] " + message.subject + "\n" +
                  message.data + "\n";
      }
      return {true, output};
    }
    INFO("a nats command the walkthrough test cannot perform: " << verb);
    FAIL("add it to the translator in readme_walkthrough_test.cpp");
    return {};
  }

  // The reply's top-level strings, for the README's <order_id>, <payment_id>.
  void Remember(const std::string& body) {
    const nlohmann::json reply = nlohmann::json::parse(body, nullptr, false);
    if (!reply.is_object()) return;
    for (const auto& [name, value] : reply.items()) {
      if (value.is_string()) seen_[name] = value.get<std::string>();
    }
  }

  TempDir scratch_;
  TempDir logs_;
  int nats_port_;
  int replay_port_;
  int metrics_port_base_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<RunScript> run_;  // destroyed after background_
  std::vector<std::unique_ptr<ChildProcess>> background_;
  std::map<std::string, NatsContext> contexts_;
  std::optional<std::string> selected_;
  std::map<std::string, std::string> seen_;
};

TEST_CASE("the README marks a quick start and a replay walkthrough, each showing its output",
          "[readme][walkthrough]") {
  const std::string readme = ReadReadme();
  for (const std::string name : {"quick-start", "replay"}) {
    const std::vector<WalkthroughStep> steps = ReadWalkthrough(readme, name);
    INFO("walkthrough " << name);
    REQUIRE(steps.size() >= 3);
    CHECK(std::count_if(steps.begin(), steps.end(),
                        [](const WalkthroughStep& step) { return !step.expected.empty(); }) >= 2);
  }
  const std::vector<WalkthroughStep> quick = ReadWalkthrough(readme, "quick-start");
  CHECK(quick.front().command == "scripts/run");
}

TEST_CASE("expected output in the README matches in order, with ... and <placeholders>",
          "[readme][walkthrough]") {
  const std::string output = R"({"order_id":"0193","tracking_number":"TRK-1","status":"PAID"})";
  CHECK(MissingOutput(output, {R"({"order_id":"<order_id>","tracking_number":"TRK-1",...})"}) ==
        "");
  CHECK(MissingOutput(output, {R"(...,"status":"PAID"})"}) == "");
  CHECK(MissingOutput(output, {R"(..."status":"PAID"...,"tracking_number")"}) ==
        R"(,"tracking_number")");
  CHECK(MissingOutput("published 2,\n  duplicates 0", {"published 2, duplicates 0"}) == "");
  CHECK(MissingOutput("published 0, duplicates 2", {"published 2"}) == "published 2");
}

TEST_CASE("the README's quick start and replay walkthrough work as written",
          "[readme][walkthrough][quick-start][replay][scripts]") {
  const std::string readme = ReadReadme();
  Walkthrough walkthrough;
  walkthrough.Follow(ReadWalkthrough(readme, "quick-start"));
  walkthrough.Follow(ReadWalkthrough(readme, "replay"));
  walkthrough.StopEverything();
}

}  // namespace
}  // namespace logistics::testing

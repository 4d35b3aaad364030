// logistics-admin: the operators' command line for what the services keep
// aside: `logistics-admin <resource> <verb> --service <name> ...` sends one
// request to `<service>.admin.<resource>.<verb>` and prints the reply, as a
// table (list), fields (show) or one line (requeue, discard), or as JSON
// with --json. The resources and their columns are admin::AdminResources();
// a new one (parked events) is an entry there, not code here.
//
// Exit codes: 0 done; 1 a runtime failure (NATS, no such service, not found,
// a requeue that failed again); 2 a usage error (bad flag or value, or a
// request the service refused as malformed).

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "logistics/admin/admin_client.hpp"
#include "logistics/admin/admin_resource.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/service/nats_tool_flags.hpp"

namespace {

using namespace logistics;

constexpr const char* kVersion = "0.1.0";
constexpr int kRuntimeFailure = 1;
constexpr int kUsageError = 2;

struct Options {
  service::NatsToolOptions nats;
  bool json = false;
  int timeout_seconds = 30;
  std::string service;
  admin::AdminArguments arguments;
};

// What the command line chose.
struct Chosen {
  const admin::AdminResource* resource = nullptr;
  admin::AdminVerb verb = admin::AdminVerb::kList;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "logistics-admin: %s\n", message.c_str());
  return code;
}

// A service name is one subject token.
bool IsServiceName(const std::string& name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!allowed) return false;
  }
  return true;
}

// Adds `<resource> <verb>` with the flags that verb takes.
CLI::App* AddVerb(CLI::App& resource_cmd, const admin::AdminResource& resource,
                  admin::AdminVerb verb, Options& options) {
  auto* cmd = resource_cmd.add_subcommand(std::string(admin::AdminVerbName(verb)),
                                          resource.verb_help.at(static_cast<std::size_t>(verb)));
  cmd->fallthrough();
  cmd->add_option("--service", options.service, "the service: orders, payments, notifications")
      ->required();
  for (const admin::AdminField& field : resource.fields) {
    if (std::find(field.verbs.begin(), field.verbs.end(), verb) == field.verbs.end()) continue;
    std::string flag = "--" + field.name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    cmd->add_option(flag, options.arguments.fields[field.name], field.help);
  }
  if (verb == admin::AdminVerb::kList) {
    cmd->add_option("--limit", options.arguments.limit, "items per page (1-500; default 50)")
        ->check(CLI::Range(1, 500));
    cmd->add_option("--cursor", options.arguments.cursor, "the next page, as a list printed it");
    return cmd;
  }
  auto* event_id = cmd->add_option("--event-id", options.arguments.event_id, "the event's id");
  if (std::find(resource.event_id_optional.begin(), resource.event_id_optional.end(), verb) ==
      resource.event_id_optional.end()) {
    event_id->required();
  }
  if (verb == admin::AdminVerb::kShow) return cmd;
  auto* reason = cmd->add_option("--reason", options.arguments.reason, "why (recorded and logged)");
  if (verb == admin::AdminVerb::kDiscard) reason->required();
  cmd->add_option("--by", options.arguments.by, "who asks (default: $USER)");
  return cmd;
}

int Run(const Options& options, const Chosen& chosen) {
  auto connection = service::ConnectTool(options.nats, "logistics-admin");
  if (!connection) return Fail(kRuntimeFailure, connection.error());
  admin::AdminClient client(**connection, std::chrono::seconds(options.timeout_seconds));
  const auto body = admin::AdminRequestBody(*chosen.resource, chosen.verb, options.arguments);
  auto reply = client.Call(options.service, *chosen.resource, chosen.verb, body);
  if (!reply) return Fail(kRuntimeFailure, reply.error());
  if (options.json) {
    std::printf("%s\n", reply->text.c_str());
  } else if (reply->status == 200) {
    std::string text;
    switch (chosen.verb) {
      case admin::AdminVerb::kList:
        text = admin::RenderList(*chosen.resource, reply->body);
        break;
      case admin::AdminVerb::kShow:
        text = admin::RenderItem(reply->body);
        break;
      case admin::AdminVerb::kRequeue:
      case admin::AdminVerb::kDiscard:
        text = admin::RenderOutcome(*chosen.resource, chosen.verb, reply->body);
        break;
    }
    std::fputs(text.c_str(), stdout);
  }
  if (reply->status != 200) {
    return Fail(admin::ExitCodeFor(reply->status),
                (reply->code.empty() ? std::to_string(reply->status) : reply->code) + ": " +
                    reply->message);
  }
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"logistics-admin: operate what the services keep aside (dead letters) over NATS; "
               "under the shipped NATS configuration only the admin user may"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // global flags may also follow the subcommands
  Options options;
  service::AddNatsToolFlags(app, options.nats);
  app.add_flag("--json", options.json, "print the service's reply as JSON (for scripts)");
  app.add_option("--timeout", options.timeout_seconds, "seconds to wait for the service's answer")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();

  std::vector<std::pair<CLI::App*, Chosen>> commands;
  for (const admin::AdminResource& resource : admin::AdminResources()) {
    auto* resource_cmd = app.add_subcommand(resource.name, resource.description);
    resource_cmd->require_subcommand(1);
    resource_cmd->fallthrough();
    for (const auto verb : {admin::AdminVerb::kList, admin::AdminVerb::kShow,
                            admin::AdminVerb::kRequeue, admin::AdminVerb::kDiscard}) {
      commands.emplace_back(AddVerb(*resource_cmd, resource, verb, options), Chosen{&resource, verb});
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : kUsageError;
  }
  if (auto problem = service::CheckNatsToolOptions(options.nats)) return Fail(kUsageError, *problem);
  if (!IsServiceName(options.service)) {
    return Fail(kUsageError, "--service " + options.service +
                                 ": expected a service name (orders, payments, notifications)");
  }
  Chosen chosen;
  for (const auto& [command, what] : commands) {
    if (command->parsed()) chosen = what;
  }
  if (chosen.resource == nullptr) return Fail(kUsageError, "name a resource and a verb; see --help");
  const bool acts = chosen.verb == admin::AdminVerb::kRequeue || chosen.verb == admin::AdminVerb::kDiscard;
  if (acts && options.arguments.by.empty()) {
    // Read once at start-up; nothing in this process calls setenv.
    const char* user = std::getenv("USER");  // NOLINT(concurrency-mt-unsafe)
    if (user != nullptr) options.arguments.by = user;
    if (options.arguments.by.empty() && chosen.verb == admin::AdminVerb::kDiscard) {
      return Fail(kUsageError, "--by: who discards (USER is not set)");
    }
  }
  // nats.c reconnection warnings would only repeat what the errors say.
  logging::ConfigureLogging("logistics-admin", logging::Level::kError);
  return Run(options, chosen);
}

}  // namespace

// Every failure the tool foresees is a message and an exit status; this turns
// what it did not foresee (std::bad_alloc, a library's exception) into one too.
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "logistics-admin: unexpected error: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "logistics-admin: unexpected error\n");
  }
  return 1;
}

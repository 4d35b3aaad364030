// logistics-events: export and import the event streams as JSON Lines,
// validate such files against the event schemas, and provision the streams and
// durable consumers (an administrator's step where services may not manage
// them). Composition root: parses the command line, connects to NATS, and
// hands the work to logistics_replay or logistics_service.
//
// Exit codes: 0 done, 1 a runtime failure (no stream, unreadable file, NATS,
// invalid lines), 2 a usage error (bad flag or value).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "logistics/common/time.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/nats/connection.hpp"
#include "logistics/replay/event_exporter.hpp"
#include "logistics/replay/event_file.hpp"
#include "logistics/replay/event_importer.hpp"
#include "logistics/replay/event_validator.hpp"
#include "logistics/replay/output_file.hpp"
#include "logistics/replay/progress_meter.hpp"
#include "logistics/replay/since_spec.hpp"
#include "logistics/service/nats_tool_flags.hpp"
#include "logistics/service/provisioning.hpp"

namespace {

using namespace logistics;

constexpr const char* kVersion = "0.1.0";
constexpr int kRuntimeFailure = 1;
constexpr int kUsageError = 2;

struct Options {
  service::NatsToolOptions nats;
  bool quiet = false;
  // export
  std::string stream;
  std::string subject;
  std::uint64_t from_seq = 0;
  std::string since;
  std::uint64_t to_seq = 0;
  std::string output = "-";
  // import, validate
  std::string file;
  std::string target_stream;
  bool skip_invalid = false;
  bool create_streams = false;
  // provision, import --create-streams
  std::int64_t duplicate_window_seconds = 600;
  std::int64_t stream_max_age_days = 90;
  std::int64_t stream_max_bytes = std::int64_t{10} << 30;
  int stream_replicas = 1;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "logistics-events: %s\n", message.c_str());
  return code;
}

bool ProgressWanted(const Options& options) {
  return !options.quiet && ::isatty(STDERR_FILENO) == 1;
}

// Connects, or says why not (nats_tool_flags.hpp: a server that is not
// there now is a failure here, not a background retry).
common::Result<std::unique_ptr<nats::Connection>, std::string> Connect(const Options& options) {
  return service::ConnectTool(options.nats, "logistics-events");
}

// The streams' settings, as the services take them (provision, and import
// --create-streams).
void AddStreamSettingsFlags(CLI::App& command, Options& options) {
  command
      .add_option("--duplicate-window", options.duplicate_window_seconds,
                  "the streams' de-duplication window in seconds (the services' "
                  "--duplicate-window)")
      ->envname("DUPLICATE_WINDOW_SECONDS")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}))
      ->capture_default_str();
  command
      .add_option("--stream-max-age", options.stream_max_age_days,
                  "days the streams keep an event, 0 for ever (the services' --stream-max-age)")
      ->envname("STREAM_MAX_AGE_DAYS")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{36500}))
      ->capture_default_str();
  command
      .add_option("--stream-max-bytes", options.stream_max_bytes,
                  "bytes the streams keep before the oldest events go, 0 no limit (the services' "
                  "--stream-max-bytes)")
      ->envname("STREAM_MAX_BYTES")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 50))
      ->capture_default_str();
  command
      .add_option("--stream-replicas", options.stream_replicas,
                  "copies of each stream, on as many nodes of a cluster (the services' "
                  "--stream-replicas)")
      ->envname("STREAM_REPLICAS")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
}

int RunValidate(const Options& options) {
  replay::EventValidator validator;
  auto file = replay::EventFile::Read(options.file, validator);
  if (!file) return Fail(kRuntimeFailure, file.error().message);
  for (const auto& problem : file->problems()) std::printf("%s\n", problem.ToString().c_str());
  std::printf("lines %zu, valid %zu, invalid %zu\n", file->lines(), file->records().size(),
              file->invalid_lines());
  return file->invalid_lines() == 0 ? 0 : kRuntimeFailure;
}

service::ProvisionSettings ProvisionSettingsOf(const Options& options) {
  service::ProvisionSettings settings;
  settings.retention.duplicate_window = std::chrono::seconds(options.duplicate_window_seconds);
  settings.retention.max_age = std::chrono::hours(24 * options.stream_max_age_days);
  settings.retention.max_bytes = options.stream_max_bytes;
  settings.replicas = options.stream_replicas;
  return settings;
}

int RunImport(const Options& options) {
  replay::EventValidator validator;
  auto file = replay::EventFile::Read(options.file, validator);
  if (!file) return Fail(kRuntimeFailure, file.error().message);
  for (const auto& problem : file->problems())
    std::fprintf(stderr, "%s\n", problem.ToString().c_str());
  if (file->invalid_lines() > 0 && !options.skip_invalid) {
    std::printf("published 0, already stored 0, duplicates 0, invalid %zu\n",
                file->invalid_lines());
    return Fail(kRuntimeFailure,
                std::to_string(file->invalid_lines()) + " invalid line(s) in " + options.file +
                    "; nothing published (--skip-invalid publishes the valid ones)");
  }
  auto connection = Connect(options);
  if (!connection) return Fail(kRuntimeFailure, connection.error());
  if (options.create_streams) {
    // The streams exactly as the services create them (event_streams.hpp),
    // so that services started on this server afterwards find them as they
    // expect them.
    auto js = nats::JetStream::Create(**connection);
    if (!js) return Fail(kRuntimeFailure, js.error().message);
    auto created = service::ProvisionStreams(**js, ProvisionSettingsOf(options));
    if (!created) return Fail(kRuntimeFailure, created.error());
    if (!options.quiet) {
      for (const std::string& line : *created) std::fprintf(stderr, "%s\n", line.c_str());
    }
  }
  replay::ProgressMeter meter("imported", ProgressWanted(options));
  replay::EventImporter importer(**connection);
  auto imported = importer.Import(file->records(), options.target_stream,
                                  [&](std::uint64_t done) { meter.Update(done); });
  meter.Finish(imported ? imported->published + imported->already_stored + imported->duplicates
                        : 0);
  if (!imported) return Fail(kRuntimeFailure, imported.error().message);
  std::printf("published %llu, already stored %llu, duplicates %llu, invalid %zu\n",
              static_cast<unsigned long long>(imported->published),
              static_cast<unsigned long long>(imported->already_stored),
              static_cast<unsigned long long>(imported->duplicates), file->invalid_lines());
  return 0;
}

int RunExport(const Options& options, std::optional<common::Timestamp> since) {
  auto output = replay::OutputFile::Open(options.output);
  if (!output) return Fail(kRuntimeFailure, output.error().message);
  auto connection = Connect(options);
  if (!connection) return Fail(kRuntimeFailure, connection.error());
  replay::ExportRequest request{options.stream, options.subject, options.from_seq, since,
                                options.to_seq};
  replay::ProgressMeter meter("exported", ProgressWanted(options));
  replay::EventExporter exporter(**connection);
  auto exported = exporter.Export(
      request,
      [&](const replay::EventRecord& record) {
        return (*output)->WriteLine(replay::ToJsonLine(record));
      },
      [&](std::uint64_t count) { meter.Update(count); });
  meter.Finish(exported ? exported->exported : 0);
  if (!exported) return Fail(kRuntimeFailure, exported.error().message);
  if (auto committed = (*output)->Commit(); !committed)
    return Fail(kRuntimeFailure, committed.error().message);
  if (!options.quiet) {
    std::fprintf(stderr, "exported %llu events from %s (sequences %llu..%llu) to %s\n",
                 static_cast<unsigned long long>(exported->exported), options.stream.c_str(),
                 static_cast<unsigned long long>(exported->first_sequence),
                 static_cast<unsigned long long>(exported->last_sequence),
                 options.output == "-" ? "standard output" : options.output.c_str());
  }
  return 0;
}

int RunProvision(const Options& options) {
  auto connection = Connect(options);
  if (!connection) return Fail(kRuntimeFailure, connection.error());
  auto js = nats::JetStream::Create(**connection);
  if (!js) return Fail(kRuntimeFailure, js.error().message);
  auto provisioned = service::Provision(**js, ProvisionSettingsOf(options));
  if (!provisioned) return Fail(kRuntimeFailure, provisioned.error());
  for (const std::string& line : *provisioned) std::printf("%s\n", line.c_str());
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "logistics-events: export the event streams (ORDERS, PAYMENTS) as JSON Lines, "
      "import such files back, validate them against the event schemas, and provision "
      "the streams and durable consumers"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // global flags may also follow the subcommand
  Options options;
  service::AddNatsToolFlags(app, options.nats);  // the services' flags and variables
  app.add_flag("-q,--quiet", options.quiet, "no progress or summary on stderr");

  auto* export_cmd = app.add_subcommand("export", "write a stream's messages as JSON Lines");
  export_cmd->add_option("--stream", options.stream, "stream to read (ORDERS, PAYMENTS)")
      ->required();
  export_cmd->add_option("--subject", options.subject,
                         "only subjects matching this filter (wildcards * and >)");
  auto* from = export_cmd->add_option("--from-seq", options.from_seq, "first stream sequence")
                   ->check(CLI::PositiveNumber);
  auto* since =
      export_cmd->add_option("--since", options.since,
                             "first message stored at or after: RFC 3339, or a duration back "
                             "from now (90s, 15m, 2h, 7d)");
  from->excludes(since);
  export_cmd
      ->add_option("--to-seq", options.to_seq,
                   "last stream sequence (default: the last at the start)")
      ->check(CLI::PositiveNumber);
  export_cmd->add_option("-o,--output", options.output, "output file, - for standard output")
      ->capture_default_str();

  auto* import_cmd =
      app.add_subcommand("import", "validate a JSON Lines file, then publish its events");
  import_cmd->add_option("file", options.file, "JSON Lines file as export writes it (- for stdin)")
      ->required();
  import_cmd->add_option(
      "--stream", options.target_stream,
      "publish to this stream instead of each line's own (must capture the subjects)");
  import_cmd->add_flag("--skip-invalid", options.skip_invalid,
                       "publish the valid lines even if some are invalid");
  import_cmd->add_flag("--create-streams", options.create_streams,
                       "first create (or correct) the streams ORDERS and PAYMENTS as the services "
                       "do, for a fresh server (the stream settings below as the services')");

  auto* validate_cmd =
      app.add_subcommand("validate", "check a JSON Lines file against the event schemas");
  validate_cmd
      ->add_option("file", options.file, "JSON Lines file as export writes it (- for stdin)")
      ->required();

  auto* provision_cmd = app.add_subcommand(
      "provision",
      "create or correct the streams (ORDERS, PAYMENTS) and the services' durable consumers, "
      "as services started with --manage-streams=false expect them (an administrator's step)");
  AddStreamSettingsFlags(*provision_cmd, options);
  AddStreamSettingsFlags(*import_cmd, options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : kUsageError;
  }
  if (auto problem = service::CheckNatsToolOptions(options.nats))
    return Fail(kUsageError, *problem);
  // nats.c reconnection warnings would only repeat what the errors say.
  logging::ConfigureLogging("logistics-events", logging::Level::kError);

  if (*export_cmd) {
    std::optional<common::Timestamp> start;
    if (!options.since.empty()) {
      start =
          replay::ParseSince(options.since, std::chrono::time_point_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now()));
      if (!start) {
        return Fail(kUsageError,
                    "--since " + options.since +
                        ": expected an RFC 3339 time or a duration such as 90s, 15m, 2h, 7d");
      }
    }
    if (options.to_seq != 0 && options.to_seq < options.from_seq) {
      return Fail(kUsageError, "--to-seq must not be below --from-seq");
    }
    return RunExport(options, start);
  }
  if (*import_cmd) return RunImport(options);
  if (*provision_cmd) return RunProvision(options);
  return RunValidate(options);
}

}  // namespace

// Every failure the tool foresees is a message and an exit status; this turns
// what it did not foresee (std::bad_alloc, a library's exception) into one too.
int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "logistics-events: unexpected error: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "logistics-events: unexpected error\n");
  }
  return 1;
}

#include "logistics/messaging/projection_rebuild.hpp"

#include <map>

#include "logistics/logging/log.hpp"
#include "logistics/nats/jet_stream.hpp"
#include "logistics/nats/subject_filter.hpp"

namespace logistics::messaging {
namespace {

using common::Unexpected;

constexpr std::uint64_t kEventsPerTransaction = 1000;

// The stream's first and last sequence now, or an error naming the stream.
common::Result<std::pair<std::uint64_t, std::uint64_t>, std::string> Bounds(nats::JetStream& js,
                                                                           const std::string& stream) {
  auto info = js.GetStreamInfo(stream);
  if (!info) return Unexpected{info.error().message};
  return std::make_pair(info->first_sequence, info->last_sequence);
}

}  // namespace

common::Result<RebuildReport, std::string> RebuildProjections(nats::Connection& connection,
                                                               const std::filesystem::path& database,
                                                               const ProjectionRebuildSpec& spec) {
  const std::filesystem::path scratch_path = database.string() + ".rebuild";
  std::error_code ignored;
  std::filesystem::remove(scratch_path, ignored);
  std::filesystem::remove(scratch_path.string() + "-wal", ignored);
  std::filesystem::remove(scratch_path.string() + "-shm", ignored);
  RebuildReport report;
  {
    auto scratch = sqlite::Database::Open(scratch_path);
    if (!scratch) return Unexpected{"scratch database: " + scratch.error().message};
    for (const auto& [component, migrations] : spec.schema) {
      if (auto migrated = sqlite::ApplyMigrations(*scratch, component, migrations); !migrated) {
        return Unexpected{migrated.error().message};
      }
    }
    auto js = nats::JetStream::Create(connection);
    if (!js) return Unexpected{js.error().message};
    for (const ProjectionSource& source : spec.sources) {
      auto bounds = Bounds(**js, source.stream);
      if (!bounds) return Unexpected{bounds.error()};
      if (auto begun = scratch->BeginImmediate(); !begun) return Unexpected{begun.error().message};
      std::uint64_t in_transaction = 0;
      for (std::uint64_t sequence = std::max<std::uint64_t>(bounds->first, 1);
           bounds->second > 0 && sequence <= bounds->second; ++sequence) {
        auto message = (*js)->GetMessage(source.stream, sequence);
        if (!message && message.error().kind == nats::NatsErrorKind::kNotFound) continue;  // deleted or purged
        if (!message) {
          scratch->Rollback();
          return Unexpected{message.error().message};
        }
        ConsumedEvent event;
        event.subject = std::string(message->subject());
        if (!nats::SubjectMatches(source.subject_filter, event.subject)) continue;
        event.stream_sequence = sequence;
        event.cloud_event = nlohmann::json::parse(message->data(), nullptr, false);
        ++report.events;
        if (!event.cloud_event.is_object() || !event.cloud_event.contains("id") ||
            !event.cloud_event["id"].is_string()) {
          logging::Warn("rebuild skips a message that is not a CloudEvent",
                        {{"stream", source.stream}, {"sequence", static_cast<std::int64_t>(sequence)}});
          continue;
        }
        event.event_id = event.cloud_event["id"].get<std::string>();
        const HandlerResult result = spec.apply(*scratch, event);
        if (result.kind == HandlerResult::Kind::kRetry || result.kind == HandlerResult::Kind::kReject ||
            result.kind == HandlerResult::Kind::kWait) {
          scratch->Rollback();
          return Unexpected{"event " + event.event_id + " (" + source.stream + " #" +
                            std::to_string(sequence) + ") cannot be applied: " + result.error};
        }
        if (result.kind == HandlerResult::Kind::kApplied) ++report.applied;
        if (++in_transaction == kEventsPerTransaction) {
          if (auto done = scratch->Commit(); !done) return Unexpected{done.error().message};
          if (auto begun = scratch->BeginImmediate(); !begun) return Unexpected{begun.error().message};
          in_transaction = 0;
        }
      }
      if (auto done = scratch->Commit(); !done) return Unexpected{done.error().message};
    }
  }

  // The swap: one transaction on the live database.
  auto live = sqlite::Database::Open(database);
  if (!live) return Unexpected{"database: " + live.error().message};
  const std::string attach = "ATTACH DATABASE '" + scratch_path.string() + "' AS rebuild";
  if (auto attached = live->Execute(attach); !attached) return Unexpected{attached.error().message};
  auto swap = [&]() -> common::Result<void, sqlite::SqliteError> {
    if (auto begun = live->BeginImmediate(); !begun) return begun;
    for (const std::string& table : spec.tables) {
      if (auto done = live->Execute("DELETE FROM main." + table); !done) return done;
      if (auto done = live->Execute(std::string("INSERT INTO main.").append(table).append(" SELECT * FROM rebuild.").append(table));
          !done) {
        return done;
      }
    }
    return live->Commit();
  };
  if (auto swapped = swap(); !swapped) {
    live->Rollback();
    (void)live->Execute("DETACH DATABASE rebuild");
    return Unexpected{"swap: " + swapped.error().message};
  }
  (void)live->Execute("DETACH DATABASE rebuild");
  for (const std::string& table : spec.tables) {
    auto count = live->Prepare("SELECT count(*) FROM " + table);
    if (count && *(*count)->Step()) report.rows[table] = (*count)->ColumnInt64(0);
  }
  std::filesystem::remove(scratch_path, ignored);
  std::filesystem::remove(scratch_path.string() + "-wal", ignored);
  std::filesystem::remove(scratch_path.string() + "-shm", ignored);
  return report;
}

}  // namespace logistics::messaging

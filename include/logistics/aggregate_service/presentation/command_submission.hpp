// SubmitCommand: how every service runs a decoded command on its aggregate.
//
// The use case is queued on the writer (messaging::CommandRunner). There, in
// the command's transaction, the service's store is opened on the writer's
// connection with the request's metadata (so its events carry the request's
// correlation and trace context, caused by the request), the use case runs on
// it, and the outcome becomes the reply: the aggregate as JSON (sent after the
// commit) or the failure's ErrorReply (its writes rolled back). A change is
// logged at debug level with the aggregate's id, the verb and the version.
//
// AggregateCommands binds what SubmitCommand needs for one service (the
// runner, the store opener, the clock and the replies), so an endpoint only
// says which use case to run on the ports its store hands out:
//   commands_.Submit(request, [](OrderCommandPorts ports) { return ...; });
//
// Ownership: `open` and `replies` are borrowed until the command has run: keep
// them in the endpoints object (AggregateCommands copies the opener and
// borrows the replies, a constant), which outlives the runtime's writer.
// Thread-safety: call from any thread; the use case runs on the writer thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "logistics/aggregate_service/presentation/request_replies.hpp"
#include "logistics/aggregate_service/presentation/store_openers.hpp"
#include "logistics/common/clock.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/messaging/command_runner.hpp"

namespace logistics::aggregate_service::presentation {

// What a service's replies are made of.
template <typename Snapshot, typename Failure>
struct AggregateReplies {
  std::string_view changed_message;  // "order changed"
  std::string_view id_field;         // "order_id"
  std::string_view (*id_of)(const Snapshot&);
  std::string (*to_json)(const Snapshot&);
  messaging::ErrorReply (*to_error)(const Failure&);
};

template <typename Store, typename Snapshot, typename Failure>
void SubmitCommand(messaging::CommandRunner& commands, const RequestPtr& request,
                   const OpenInTransaction<Store>& open,
                   std::function<common::Result<Snapshot, Failure>(Store&)> use_case,
                   const AggregateReplies<Snapshot, Failure>& replies) {
  commands.Submit(request, [request, &open, &replies, use_case = std::move(use_case)](
                               sqlite::Database& transaction) -> messaging::CommandOutcome {
    const auto store = open(transaction, messaging::CausedByRequest(request->metadata()));
    auto result = use_case(*store);
    if (!result) return common::Unexpected{replies.to_error(result.error())};
    logging::Debug(replies.changed_message,
                   {{replies.id_field, replies.id_of(*result)},
                    {"verb", request->verb()},
                    {"version", result->version},
                    {"correlation_id", request->metadata().correlation_id}});
    return replies.to_json(*result);
  });
}

// Store::CommandPorts(clock) gives the ports a command's use case runs on.
template <typename Store, typename Snapshot, typename Failure>
class AggregateCommands {
 public:
  using Ports = decltype(std::declval<Store&>().CommandPorts(std::declval<const common::Clock&>()));
  using Command = std::function<common::Result<Snapshot, Failure>(Ports)>;

  AggregateCommands(messaging::CommandRunner& runner, OpenInTransaction<Store> open,
                    const common::Clock& clock, const AggregateReplies<Snapshot, Failure>& replies)
      : runner_(runner), open_(std::move(open)), clock_(clock), replies_(replies) {}

  void Submit(const RequestPtr& request, Command command) const {
    SubmitCommand<Store>(
        runner_, request, open_,
        std::function([&clock = clock_, command = std::move(command)](Store& store) {
          return command(store.CommandPorts(clock));
        }),
        replies_);
  }

 private:
  messaging::CommandRunner& runner_;
  const OpenInTransaction<Store> open_;
  const common::Clock& clock_;
  const AggregateReplies<Snapshot, Failure>& replies_;
};

}  // namespace logistics::aggregate_service::presentation

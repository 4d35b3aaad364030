// OrderEndpoints: the orders subjects of SPEC §2, as transport endpoints.
//
//   orders.cmd.create | assign | dispatch | deliver | cancel   (commands)
//   orders.query.get | list                                   (queries)
//
// A command is decoded on the NATS thread (a bad body is answered 400 at
// once), then handed to the writer, which runs its use case inside the batch
// transaction and answers after the commit: the reply is sent only once the
// change and its events are durable. A full or stopping writer answers 503.
// Queries run on a read-only connection, straight from the NATS thread. Both
// reach storage through the application ports OrderStorage opens, never an
// adapter.
//
// Ownership: borrows the command runner, the id generator and the clock, which
// outlive it; owns the storage openers. Thread-safety: handlers run
// concurrently on nats.c threads; everything they share is thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "logistics/aggregate_service/presentation/command_submission.hpp"
#include "logistics/aggregate_service/presentation/store_openers.hpp"
#include "logistics/common/clock.hpp"
#include "logistics/common/id_generator.hpp"
#include "logistics/json/body_reader.hpp"
#include "logistics/messaging/command_runner.hpp"
#include "logistics/messaging/responder.hpp"
#include "logistics/orders/application/order_commands.hpp"
#include "logistics/orders/application/ports/order_store.hpp"

namespace logistics::orders::presentation {

// How the orders handlers reach storage: an OrderStore on the transaction a
// command or payment event runs in, an OrderRepository on a read-only
// connection for queries. main.cpp fills it with the adapters.
using OrderStorage = aggregate_service::presentation::StoreOpeners<application::OrderStore,
                                                                   application::OrderRepository>;

struct OrderEndpointsSettings {
  std::size_t max_body_bytes = json::kDefaultMaxBodyBytes;
};

class OrderEndpoints {
 public:
  OrderEndpoints(messaging::CommandRunner& commands, OrderStorage storage, common::IdGenerator& ids,
                 const common::Clock& clock, OrderEndpointsSettings settings = {});

  // Every endpoint, in the order they are documented.
  std::vector<messaging::Endpoint> Endpoints();

 private:
  void Create(const std::shared_ptr<messaging::IncomingRequest>& request);
  void Assign(const std::shared_ptr<messaging::IncomingRequest>& request);
  void Dispatch(const std::shared_ptr<messaging::IncomingRequest>& request);
  void Deliver(const std::shared_ptr<messaging::IncomingRequest>& request);
  void Cancel(const std::shared_ptr<messaging::IncomingRequest>& request);
  void Get(const std::shared_ptr<messaging::IncomingRequest>& request);
  void List(const std::shared_ptr<messaging::IncomingRequest>& request);

  const OrderStorage storage_;
  const aggregate_service::presentation::AggregateCommands<
      application::OrderStore, domain::OrderSnapshot, application::OrderFailure>
      commands_;
  common::IdGenerator& ids_;
  const OrderEndpointsSettings settings_;
};

}  // namespace logistics::orders::presentation

// StoreOpeners<Store, ReadStore>: how a service's handlers reach its storage
// without naming the technology behind it.
//
// messaging runs a command (CommandRunner) or a consumed event (EventHandler)
// inside a transaction and hands the handler that transaction's connection;
// the handler passes it to `in_transaction`, which returns the service's
// application port (OrderStore, PaymentStore, ...) bound to it. Queries call
// `for_reading`, which opens the read-side port on a read-only connection and
// keeps that connection until the last copy of the pointer is dropped. The
// composition root (src/apps/<service>/main.cpp) fills both with its adapters;
// presentation code sees the ports only.
//
// Ownership: the functions own what they captured (references to the runtime's
// id generator and clock, which outlive them). Thread-safety: in_transaction
// is called on the writer thread, for_reading from any thread.
#pragma once

#include <functional>
#include <memory>

#include "logistics/messaging/command_runner.hpp"
#include "logistics/messaging/event_metadata.hpp"

namespace logistics::aggregate_service::presentation {

// `transaction`: the connection messaging handed the command or event
// handler. Events saved through the store carry `metadata`.
template <typename Store>
using OpenInTransaction = std::function<std::unique_ptr<Store>(sqlite::Database& transaction,
                                                               messaging::EventMetadata metadata)>;

template <typename Store, typename ReadStore>
struct StoreOpeners {
  using InTransaction = OpenInTransaction<Store>;
  InTransaction in_transaction;
  std::function<std::shared_ptr<ReadStore>()> for_reading;
};

}  // namespace logistics::aggregate_service::presentation

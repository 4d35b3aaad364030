// OrderStore: the port through which the use cases of one orders transaction
// reach storage: the repository they read from and the unit of work they save
// through, both bound to that transaction.
//
// A store is opened per command or consumed event, on the transaction the
// transport runs it in, and dropped when the use case returns; whatever the
// unit of work saved commits or rolls back with that transaction. Adapters:
// SqliteOrderStore (infrastructure), InMemoryOrderStore (tests/support). A
// future storage engine implements this port (and passes
// tests/contract/order_store_contract_test.cpp); no presentation code changes.
//
// Ownership: the store owns its repository and unit of work; what they borrow
// (the connection, the id generator) outlives the store.
// Thread-safety: one thread at a time, like the transaction it belongs to.
#pragma once

#include "logistics/common/clock.hpp"
#include "logistics/orders/application/order_commands.hpp"
#include "logistics/orders/application/ports/order_repository.hpp"
#include "logistics/orders/application/ports/order_unit_of_work.hpp"

namespace logistics::orders::application {

class OrderStore {
 public:
  virtual ~OrderStore() = default;

  // The orders as this transaction sees them (including what it saved).
  virtual OrderRepository& orders() = 0;
  // Saves an order's change and its events in this transaction.
  virtual OrderUnitOfWork& unit_of_work() = 0;

  // The ports a command needs, from this store and the given clock.
  OrderCommandPorts CommandPorts(const common::Clock& clock) {
    return OrderCommandPorts{orders(), unit_of_work(), clock};
  }
};

}  // namespace logistics::orders::application

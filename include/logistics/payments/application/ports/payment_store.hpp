// PaymentStore: the port through which the use cases of one payments
// transaction (a command, or a consumed order event) reach storage: the
// payments, the projection of orders, and the unit of work, all bound to that
// transaction, so several saves and a projection record of one use case
// commit or roll back together.
//
// PaymentReadStore is the part queries need, on a read-only connection: the
// payments and the projection as committed. Adapters: SqlitePaymentStore and
// SqlitePaymentReadStore (infrastructure), InMemoryPaymentStore
// (tests/support). A future storage engine implements these ports (and passes
// tests/contract/payment_store_contract_test.cpp); no presentation code changes.
//
// Ownership: a store owns its repository, projection and unit of work; what
// they borrow (connection, id generator, clock) outlives the store.
// Thread-safety: one thread at a time, like the transaction it belongs to.
#pragma once

#include "logistics/common/clock.hpp"
#include "logistics/payments/application/payment_commands.hpp"
#include "logistics/payments/application/ports/order_projection.hpp"
#include "logistics/payments/application/ports/payment_repository.hpp"
#include "logistics/payments/application/ports/payment_unit_of_work.hpp"

namespace logistics::payments::application {

class PaymentReadStore {
 public:
  virtual ~PaymentReadStore() = default;

  virtual PaymentRepository& payments() = 0;
  // The projection of the orders payments has heard of.
  virtual OrderProjection& orders() = 0;
};

class PaymentStore : public PaymentReadStore {
 public:
  // Saves a payment's change and its events in this transaction.
  virtual PaymentUnitOfWork& unit_of_work() = 0;

  // The ports a command needs, from this store and the given clock.
  PaymentCommandPorts CommandPorts(const common::Clock& clock) {
    return PaymentCommandPorts{payments(), unit_of_work(), orders(), clock};
  }
};

}  // namespace logistics::payments::application

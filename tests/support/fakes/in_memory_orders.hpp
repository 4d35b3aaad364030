// In-memory twins of the orders storage ports, for unit tests of the use cases.
//
// InMemoryOrderRepository (OrderRepository) holds the orders, keyed and
// ordered by order_id; InMemoryOrderUnitOfWork (OrderUnitOfWork) writes into
// the same repository, so a use case reads what it saved, as it does against
// SQLite. The unit of work keeps the port's contract: an order is inserted at
// version 1 or updated only from version - 1 (else kConcurrentModification),
// tracking numbers are unique (else kDuplicateTrackingNumber), and a failed
// Save stores nothing. Every event it saved stays in `saved_events`, oldest
// first, for assertions. Both can be told to fail their next call with a
// PortError, to test how callers handle a storage failure. InMemoryOrderStore
// (OrderStore) is the two together, as a transaction sees them.
//
// Ownership: the repository owns the stored orders; the unit of work borrows
// the repository, which must outlive it.
// Thread-safety: none, like the ports: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/orders/application/ports/order_repository.hpp"
#include "logistics/orders/application/ports/order_store.hpp"
#include "logistics/orders/application/ports/order_unit_of_work.hpp"

namespace logistics::testing {

class InMemoryOrderRepository final : public orders::application::OrderRepository {
 public:
  orders::application::OrderResult<std::optional<orders::domain::Order>> FindById(
      std::string_view order_id) override;
  orders::application::OrderResult<std::optional<orders::domain::Order>> FindByTrackingNumber(
      std::string_view tracking_number) override;
  // Newest (largest order_id) first; `status` and `customer_name` filters
  // combine; only ids below `before` when it is set.
  orders::application::OrderResult<orders::application::OrderPage> List(
      const orders::application::OrderListQuery& query) override;

  // Makes the next FindById, FindByTrackingNumber or List fail with a
  // PortError carrying `message`; the call after that succeeds again.
  void FailNextRead(std::string message) { fail_next_read_ = std::move(message); }

  // Stores `order` as it is, with no checks and no events: for setting up an
  // order in a given state. Replaces an order with the same id.
  void Put(orders::domain::OrderSnapshot order);

  // The stored order with this id, for assertions; nullopt when absent.
  std::optional<orders::domain::OrderSnapshot> Stored(std::string_view order_id) const;
  std::size_t size() const { return orders_.size(); }
  // How many reads (Find*, List) were asked for, failed ones included.
  std::size_t reads() const { return reads_; }

 private:
  friend class InMemoryOrderUnitOfWork;

  // Counts the read and, if one was requested, returns its failure.
  std::optional<common::PortError> StartRead();

  std::map<std::string, orders::domain::OrderSnapshot, std::less<>> orders_;
  std::optional<std::string> fail_next_read_;
  std::size_t reads_ = 0;
};

class InMemoryOrderUnitOfWork final : public orders::application::OrderUnitOfWork {
 public:
  explicit InMemoryOrderUnitOfWork(InMemoryOrderRepository& orders) : orders_(orders) {}

  orders::application::OrderResult<void> Save(
      const orders::domain::Order& order,
      const std::vector<orders::domain::OrderEvent>& events) override;

  // Makes the next Save fail with a PortError carrying `message`, storing
  // nothing; the Save after that succeeds again.
  void FailNextSave(std::string message) { fail_next_save_ = std::move(message); }

  // How many times Save was called, failed calls included.
  std::size_t save_calls() const { return save_calls_; }

  // Every event of every successful Save, in the order they were saved.
  std::vector<orders::domain::OrderEvent> saved_events;

 private:
  InMemoryOrderRepository& orders_;
  std::optional<std::string> fail_next_save_;
  std::size_t save_calls_ = 0;
};

// Nothing here rolls back: what a failed use case saved before it failed
// stays saved.
class InMemoryOrderStore final : public orders::application::OrderStore {
 public:
  InMemoryOrderRepository& orders() override { return orders_; }
  InMemoryOrderUnitOfWork& unit_of_work() override { return unit_of_work_; }

 private:
  InMemoryOrderRepository orders_;
  InMemoryOrderUnitOfWork unit_of_work_{orders_};
};

}  // namespace logistics::testing

// In-memory twins of the payments storage ports, for unit tests of the use
// cases.
//
// InMemoryPaymentRepository (PaymentRepository) holds the payments, keyed and
// ordered by payment_id; InMemoryPaymentUnitOfWork (PaymentUnitOfWork) writes
// into the same repository, so a use case reads what it saved, as it does
// against SQLite. The unit of work keeps the port's contract: a payment is
// inserted at version 1 or updated only from version - 1 (else
// kConcurrentModification), and a failed Save stores nothing. Every event it
// saved stays in `saved_events`, oldest first, for assertions.
// InMemoryOrderProjection (OrderProjection) keeps the newest OrderView per
// order and refuses to go back in version. Each can be told to fail its next
// call with a PortError, to test how callers handle a storage failure.
// InMemoryPaymentStore (PaymentStore, so also PaymentReadStore) is the three
// together, as a transaction sees them.
//
// Unlike SQLite, nothing here rolls back: when a use case fails half-way (a
// Save failing during compensation), what it saved before stays saved. Tests
// of such paths assert on that knowingly.
//
// Ownership: the repository owns the stored payments; the unit of work borrows
// the repository, which must outlive it. The projection owns its views.
// Thread-safety: none, like the ports: one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/payments/application/ports/order_projection.hpp"
#include "logistics/payments/application/ports/payment_repository.hpp"
#include "logistics/payments/application/ports/payment_store.hpp"
#include "logistics/payments/application/ports/payment_unit_of_work.hpp"

namespace logistics::testing {

class InMemoryPaymentRepository final : public payments::application::PaymentRepository {
 public:
  payments::application::PaymentResult<std::optional<payments::domain::Payment>> FindById(
      std::string_view payment_id) override;
  // Newest (largest payment_id) first; `order_id` and `status` filters
  // combine; only ids below `before` when it is set.
  payments::application::PaymentResult<payments::application::PaymentPage> List(
      const payments::application::PaymentListQuery& query) override;
  // Oldest (smallest payment_id) first.
  payments::application::PaymentResult<std::vector<payments::domain::Payment>> FindByOrder(
      std::string_view order_id) override;

  // Makes the next FindById, List or FindByOrder fail with a PortError
  // carrying `message`; the call after that succeeds again.
  void FailNextRead(std::string message) { fail_next_read_ = std::move(message); }

  // Stores `payment` as it is, with no checks and no events: for setting up a
  // payment in a given state. Replaces a payment with the same id.
  void Put(payments::domain::PaymentSnapshot payment);

  // The stored payment with this id, for assertions; nullopt when absent.
  std::optional<payments::domain::PaymentSnapshot> Stored(std::string_view payment_id) const;
  std::size_t size() const { return payments_.size(); }
  // How many reads (FindById, List, FindByOrder) were asked for, failed ones
  // included.
  std::size_t reads() const { return reads_; }

 private:
  friend class InMemoryPaymentUnitOfWork;

  // Counts the read and, if one was requested, returns its failure.
  std::optional<common::PortError> StartRead();

  std::map<std::string, payments::domain::PaymentSnapshot, std::less<>> payments_;
  std::optional<std::string> fail_next_read_;
  std::size_t reads_ = 0;
};

class InMemoryPaymentUnitOfWork final : public payments::application::PaymentUnitOfWork {
 public:
  explicit InMemoryPaymentUnitOfWork(InMemoryPaymentRepository& payments) : payments_(payments) {}

  payments::application::PaymentResult<void> Save(
      const payments::domain::Payment& payment,
      const std::vector<payments::domain::PaymentEvent>& events) override;

  // Makes the next Save fail with a PortError carrying `message`, storing
  // nothing; the Save after that succeeds again.
  void FailNextSave(std::string message) { fail_next_save_ = std::move(message); }

  // How many times Save was called, failed calls included.
  std::size_t save_calls() const { return save_calls_; }

  // Every event of every successful Save, in the order they were saved.
  std::vector<payments::domain::PaymentEvent> saved_events;

 private:
  InMemoryPaymentRepository& payments_;
  std::optional<std::string> fail_next_save_;
  std::size_t save_calls_ = 0;
};

class InMemoryOrderProjection final : public payments::application::OrderProjection {
 public:
  payments::application::PaymentResult<std::optional<payments::domain::OrderView>> Find(
      std::string_view order_id) override;
  payments::application::PaymentResult<bool> Record(
      const payments::domain::OrderView& view) override;

  // Makes the next Find or Record fail with a PortError carrying `message`,
  // storing nothing; the call after that succeeds again.
  void FailNextCall(std::string message) { fail_next_call_ = std::move(message); }

  // Stores `view` as it is, whatever the stored version: for setting up.
  void Put(payments::domain::OrderView view);

  // The stored view of this order, for assertions; nullopt when absent.
  std::optional<payments::domain::OrderView> Stored(std::string_view order_id) const;
  std::size_t size() const { return views_.size(); }
  // How many Find calls were made, failed ones included.
  std::size_t find_calls() const { return find_calls_; }
  // How many Record calls stored their view.
  std::size_t applied_records() const { return applied_records_; }
  // How many Record calls were made, failed and ignored ones included.
  std::size_t record_calls() const { return record_calls_; }

 private:
  std::optional<common::PortError> StartCall();

  std::map<std::string, payments::domain::OrderView, std::less<>> views_;
  std::optional<std::string> fail_next_call_;
  std::size_t find_calls_ = 0;
  std::size_t applied_records_ = 0;
  std::size_t record_calls_ = 0;
};

class InMemoryPaymentStore final : public payments::application::PaymentStore {
 public:
  InMemoryPaymentRepository& payments() override { return payments_; }
  InMemoryOrderProjection& orders() override { return orders_; }
  InMemoryPaymentUnitOfWork& unit_of_work() override { return unit_of_work_; }

 private:
  InMemoryPaymentRepository payments_;
  InMemoryOrderProjection orders_;
  InMemoryPaymentUnitOfWork unit_of_work_{payments_};
};

}  // namespace logistics::testing

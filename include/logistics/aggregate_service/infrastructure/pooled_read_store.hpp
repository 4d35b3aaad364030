// OpenOnReadPool: a read-side port adapter on a connection leased from the
// read pool, for StoreOpeners::for_reading.
//
// The adapter borrows the leased connection; the returned pointer shares
// ownership of the lease and the adapter, so the connection goes back to the
// pool when the last copy of the pointer is dropped, never while the adapter
// can still use it. Acquire blocks while every pooled connection is leased.
//
// Usage (src/apps/orders/main.cpp):
//   storage.for_reading = [&pool] {
//     return OpenOnReadPool<OrderRepository, SqliteOrderRepository>(pool);
//   };
//
// Ownership: the pool outlives every pointer. Thread-safety: call from any
// thread; the adapter is then used by one thread at a time.
#pragma once

#include <memory>
#include <utility>

#include "logistics/sqlite/read_pool.hpp"

namespace logistics::aggregate_service::infrastructure {

template <typename Port, typename Adapter, typename... Args>
std::shared_ptr<Port> OpenOnReadPool(sqlite::ReadPool& pool, Args&&... args) {
  struct Leased {
    Leased(sqlite::ReadPool::Lease leased, Args&&... adapter_args)
        : lease(std::move(leased)), adapter(*lease, std::forward<Args>(adapter_args)...) {}
    sqlite::ReadPool::Lease lease;  // declared first: destroyed after the adapter
    Adapter adapter;
  };
  auto leased = std::make_shared<Leased>(pool.Acquire(), std::forward<Args>(args)...);
  return std::shared_ptr<Port>(leased, &leased->adapter);
}

}  // namespace logistics::aggregate_service::infrastructure

// PaymentEndpoints: the payments subjects of SPEC §2, as transport endpoints.
//
//   payments.cmd.register | confirm | fail | refund   (commands)
//   payments.query.get | list                         (queries)
//
// Commands are decoded on the NATS thread (400 at once) and run on the writer
// (answered after the commit). register is first prepared on the NATS thread
// (application/prepare_registration.hpp: an order payments has not seen is
// asked of the orders service; 404 when orders does not know it, 503 when it
// cannot be asked) and the answer travels with the command, so the writer
// never waits on the network. Queries run on a read-only connection. Storage
// is reached through the application ports PaymentStorage opens.
//
// Ownership: borrows the command runner, ids, clock and order directory; owns
// the storage openers. Thread-safety: handlers run concurrently on nats.c
// threads.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "logistics/aggregate_service/presentation/command_submission.hpp"
#include "logistics/aggregate_service/presentation/store_openers.hpp"
#include "logistics/common/clock.hpp"
#include "logistics/common/id_generator.hpp"
#include "logistics/messaging/command_runner.hpp"
#include "logistics/messaging/responder.hpp"
#include "logistics/payments/application/payment_commands.hpp"
#include "logistics/payments/application/ports/order_directory.hpp"
#include "logistics/payments/application/ports/payment_store.hpp"

namespace logistics::payments::presentation {

// How the payments handlers reach storage: a PaymentStore on the transaction
// a command or order event runs in, a PaymentReadStore on a read-only
// connection for queries and the lookup before a registration. main.cpp fills
// it with the adapters.
using PaymentStorage = aggregate_service::presentation::StoreOpeners<application::PaymentStore,
                                                                     application::PaymentReadStore>;

class PaymentEndpoints {
 public:
  PaymentEndpoints(messaging::CommandRunner& commands, PaymentStorage storage,
                   common::IdGenerator& ids, const common::Clock& clock,
                   const application::OrderDirectory& orders, std::size_t max_body_bytes);

  std::vector<messaging::Endpoint> Endpoints();

 private:
  using RequestPtr = std::shared_ptr<messaging::IncomingRequest>;
  void Register(const RequestPtr& request);
  void Confirm(const RequestPtr& request);
  void Fail(const RequestPtr& request);
  void Refund(const RequestPtr& request);
  void Get(const RequestPtr& request);
  void List(const RequestPtr& request);

  const PaymentStorage storage_;
  const aggregate_service::presentation::AggregateCommands<
      application::PaymentStore, domain::PaymentSnapshot, application::PaymentFailure>
      commands_;
  common::IdGenerator& ids_;
  const application::OrderDirectory& orders_;
  const std::size_t max_body_bytes_;
};

}  // namespace logistics::payments::presentation

// The payments queries: read-only use cases over PaymentRepository.
//
// Queries never change state and never go through the writer; they run on a
// read-only connection straight from the transport's thread.
//
// Ownership: queries hold a reference to their repository.
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <string>

#include "logistics/payments/application/ports/payment_repository.hpp"

namespace logistics::payments::application {

class GetPayment {
 public:
  explicit GetPayment(PaymentRepository& payments) : payments_(payments) {}
  // The payment, or kPaymentNotFound, or PortError.
  PaymentResult<domain::PaymentSnapshot> Execute(const std::string& payment_id);

 private:
  PaymentRepository& payments_;
};

class ListPayments {
 public:
  explicit ListPayments(PaymentRepository& payments) : payments_(payments) {}
  // One page of payments, newest first. Precondition: 1 <= query.limit <= 500
  // (the transport validates it). Fails only with PortError.
  PaymentResult<PaymentPage> Execute(const PaymentListQuery& query);

 private:
  PaymentRepository& payments_;
};

}  // namespace logistics::payments::application

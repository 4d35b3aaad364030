// How the orders service reacts to payment events (durable consumer
// "orders-payments" on the stream PAYMENTS).
//
// A `logistics.payment.confirmed.v1` event turns a CREATED or ASSIGNED order
// into PAID, recording `paid` with the payment id, the event's correlation id
// and trace context, and causationid = the payment event's id. For an order in
// any other state (already PAID by another payment, IN_TRANSIT, CANCELLED, ...)
// nothing changes and the reason is logged. Every other payment event is
// ignored. Runs on the writer thread, inside the event's transaction, on the
// OrderStore opened there, so the order's change, its event and the inbox row
// commit together.
//
// Thread-safety: the handler is called on the writer thread only.
#pragma once

#include "logistics/common/clock.hpp"
#include "logistics/messaging/event_consumer.hpp"
#include "logistics/aggregate_service/presentation/store_openers.hpp"
#include "logistics/orders/application/ports/order_store.hpp"

namespace logistics::orders::presentation {

// `clock` must outlive the handler; `open_store` opens the store of the
// event's transaction (main.cpp names the adapter).
messaging::EventHandler PaymentEventsHandler(
    aggregate_service::presentation::OpenInTransaction<application::OrderStore> open_store,
    const common::Clock& clock);

}  // namespace logistics::orders::presentation

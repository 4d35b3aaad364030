// Owning handles for nats.c objects.
//
// Each nats.c object is owned by a unique_ptr whose deleter is the object's
// destroy function, created on the line that receives the raw pointer, so no
// path can leak one. Destroy order matters in nats.c: subscriptions before
// their connection, JetStream contexts before their connection; owners
// declare members in the reverse of that order.
#pragma once

#include <nats/nats.h>

#include <memory>

namespace logistics::nats {

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* handle) const { Destroy(handle); }
};

using OptionsHandle = std::unique_ptr<natsOptions, Deleter<natsOptions, natsOptions_Destroy>>;
using ConnectionHandle =
    std::unique_ptr<natsConnection, Deleter<natsConnection, natsConnection_Destroy>>;
using SubscriptionHandle =
    std::unique_ptr<natsSubscription, Deleter<natsSubscription, natsSubscription_Destroy>>;
using MessageHandle = std::unique_ptr<natsMsg, Deleter<natsMsg, natsMsg_Destroy>>;
using JetStreamHandle = std::unique_ptr<jsCtx, Deleter<jsCtx, jsCtx_Destroy>>;
using StreamInfoHandle =
    std::unique_ptr<jsStreamInfo, Deleter<jsStreamInfo, jsStreamInfo_Destroy>>;

}  // namespace logistics::nats

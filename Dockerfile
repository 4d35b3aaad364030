# One image with the three service binaries (orders, payments, notifications);
# docker-compose.yml picks the binary per service with `command:`.
#
#   docker build -t logistics .
#   docker run --rm logistics orders --help
#
# Build stage: Debian 12's -dev packages, a Release build of the services only
# (no tests). Runtime stage: only the shared libraries they load, a non-root
# user, and /data for the SQLite databases (a volume per service in compose).

FROM debian:bookworm-slim AS build

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential \
      cmake \
      pkg-config \
      libnats-dev \
      libsqlite3-dev \
      libcurl4-openssl-dev \
      nlohmann-json3-dev \
      libcli11-dev \
      prometheus-cpp-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY CMakeLists.txt ./
COPY include ./include
COPY src ./src

RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release -DLOGISTICS_TESTS=OFF \
 && cmake --build /build -j"$(nproc)" --target orders payments notifications \
 && strip /build/orders /build/payments /build/notifications


FROM debian:bookworm-slim AS runtime

# libnats3.4 brings libssl3 and libprotobuf-c1; libcurl4 is notifications' SMTP
# client; libprometheus-cpp-pull1.0 (with civetweb) serves /metrics;
# ca-certificates lets TLS (NATS, SMTPS/STARTTLS) verify servers.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libnats3.4 \
      libsqlite3-0 \
      libcurl4 \
      libprometheus-cpp-pull1.0 \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# A fixed uid/gid, so volume ownership is predictable. /data belongs to it: a
# new named volume mounted there starts with this ownership.
RUN groupadd --system --gid 10001 logistics \
 && useradd --system --uid 10001 --gid logistics --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin logistics \
 && mkdir -p /data \
 && chown logistics:logistics /data

COPY --from=build /build/orders /build/payments /build/notifications /usr/local/bin/

USER logistics:logistics
WORKDIR /data
ENV NATS_URL=nats://nats:4222 \
    LOG_LEVEL=info

# The services stop gracefully on SIGTERM (drain, finish queued commands,
# flush the outbox, bounded by --shutdown-timeout, 10 s by default).
STOPSIGNAL SIGTERM

# No ENTRYPOINT: the command names the service (compose: `command: ["orders"]`).
CMD ["orders", "--help"]

#!/usr/bin/env bash
# tests/integration/compose_test.sh SOURCE_DIR — checks that SOURCE_DIR/docker-compose.yml
# is a valid Compose configuration and defines nats and every service, and that
# docker-compose.tls.yml merges into it validly.
#
# Uses `docker compose` (the v2 plugin) or `docker-compose` (v1), whichever
# works; neither needs a running Docker engine for `config`. Without either it
# says so and exits 77, which ctest reports as skipped (SKIP_RETURN_CODE 77).
set -euo pipefail

readonly SKIPPED=77
readonly EXPECTED_SERVICES=(nats orders payments notifications)

root=${1:?usage: compose_test.sh SOURCE_DIR}
file=$root/docker-compose.yml
if [[ ! -f $file ]]; then
  echo "compose_test: $file does not exist" >&2
  exit 1
fi

compose=()
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1 && docker-compose version >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "compose_test: skipped: neither 'docker compose' nor 'docker-compose' is installed"
  exit "$SKIPPED"
fi
echo "compose_test: using $("${compose[@]}" version 2>/dev/null | head -n 1)"

# Interpolation must not depend on the caller's environment.
unset LOG_LEVEL NATS_PORT SMTP_URL SMTP_STARTTLS SMTP_USER MAIL_FROM MAIL_FROM_NAME TLS_DIR \
  PROMETHEUS_PORT GRAFANA_PORT

cd "$root"
"${compose[@]}" --file "$file" config --quiet
services=$("${compose[@]}" --file "$file" config --services)
status=0
for service in "${EXPECTED_SERVICES[@]}"; do
  if ! grep -qx "$service" <<<"$services"; then
    echo "compose_test: $file defines no service '$service'" >&2
    status=1
  fi
done
# The TLS override (README, Operations, TLS) must merge into a valid configuration too.
tls_file=$root/docker-compose.tls.yml
if [[ -f $tls_file ]] && ! "${compose[@]}" --file "$file" --file "$tls_file" config --quiet; then
  echo "compose_test: $file with $tls_file is not a valid configuration" >&2
  status=1
fi
if ((status == 0)); then
  echo "compose_test: $file is valid and defines ${EXPECTED_SERVICES[*]}"
fi
exit "$status"

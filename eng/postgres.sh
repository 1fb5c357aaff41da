#!/usr/bin/env bash
# Starts and stops the PostgreSQL server the tests use: one server on a free loopback port, run
# by an unprivileged user from a temporary data folder, seeded with an 'orders' database
# (customers and orders).
#
#   eval "$(eng/postgres.sh start)"   prints the export lines the tests read; logs go to stderr
#   eng/postgres.sh stop DIR          stops the server started in DIR (by its process id)
#
# Tests run the server without fsync (its data is thrown away). MCPGW_POSTGRES_DURABLE=1 keeps
# PostgreSQL's durable defaults (fsync, synchronous_commit, full_page_writes), for benchmarks of
# the store (bench/Audit.Load --postgres).
#
# The tests read MCPGW_TEST_POSTGRES, a connection string of the server's superuser (used only to
# set the tests up; the gateway itself connects as least-privilege roles the tests create).
set -Eeuo pipefail

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

ensure_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "installing postgresql"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s' "$port"
      return 0
    fi
  done
  return 1
}

# Runs a command as the user that owns the server: initdb refuses root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

start() {
  local bin dir port password
  bin="$(ensure_postgres)" || { log "PostgreSQL is not installed and could not be installed"; return 1; }
  OWNER="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    OWNER=postgres
    id -u "$OWNER" >/dev/null 2>&1 || { log "no '$OWNER' system user to run PostgreSQL as"; return 1; }
  fi
  dir="$(mktemp -d /tmp/mcpgw-postgres.XXXXXX)"
  chmod 0755 "$dir"
  password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
  printf '%s\n' "$password" >"$dir/pw"
  [ "$(id -u)" -eq 0 ] && chown -R "$OWNER" "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pw" --auth=scram-sha-256 -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
    { log "initdb failed:"; cat "$dir/initdb.log" >&2; return 1; }
  rm -f "$dir/pw"
  port="$(free_port)" || { log "no free port"; return 1; }
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${MCPGW_POSTGRES_DURABLE:-0}" = 1 ] && durability=""
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir $durability -c max_connections=200" \
    start >"$dir/pg_ctl.log" 2>&1 || { log "PostgreSQL did not start:"; cat "$dir/server.log" >&2; return 1; }
  PGPASSWORD="$password" "$bin/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres >"$dir/seed.log" 2>&1 <<'SQL' ||
CREATE DATABASE orders;
\c orders
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  total numeric(12, 2) NOT NULL,
  status text NOT NULL DEFAULT 'open',
  placed_at timestamptz NOT NULL DEFAULT now(),
  details jsonb
);
INSERT INTO customers (name, email, created_at) VALUES
  ('Ada Lovelace', 'ada@example.com', '2026-01-05 09:00:00+00'),
  ('Alan Turing', 'alan@example.com', '2026-02-11 14:30:00+00'),
  ('Grace Hopper', 'grace@example.com', '2026-03-20 08:15:00+00');
INSERT INTO orders (customer_id, total, status, placed_at, details)
SELECT 1 + (i % 3), round((i * 7.35)::numeric, 2), CASE WHEN i % 4 = 0 THEN 'shipped' ELSE 'open' END,
       '2026-04-01 00:00:00+00'::timestamptz + i * interval '1 hour', jsonb_build_object('items', i % 5 + 1)
FROM generate_series(1, 20) AS i;
SQL
    { log "seeding failed:"; cat "$dir/seed.log" >&2; stop "$dir"; return 1; }
  log "PostgreSQL listening on 127.0.0.1:$port (data in $dir)"
  printf 'export MCPGW_TEST_POSTGRES=%q\n' "Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=orders"
  printf 'export MCPGW_TEST_POSTGRES_DIR=%q\n' "$dir"
}

stop() {
  local dir="$1" pid
  [ -f "$dir/data/postmaster.pid" ] || return 0
  pid="$(head -n 1 "$dir/data/postmaster.pid")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?give the folder 'start' printed as MCPGW_TEST_POSTGRES_DIR}" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store/scale tests (never for real data).
#
#   source .ci/postgres.sh        # exports SITREP_TEST_PG_URL in this shell (what .ci/run does)
#   eval "$(.ci/postgres.sh)"     # same from a subshell: stdout is `export SITREP_TEST_PG_URL=...`
#   .ci/postgres.sh stop          # stop the server and delete its directory
#
# - installs Debian's `postgresql` with apt-get when no server binaries are found (needs root);
# - runs initdb as the `postgres` user (as yourself when not root) in $SITREP_PG_DIR
#   (default: $TMPDIR/sitrep-pg), trust authentication, listening on 127.0.0.1 only, on a free port;
# - durability is switched off (fsync=off): fast, and fine for a server whose data is thrown away;
# - creates the database `sitrep_test`; the tests create and drop their own databases next to it.
# Idempotent: a second call reuses the running server and prints the same URL.

_sitrep_pg() {
  local dir="${SITREP_PG_DIR:-${TMPDIR:-/tmp}/sitrep-pg}"
  local db="sitrep_test" bin port as=()
  _log() { echo "postgres.sh: $*" >&2; }

  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      _log "PostgreSQL is not installed and I am not root: apt-get install postgresql"; return 1
    fi
    _log "installing Debian postgresql (apt-get)"
    apt-get update -qq >&2 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2 || return 1
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi

  if [ "$(id -u)" -eq 0 ]; then   # initdb/postgres refuse to run as root
    id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    as=(runuser -u postgres --)
  fi

  if [ "${1:-}" = "stop" ]; then
    [ -d "$dir/data" ] && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >&2 2>&1 || true
    rm -rf "$dir"
    _log "stopped"; return 0
  fi

  mkdir -p "$dir"
  [ ${#as[@]} -gt 0 ] && chown postgres: "$dir"
  if ! "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      rm -rf "$dir/data"
      "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
    fi
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
            || echo $((20000 + RANDOM % 30000)))"
    mkdir -p "$dir/sock" && { [ ${#as[@]} -eq 0 ] || chown postgres: "$dir/sock"; }
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >&2 || { tail -n 20 "$dir/server.log" >&2; return 1; }
    echo "$port" >"$dir/port"
    _log "server started on 127.0.0.1:$port (data in $dir/data)"
  fi
  port="$(cat "$dir/port")"
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
       "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE $db" >&2 || return 1
  fi
  export SITREP_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/$db"
  echo "export SITREP_TEST_PG_URL=$SITREP_TEST_PG_URL"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then   # executed
  set -uo pipefail
  _sitrep_pg "$@"
  exit $?
else                                      # sourced: export into the caller, never exit it
  _sitrep_pg "$@"
fi

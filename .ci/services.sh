#!/usr/bin/env bash
# Make sure what the service tests need is up on loopback before `make test` runs:
# PostgreSQL (127.0.0.1:5432, database "test"), Redis (127.0.0.1:6379) and Debian's chromium.
# Idempotent and quick when everything is already there. It never fails the CI run by
# itself: whatever it could not provide makes the tests that need it fail with a reason.
set -uo pipefail

log() { printf 'services: %s\n' "$*" >&2; }

port_open() {  # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && exec 3>&- 3<&-
}

wait_port() {  # host port seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    port_open "$1" "$2" && return 0
    sleep 0.1
  done
  return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else "$@"; fi
}

# --- PostgreSQL -----------------------------------------------------------------------
if port_open 127.0.0.1 5432; then
  log "PostgreSQL is up"
elif command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || log "PostgreSQL did not start"
  wait_port 127.0.0.1 5432 30 || log "PostgreSQL is not answering on 127.0.0.1:5432"
else
  log "PostgreSQL is not installed; the PostgreSQL tests will say so"
fi
if port_open 127.0.0.1 5432 && command -v psql >/dev/null; then
  if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" 2>/dev/null | grep -q 1; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test' 2>/dev/null \
      && log "created database test" || log "could not create database test (check pg_hba for postgres@127.0.0.1)"
  fi
fi

# --- Redis ----------------------------------------------------------------------------
if port_open 127.0.0.1 6379; then
  log "Redis is up"
elif command -v redis-server >/dev/null; then
  log "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || log "Redis did not start"
  wait_port 127.0.0.1 6379 15 || log "Redis is not answering on 127.0.0.1:6379"
else
  log "Redis is not installed; the Redis tests will say so"
fi

# --- Chromium (Debian's package) -------------------------------------------------------
if [ -x /usr/bin/chromium ]; then
  log "chromium is installed"
elif command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3; do
    log "installing chromium (attempt $attempt)"
    if as_root apt-get update -qq && as_root apt-get install -y -qq chromium >/dev/null; then
      break
    fi
    sleep $((attempt * 5))
  done
  [ -x /usr/bin/chromium ] && log "chromium installed" || log "chromium could not be installed; the browser tests will fail under CI=true"
else
  log "apt-get is not available; the browser tests will fail under CI=true"
fi
exit 0

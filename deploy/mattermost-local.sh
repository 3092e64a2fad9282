#!/usr/bin/env bash
# mattermost-local.sh: a Mattermost server for development and tests.
#
# Builds the Mattermost server pinned in deploy/mattermost/go.mod from the Go
# module proxy (once; the binary is cached), runs a private PostgreSQL
# cluster for it and starts the server on 127.0.0.1 with its own config,
# ports and data, so it never touches a system-wide installation. PostgreSQL
# comes from Debian's postgresql package, installed when missing.
#
#   deploy/mattermost-local.sh start    start (or reuse) the server, print its URL
#   deploy/mattermost-local.sh stop     stop the server and PostgreSQL this script started
#   deploy/mattermost-local.sh status   exit 0 if the server answers
#   deploy/mattermost-local.sh env      print VIGIA_MATTERMOST_URL=... for eval
#   deploy/mattermost-local.sh build    build the server binary (when missing or outdated)
#
# Environment: VIGIA_MM_DIR (default .local/mattermost under the repository),
# VIGIA_PG_DIR (default .local/postgres), VIGIA_MM_PORT (default 18065),
# VIGIA_PG_PORT (default 15432). Go must be on PATH for the first build; it
# reads modules through GOPROXY as configured.
#
# The server allows outgoing requests to 127.0.0.1/localhost, so that the
# buttons of a post can call back to a Vigía running on this machine. Logs:
# $VIGIA_MM_DIR/logs/ and $VIGIA_PG_DIR/log/.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${VIGIA_MM_DIR:-$here/.local/mattermost}
pgdir=${VIGIA_PG_DIR:-$here/.local/postgres}
port=${VIGIA_MM_PORT:-18065}
pgport=${VIGIA_PG_PORT:-15432}
url="http://127.0.0.1:${port}"
module=$here/deploy/mattermost
server_pkg=github.com/mattermost/mattermost/server/v8

log() { echo "mattermost-local: $*" >&2; }

answers() {
  curl -fsS --max-time 2 "${url}/api/v4/system/ping" 2>/dev/null | grep -q '"status":"OK"'
}

# ---------------------------------------------------------------- PostgreSQL

pg_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  # Debian keeps the server binaries out of PATH, one directory per major.
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

install_postgres() {
  log "no PostgreSQL server binaries; installing Debian's postgresql"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  # policy-rc.d or a missing init keeps Debian's own cluster from starting;
  # this script never uses it.
  $sudo apt-get install -y -qq postgresql >&2
}

# as_pg runs a command as the owner of the cluster: PostgreSQL refuses to run
# as root, so root uses the postgres system user the package created.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_running() {
  [ -f "$pgdir/data/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1
}

start_postgres() {
  bindir=$(pg_bindir || true)
  if [ -z "$bindir" ]; then
    install_postgres
    bindir=$(pg_bindir || true)
  fi
  [ -n "$bindir" ] || { log "could not find or install PostgreSQL"; exit 1; }
  mkdir -p "$pgdir/log" "$pgdir/run"
  if [ "$(id -u)" -eq 0 ]; then
    # The postgres user must reach the cluster directory.
    id postgres >/dev/null 2>&1 || { log "running as root needs the postgres system user"; exit 1; }
    chown postgres "$pgdir" "$pgdir/log" "$pgdir/run"
    local p=$pgdir
    while [ "$p" != / ]; do
      p=$(dirname "$p")
      [ -x "$p" ] && runuser -u postgres -- test -x "$p" || chmod o+x "$p"
    done
  fi
  if [ ! -f "$pgdir/data/PG_VERSION" ]; then
    log "initialising a PostgreSQL cluster in $pgdir/data"
    as_pg "$bindir/initdb" -D "$pgdir/data" -U mmuser --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$pgdir/log/initdb.log" 2>&1 || { cat "$pgdir/log/initdb.log" >&2; exit 1; }
  fi
  if ! pg_running; then
    log "starting PostgreSQL on 127.0.0.1:${pgport}"
    as_pg "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/log/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p ${pgport} -k $pgdir/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >&2 9>&- || { tail -n 20 "$pgdir/log/postgres.log" >&2; exit 1; }
  fi
  # postmaster.pid's first line is the server's PID; kept for stop.
  head -n 1 "$pgdir/data/postmaster.pid" >"$pgdir/server.pid"
  if ! psql -h 127.0.0.1 -p "$pgport" -U mmuser -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='mattermost'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$pgport" -U mmuser -d postgres -qc "CREATE DATABASE mattermost" >&2
  fi
}

stop_postgres() {
  bindir=$(pg_bindir || true)
  [ -n "$bindir" ] || return 0
  if [ -f "$pgdir/data/postmaster.pid" ]; then
    as_pg "$bindir/pg_ctl" -D "$pgdir/data" -m fast -w stop >&2 || true
    log "postgresql stopped"
  fi
  rm -f "$pgdir/server.pid"
}

# ---------------------------------------------------------------- build

stamp() { cat "$module/go.mod" "$module/go.sum" | sha256sum | cut -d' ' -f1; }

build() {
  local want
  want=$(stamp)
  if [ -x "$dir/bin/mattermost" ] && [ "$(cat "$dir/bin/.stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  command -v go >/dev/null 2>&1 || { log "go is not on PATH: it is needed to build the server"; exit 1; }
  mkdir -p "$dir/bin" "$dir/logs"
  log "building the Mattermost server (first build takes a few minutes; log in $dir/logs/build.log)"
  local t0=$SECONDS
  # The server's own module is not in the checksum database for every
  # pseudo-version; go.sum pins it here.
  (cd "$module" && GONOSUMDB=${GONOSUMDB:-github.com/mattermost/mattermost} GOFLAGS=-mod=readonly \
    go build -o "$dir/bin/mattermost.new" "$server_pkg/cmd/mattermost") >"$dir/logs/build.log" 2>&1 \
    || { tail -n 30 "$dir/logs/build.log" >&2; log "build failed"; exit 1; }
  mv "$dir/bin/mattermost.new" "$dir/bin/mattermost"
  copy_assets
  echo "$want" >"$dir/bin/.stamp"
  log "built in $((SECONDS - t0))s"
}

# copy_assets copies what the server reads at run time from the module's
# source: translations, e-mail templates and fonts. The web app (client/) is
# not in the module; the API works without it.
copy_assets() {
  local src
  src=$(cd "$module" && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' "$server_pkg")
  [ -d "$src/i18n" ] || (cd "$module" && go mod download "$server_pkg")
  for d in i18n templates fonts; do
    rm -rf "${dir:?}/$d"
    cp -R "$src/$d" "$dir/$d"
    chmod -R u+w "$dir/$d"
  done
  mkdir -p "$dir/client/plugins"
  cat >"$dir/client/root.html" <<'HTML'
<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="script-src 'self'"><title>Mattermost (API only)</title></head><body>This server was built without its web app; use the API.</body></html>
HTML
}

# ---------------------------------------------------------------- server

write_config() {
  mkdir -p "$dir/config" "$dir/data" "$dir/logs" "$dir/plugins"
  cat >"$dir/config/config.json" <<JSON
{
  "ServiceSettings": {
    "SiteURL": "${url}",
    "ListenAddress": "127.0.0.1:${port}",
    "EnableLocalMode": true,
    "LocalModeSocketLocation": "$dir/mattermost.sock",
    "EnableBotAccountCreation": true,
    "EnableUserAccessTokens": true,
    "EnablePostUsernameOverride": true,
    "EnablePostIconOverride": true,
    "EnableIncomingWebhooks": true,
    "AllowedUntrustedInternalConnections": "127.0.0.1 localhost ::1",
    "OutgoingIntegrationRequestsTimeout": 10,
    "EnableSecurityFixAlert": false,
    "EnableDeveloper": false,
    "EnableTesting": false,
    "SessionLengthWebInHours": 720
  },
  "TeamSettings": {
    "EnableOpenServer": true,
    "EnableUserCreation": true,
    "MaxUsersPerTeam": 10000,
    "MaxChannelsPerTeam": 100000
  },
  "SqlSettings": {
    "DriverName": "postgres",
    "DataSource": "postgres://mmuser@127.0.0.1:${pgport}/mattermost?sslmode=disable&connect_timeout=10",
    "MaxOpenConns": 50
  },
  "FileSettings": { "DriverName": "local", "Directory": "$dir/data/" },
  "PluginSettings": {
    "Enable": false,
    "EnableUploads": false,
    "AutomaticPrepackagedPlugins": false,
    "Directory": "$dir/plugins",
    "ClientDirectory": "$dir/client/plugins"
  },
  "LogSettings": {
    "EnableConsole": false,
    "EnableFile": true,
    "FileLevel": "INFO",
    "FileLocation": "$dir/logs/",
    "EnableDiagnostics": false
  },
  "NotificationLogSettings": { "EnableConsole": false, "EnableFile": false },
  "EmailSettings": { "SendEmailNotifications": false, "RequireEmailVerification": false, "EnableSignUpWithEmail": true },
  "RateLimitSettings": { "Enable": false },
  "AnnouncementSettings": { "AdminNoticesEnabled": false, "UserNoticesEnabled": false },
  "MetricsSettings": { "Enable": false },
  "ElasticsearchSettings": { "EnableIndexing": false },
  "BleveSettings": { "EnableIndexing": false },
  "LdapSettings": { "Enable": false },
  "ExperimentalSettings": { "EnableSharedChannels": false }
}
JSON
}

running_pid() {
  local pid
  [ -f "$dir/server.pid" ] || return 1
  pid=$(cat "$dir/server.pid")
  grep -q mattermost "/proc/$pid/cmdline" 2>/dev/null && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  if answers; then
    log "already running on $url"
    echo "$url"
    return 0
  fi
  local t0=$SECONDS
  start_postgres
  build
  [ -f "$dir/client/root.html" ] || copy_assets
  if pid=$(running_pid); then
    log "server $pid is starting; waiting"
  else
    write_config
    log "starting the server on $url (data in $dir)"
    # Telemetry and Mattermost's own outgoing calls are off: there is no
    # network here anyway, and they slow the start.
    # The server looks for i18n/, templates/, fonts/ and client/ in its
    # working directory. The PID recorded is the server's own.
    (
      cd "$dir"
      MM_LOGSETTINGS_ENABLEDIAGNOSTICS=false MM_SERVICESETTINGS_ENABLESECURITYFIXALERT=false \
        nohup "$dir/bin/mattermost" server --config "$dir/config/config.json" >"$dir/logs/stdout.log" 2>&1 9>&- &
      echo $! >"$dir/server.pid"
    )
  fi
  for _ in $(seq 1 360); do
    if answers; then
      log "ready on $url after $((SECONDS - t0))s"
      echo "$url"
      return 0
    fi
    if ! running_pid >/dev/null; then
      log "server exited; last log lines:"
      tail -n 20 "$dir/logs/stdout.log" "$dir/logs/mattermost.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.5
  done
  log "server did not answer within 180s; last log lines:"
  tail -n 20 "$dir/logs/stdout.log" "$dir/logs/mattermost.log" >&2 2>/dev/null || true
  exit 1
}

stop() {
  local pid
  if pid=$(running_pid); then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    log "server stopped"
  fi
  rm -f "$dir/server.pid"
  stop_postgres
}

# lock serialises start and stop: test binaries of several packages may run
# the script at once, and only one of them may initialise and start.
lock() {
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  # The servers started below must not inherit fd 9 (see 9>&-), or they
  # would hold the lock for as long as they run.
  flock -w 900 9 || { log "timed out waiting for another mattermost-local.sh"; exit 1; }
}

case "${1:-start}" in
  start) lock; start ;;
  stop) lock; stop ;;
  status) answers ;;
  env) lock; echo "VIGIA_MATTERMOST_URL=$(start)" ;;
  build) lock; build ;;
  *) echo "usage: $0 start|stop|status|env|build" >&2; exit 2 ;;
esac

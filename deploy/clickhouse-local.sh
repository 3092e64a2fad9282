#!/usr/bin/env bash
# clickhouse-local.sh: a ClickHouse server for development and tests.
#
# Starts a server on 127.0.0.1 with its own config, ports and data directory,
# so it never touches a system-wide installation. It uses a `clickhouse` or
# `clickhouse-server` binary on PATH, and otherwise installs Debian's
# clickhouse-server package.
#
#   deploy/clickhouse-local.sh start    start (or reuse) the server, print its address
#   deploy/clickhouse-local.sh stop     stop the server this script started
#   deploy/clickhouse-local.sh status   exit 0 if it answers
#   deploy/clickhouse-local.sh env      print VIGIA_CLICKHOUSE_ADDR=... for eval
#
# Environment: VIGIA_CH_DIR (default .local/clickhouse under the repository),
# VIGIA_CH_TCP_PORT (default 19000), VIGIA_CH_HTTP_PORT (default 18123).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${VIGIA_CH_DIR:-$here/.local/clickhouse}
tcp_port=${VIGIA_CH_TCP_PORT:-19000}
http_port=${VIGIA_CH_HTTP_PORT:-18123}
addr="127.0.0.1:${tcp_port}"

log() { echo "clickhouse-local: $*" >&2; }

find_server() {
  if command -v clickhouse >/dev/null 2>&1; then
    echo "$(command -v clickhouse) server"
  elif command -v clickhouse-server >/dev/null 2>&1; then
    command -v clickhouse-server
  elif [ -x /usr/sbin/clickhouse-server ]; then
    echo /usr/sbin/clickhouse-server
  fi
}

install_server() {
  log "no clickhouse binary on PATH; installing Debian's clickhouse-server"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq clickhouse-server clickhouse-client >&2
}

answers() {
  # The HTTP interface answers "Ok." on /ping on every release.
  if command -v curl >/dev/null 2>&1; then
    curl -fsS "http://127.0.0.1:${http_port}/ping" >/dev/null 2>&1
  else
    (exec 3<>"/dev/tcp/127.0.0.1/${http_port}" && printf 'GET /ping HTTP/1.0\r\n\r\n' >&3 && grep -q Ok <&3) 2>/dev/null
  fi
}

write_config() {
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$dir/log/server.log</log>
    <errorlog>$dir/log/server.err.log</errorlog>
    <size>100M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>${tcp_port}</tcp_port>
  <http_port>${http_port}</http_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
</yandex>
XML
  cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
XML
}

start() {
  if answers; then
    log "already running on $addr"
    echo "$addr"
    return 0
  fi
  local server
  server=$(find_server)
  if [ -z "$server" ]; then
    install_server
    server=$(find_server)
  fi
  [ -n "$server" ] || { log "could not find or install a clickhouse server binary"; exit 1; }
  write_config
  log "starting $server on $addr (data in $dir)"
  # shellcheck disable=SC2086
  # The script records the PID itself: old servers write --pid-file only
  # when they daemonize.
  nohup $server --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 &
  echo $! >"$dir/server.pid"
  for _ in $(seq 1 120); do
    if answers; then
      log "ready on $addr"
      echo "$addr"
      return 0
    fi
    sleep 0.5
  done
  log "server did not answer within 60s; last log lines:"
  tail -n 20 "$dir/log/server.err.log" "$dir/log/stdout.log" >&2 2>/dev/null || true
  exit 1
}

stop() {
  if [ -f "$dir/server.pid" ]; then
    local pid
    pid=$(cat "$dir/server.pid")
    # Only stop what this script started: the PID must still be a clickhouse.
    if ! grep -q clickhouse "/proc/$pid/cmdline" 2>/dev/null; then
      rm -f "$dir/server.pid"
      log "stale pid file removed"
      return 0
    fi
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/server.pid"
    log "stopped"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  env) echo "VIGIA_CLICKHOUSE_ADDR=$(start)" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac

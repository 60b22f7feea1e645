#!/usr/bin/env bash
# Runs Acta as a cluster on one machine: N nodes (`node --max-semi-space-size=64 --import tsx
# src/main.ts`) on the machine's Postgres and a Kafka broker run by scripts/kafka.sh, behind an nginx
# of its own that hashes each account id to one node (deploy/nginx/acta.conf.template). No membership
# protocol: Postgres decides every command, Kafka's consumer group shares the projection partitions,
# nginx spreads traffic.
# Every piece of state (pids, logs, nginx config and logs, the broker) lives in the project-local
# .cluster/ folder.
#
# The cluster gets a broker of its own (.cluster/kafka, port 19192), not the test suite's on 19092:
# topic and consumer-group names are fixed (acta.account, acta-account-projector), so a test run's
# in-process runtime on the same broker would join the cluster's consumer group, take partitions
# from its nodes and project their events into the test's database (and the cluster's into the
# cluster's read models would go missing). Set CLUSTER_KAFKA_BROKERS to use a broker you choose.
#
#   bash scripts/cluster.sh start [N]    # N nodes (default 3, 1..9); idempotent; prints the URL on stdout
#   bash scripts/cluster.sh status       # each node (pid, /readyz) and nginx; exit 0 when all answer
#   bash scripts/cluster.sh stop [--all] # stop nginx, SIGTERM each recorded node (SIGKILL after the
#                                        # bound); --all stops the cluster's Kafka broker too
#
# Environment: CLUSTER_DATABASE_URL (postgres://postgres@127.0.0.1:5432/acta_cluster; created when
# missing), CLUSTER_KAFKA_BROKERS (unset: the cluster's own broker through scripts/kafka.sh, on
# CLUSTER_KAFKA_PORT 19192 and CLUSTER_KAFKA_CONTROLLER_PORT 19193), CLUSTER_NODE_PORT_BASE (3101:
# node i listens on base+i-1), CLUSTER_PORT (3100, nginx), CLUSTER_ROUTING (hash | round-robin),
# CLUSTER_STATE_DIR (.cluster), CLUSTER_START_TIMEOUT_S (120), CLUSTER_STOP_TIMEOUT_S (30).
# Every other variable (LOG_LEVEL, ADMIN_TOKEN, ...) passes through to the nodes.
# Each node gets NODE_ID=node-<i>, ACTA_CLUSTER=true, HOST=127.0.0.1 and its PORT.
# Progress goes to stderr; stdout carries only the URL (start) so `url="$(bash scripts/cluster.sh start)"` works.
set -euo pipefail

# The project root is the script's parent folder, so the script works from any working directory.
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly PROJECT_ROOT
readonly STATE_DIR="${CLUSTER_STATE_DIR:-$PROJECT_ROOT/.cluster}"
readonly NGINX_DIR="$STATE_DIR/nginx"
readonly NGINX_CONF="$NGINX_DIR/nginx.conf"
readonly NGINX_SITE="$NGINX_DIR/acta.conf"
readonly NGINX_PID_FILE="$NGINX_DIR/nginx.pid"
readonly NGINX_ERROR_LOG="$NGINX_DIR/error.log"
readonly NGINX_ACCESS_LOG="$NGINX_DIR/access.log"
readonly NGINX_TEMPLATE="$PROJECT_ROOT/deploy/nginx/acta.conf.template"
readonly NODES_FILE="$STATE_DIR/nodes"
readonly KAFKA_DIR="$STATE_DIR/kafka"
readonly KAFKA_PORT_OWN="${CLUSTER_KAFKA_PORT:-19192}"
readonly KAFKA_CONTROLLER_PORT_OWN="${CLUSTER_KAFKA_CONTROLLER_PORT:-19193}"
readonly LOCK_FILE="$STATE_DIR/.lock"

readonly HOST=127.0.0.1
readonly DATABASE_URL_DEFAULT="postgres://postgres@127.0.0.1:5432/acta_cluster"
readonly CLUSTER_DB_URL="${CLUSTER_DATABASE_URL:-$DATABASE_URL_DEFAULT}"
readonly PORT_BASE="${CLUSTER_NODE_PORT_BASE:-3101}"
readonly LB_PORT="${CLUSTER_PORT:-3100}"
readonly ROUTING="${CLUSTER_ROUTING:-hash}"
readonly START_TIMEOUT_S="${CLUSTER_START_TIMEOUT_S:-120}"
# Acta bounds its own drain at 20 s (limits.shutdownTotalMs); give it that and a little more.
readonly STOP_TIMEOUT_S="${CLUSTER_STOP_TIMEOUT_S:-30}"
readonly NODES_DEFAULT=3
readonly NODES_MAX=9
# Bounds of the small waits inside the loops below.
readonly PROBE_TIMEOUT_S=2
readonly POLL_INTERVAL_S=0.5
readonly LOCK_TIMEOUT_S=180
readonly LOG_TAIL_LINES=30
readonly START_MARKER='===== start'

log() { printf 'cluster.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_positive_int() { # name value
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got '$2'"
}

validate_env() {
  require_positive_int CLUSTER_NODE_PORT_BASE "$PORT_BASE"
  require_positive_int CLUSTER_PORT "$LB_PORT"
  require_positive_int CLUSTER_START_TIMEOUT_S "$START_TIMEOUT_S"
  require_positive_int CLUSTER_STOP_TIMEOUT_S "$STOP_TIMEOUT_S"
  require_positive_int CLUSTER_KAFKA_PORT "$KAFKA_PORT_OWN"
  require_positive_int CLUSTER_KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT_OWN"
  (( PORT_BASE + NODES_MAX - 1 <= 65535 && LB_PORT <= 65535 )) || die "ports must be at most 65535"
  (( LB_PORT < PORT_BASE || LB_PORT > PORT_BASE + NODES_MAX - 1 )) || die "CLUSTER_PORT $LB_PORT falls among the node ports $PORT_BASE..$((PORT_BASE + NODES_MAX - 1))"
  [[ "$ROUTING" == hash || "$ROUTING" == round-robin ]] || die "CLUSTER_ROUTING is hash or round-robin, got '$ROUTING'"
  [[ "$CLUSTER_DB_URL" =~ ^postgres(ql)?:// ]] || die "CLUSTER_DATABASE_URL must be a postgres:// URL"
}

node_port() { echo $((PORT_BASE + $1 - 1)); }
node_pid_file() { echo "$STATE_DIR/node-$1.pid"; }
node_log_file() { echo "$STATE_DIR/node-$1.log"; }

# The pid in node i's pid file, if that process is alive and is the Acta node this script started
# there (a recycled pid that now belongs to something else does not count).
node_running_pid() { # i
  local file pid
  file="$(node_pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "src/main.ts" || return 1
  [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$PROJECT_ROOT" ]] || return 1
  printf '%s\n' "$pid"
}

nginx_running_pid() {
  [[ -f "$NGINX_PID_FILE" ]] || return 1
  local pid
  pid="$(<"$NGINX_PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$NGINX_CONF" || return 1
  printf '%s\n' "$pid"
}

port_answers() { # port
  timeout "$PROBE_TIMEOUT_S" bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

# The status code and body of GET /readyz on a port ("000" when nothing answered).
readyz() { # port
  curl -sS -m "$PROBE_TIMEOUT_S" -o - -w ' %{http_code}' "http://$HOST:$1/readyz" 2>/dev/null || true
}

ready_on() { # port
  [[ "$(readyz "$1")" == *' 200' ]]
}

# The node count recorded by the last start (status and stop look at the pid files too).
recorded_nodes() {
  local n=0
  [[ -f "$NODES_FILE" ]] && n="$(<"$NODES_FILE")"
  [[ "$n" =~ ^[0-9]+$ ]] || n=0
  local i
  for i in $(seq 1 "$NODES_MAX"); do
    [[ -f "$(node_pid_file "$i")" ]] && (( i > n )) && n=$i
  done
  echo "$n"
}

tail_node_log() { # i
  local file
  file="$(node_log_file "$1")"
  [[ -f "$file" ]] || return 0
  log "last lines of $file since the latest start:"
  awk -v marker="$START_MARKER" 'index($0, marker) == 1 { n = 0 } { lines[n++] = $0 } END { for (i = 0; i < n; i++) print lines[i] }' "$file" \
    | tail -n "$LOG_TAIL_LINES" >&2
}

# --- Postgres -----------------------------------------------------------------------------------

# Creates the cluster's database when it is missing, through node + pg (a project dependency), so
# the URL is parsed by the same library the nodes use. Exit 3 when the server does not answer.
ensure_database() {
  (node - "$CLUSTER_DB_URL" <<'EOF'
const { Client } = require('pg');
const target = new URL(process.argv[2]);
const name = decodeURIComponent(target.pathname.slice(1));
if (!name) { console.error('CLUSTER_DATABASE_URL names no database'); process.exit(2); }
const admin = new URL(target.href);
admin.pathname = '/postgres';
(async () => {
  const client = new Client({ connectionString: admin.href, connectionTimeoutMillis: 3000, statement_timeout: 10000 });
  try { await client.connect(); } catch (error) { console.error(`Postgres did not answer: ${error.message}`); process.exit(3); }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
        console.error(`created database ${name}`);
      } catch (error) {
        if (error.code !== '42P04') throw error; // created meanwhile by someone else: fine
      }
    }
  } finally {
    await client.end();
  }
})().catch((error) => { console.error(error.message); process.exit(1); });
EOF
  )
}

# The machine's Postgres: when it does not answer and this is the local Debian cluster, start it.
ensure_postgres() {
  local rc=0
  ensure_database || rc=$?
  (( rc == 0 )) && return 0
  (( rc == 3 )) || die "could not prepare the database of $CLUSTER_DB_URL"
  if [[ "$CLUSTER_DB_URL" =~ @(127\.0\.0\.1|localhost)(:|/) ]] && command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    local version
    version="$(ls /etc/postgresql | head -n1)"
    log "Postgres is down; starting the Debian cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    local deadline=$((SECONDS + 30))
    while (( SECONDS < deadline )); do
      rc=0
      ensure_database 2>/dev/null || rc=$?
      (( rc == 0 )) && return 0
      sleep 1
    done
  fi
  die "Postgres does not answer at $CLUSTER_DB_URL (start it, or set CLUSTER_DATABASE_URL)"
}

# --- Kafka --------------------------------------------------------------------------------------

# scripts/kafka.sh for the cluster's own broker (its state in .cluster/kafka, its own ports).
own_kafka() { # start|stop|status
  KAFKA_STATE_DIR="$KAFKA_DIR" KAFKA_PORT="$KAFKA_PORT_OWN" KAFKA_CONTROLLER_PORT="$KAFKA_CONTROLLER_PORT_OWN" \
    bash "$PROJECT_ROOT/scripts/kafka.sh" "$1"
}

kafka_brokers() {
  if [[ -n "${CLUSTER_KAFKA_BROKERS:-}" ]]; then
    echo "$CLUSTER_KAFKA_BROKERS"
    return 0
  fi
  local line
  line="$(own_kafka start)" || die "scripts/kafka.sh start failed (state in $KAFKA_DIR)"
  [[ "$line" == KAFKA_BROKERS=* ]] || die "scripts/kafka.sh start printed '$line', expected KAFKA_BROKERS=..."
  echo "${line#KAFKA_BROKERS=}"
}

# --- nodes --------------------------------------------------------------------------------------

launch_node() { # i brokers
  local i="$1" brokers="$2" port log_file
  port="$(node_port "$i")"
  log_file="$(node_log_file "$i")"
  printf '\n%s node-%s %s =====\n' "$START_MARKER" "$i" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$log_file"
  # setsid: the node outlives this script and the terminal that ran it. The inner shell writes its
  # own pid and then execs node, so the pid file holds the node's pid. fd 9 (the start lock) is
  # closed so the node does not keep holding it.
  local pid_file
  pid_file="$(node_pid_file "$i")"
  env PORT="$port" HOST="$HOST" NODE_ID="node-$i" ACTA_CLUSTER=true DATABASE_URL="$CLUSTER_DB_URL" KAFKA_BROKERS="$brokers" \
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pid_file" \
    node --max-semi-space-size=64 --import tsx src/main.ts </dev/null >>"$log_file" 2>&1 9>&- &
  local deadline=$((SECONDS + 5))
  until [[ -s "$pid_file" ]]; do
    (( SECONDS < deadline )) || { tail_node_log "$i"; die "node-$i did not start (no pid in $pid_file)"; }
    sleep 0.1
  done
}

# Waits until every listed node answers /readyz 200; a node that exits meanwhile fails the start.
wait_nodes_ready() { # i...
  local deadline=$((SECONDS + START_TIMEOUT_S)) pending=("$@")
  while (( ${#pending[@]} > 0 )); do
    local still=() i
    for i in "${pending[@]}"; do
      if ready_on "$(node_port "$i")"; then
        log "node-$i ready on http://$HOST:$(node_port "$i") (pid $(node_running_pid "$i" || echo '?'))"
      elif ! node_running_pid "$i" >/dev/null && [[ -s "$(node_pid_file "$i")" ]]; then
        tail_node_log "$i"
        die "node-$i exited during start-up (log: $(node_log_file "$i"))"
      else
        still+=("$i")
      fi
    done
    pending=("${still[@]+"${still[@]}"}")
    (( ${#pending[@]} == 0 )) && return 0
    if (( SECONDS >= deadline )); then
      for i in "${pending[@]}"; do tail_node_log "$i"; done
      die "node(s) ${pending[*]} did not answer /readyz 200 within ${START_TIMEOUT_S}s (last: $(readyz "$(node_port "${pending[0]}")"))"
    fi
    sleep "$POLL_INTERVAL_S"
  done
}

# Starts node i unless it runs already; returns 0 when it was started now.
start_node() { # i brokers
  local i="$1" pid port
  port="$(node_port "$i")"
  if pid="$(node_running_pid "$i")"; then
    log "node-$i already running (pid $pid) on port $port"
    return 1
  fi
  rm -f "$(node_pid_file "$i")"
  port_answers "$port" && die "port $port (node-$i) is in use by another process; set CLUSTER_NODE_PORT_BASE"
  launch_node "$i" "$2"
  return 0
}

# --- nginx --------------------------------------------------------------------------------------

ensure_nginx() {
  command -v nginx >/dev/null && return 0
  if (( EUID != 0 )); then
    die "nginx is not installed; install Debian's package (sudo apt-get install -y nginx) or run this script as root"
  fi
  log "installing nginx from Debian's packages"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx; } >"$STATE_DIR/apt.log" 2>&1 \
    || { tail -n "$LOG_TAIL_LINES" "$STATE_DIR/apt.log" >&2; die "apt-get install nginx failed (log: $STATE_DIR/apt.log)"; }
  command -v nginx >/dev/null || die "apt-get installed nginx but it is not on PATH"
}

# Renders the checked-in template for nodes 1..N (only the template's own variables are replaced,
# so nginx's $variables stay), and writes the nginx.conf around it: everything in .cluster/nginx,
# nothing in /etc or /var. Run as root, nginx's workers drop to nobody, so its temp folders are theirs.
write_nginx_config() { # n
  local n="$1" servers="" i
  for i in $(seq 1 "$n"); do
    servers+="server $HOST:$(node_port "$i") max_fails=1 fail_timeout=5s; "
  done
  mkdir -p "$NGINX_DIR/temp"
  ACTA_LISTEN="$HOST:$LB_PORT" ACTA_UPSTREAM_SERVERS="$servers" CLUSTER_ROUTING="$ROUTING" ACTA_ACCESS_LOG="$NGINX_ACCESS_LOG" \
    envsubst '${ACTA_LISTEN} ${ACTA_UPSTREAM_SERVERS} ${CLUSTER_ROUTING} ${ACTA_ACCESS_LOG}' <"$NGINX_TEMPLATE" >"$NGINX_SITE"
  local user_line=""
  if (( EUID == 0 )); then
    user_line="user nobody nogroup;"
    chown -R nobody:nogroup "$NGINX_DIR/temp"
  fi
  cat >"$NGINX_CONF" <<EOF
# Generated by scripts/cluster.sh on every start from deploy/nginx/acta.conf.template; edit those, not this file.
$user_line
worker_processes 1;
error_log $NGINX_ERROR_LOG warn;
events {
    worker_connections 1024;
}
http {
    client_body_temp_path $NGINX_DIR/temp/client_body;
    proxy_temp_path $NGINX_DIR/temp/proxy;
    fastcgi_temp_path $NGINX_DIR/temp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/temp/uwsgi;
    scgi_temp_path $NGINX_DIR/temp/scgi;
    include $NGINX_SITE;
}
EOF
}

nginx_cmd() { # extra args...
  nginx -p "$NGINX_DIR" -c "$NGINX_CONF" -e "$NGINX_ERROR_LOG" "$@"
}

start_nginx() { # n
  ensure_nginx
  # The configuration as it was, to reload only when it changes: a reload retires nginx's workers,
  # and their idle keep-alive client connections close under the clients (a restart of one node
  # under load measured ~40 "fetch failed" at clients that do not retry).
  local previous=""
  [[ -f "$NGINX_SITE" && -f "$NGINX_CONF" ]] && previous="$(cat "$NGINX_CONF" "$NGINX_SITE")"
  write_nginx_config "$1"
  local test_log="$NGINX_DIR/test.log"
  nginx_cmd -t -g "pid $NGINX_PID_FILE;" >"$test_log" 2>&1 || { cat "$test_log" >&2; die "nginx -t refused $NGINX_CONF"; }
  local pid
  if pid="$(nginx_running_pid)"; then
    if [[ "$previous" == "$(cat "$NGINX_CONF" "$NGINX_SITE")" ]]; then
      log "nginx already running (pid $pid) with this configuration ($1 nodes, routing $ROUTING); not reloaded"
    else
      # Running already with another N (or routing): reload so it takes effect.
      nginx_cmd -g "daemon on; pid $NGINX_PID_FILE;" -s reload || die "nginx (pid $pid) refused the reload"
      log "nginx already running (pid $pid); configuration reloaded ($1 nodes, routing $ROUTING)"
    fi
  else
    rm -f "$NGINX_PID_FILE"
    port_answers "$LB_PORT" && die "port $LB_PORT is in use by another process; set CLUSTER_PORT"
    nginx_cmd -g "daemon on; pid $NGINX_PID_FILE;" 9>&- || { tail -n "$LOG_TAIL_LINES" "$NGINX_ERROR_LOG" >&2 || true; die "nginx did not start"; }
  fi
  local deadline=$((SECONDS + 10))
  until ready_on "$LB_PORT"; do
    (( SECONDS < deadline )) || die "nginx on port $LB_PORT does not answer /readyz 200 (error log: $NGINX_ERROR_LOG)"
    sleep "$POLL_INTERVAL_S"
  done
  log "nginx (pid $(nginx_running_pid || echo '?')) on http://$HOST:$LB_PORT, routing $ROUTING, access log $NGINX_ACCESS_LOG"
}

# --- commands -----------------------------------------------------------------------------------

cmd_start() { # [N]
  local n="${1:-$NODES_DEFAULT}"
  [[ "$n" =~ ^[1-9]$ ]] || die "N is a node count from 1 to $NODES_MAX, got '$n'"
  validate_env
  command -v node >/dev/null || die "node not found on PATH"
  [[ -d "$PROJECT_ROOT/node_modules" ]] || die "node_modules is missing: run npm ci first"
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  flock -w "$LOCK_TIMEOUT_S" 9 || die "another cluster.sh start held $LOCK_FILE for ${LOCK_TIMEOUT_S}s"

  local started=$SECONDS brokers i
  ensure_postgres
  brokers="$(kafka_brokers)"
  log "Postgres $(redact_url "$CLUSTER_DB_URL"), Kafka $brokers"
  echo "$n" >"$NODES_FILE"
  for i in $(seq $((n + 1)) "$NODES_MAX"); do
    node_running_pid "$i" >/dev/null && log "warning: node-$i is running beyond N=$n and gets no traffic from nginx; 'stop' stops it"
  done

  # Node 1 first: it runs the migrations (under their advisory lock; concurrent starts would be
  # safe too) and creates the topics, so the other nodes start on a ready schema.
  start_node 1 "$brokers" || true
  wait_nodes_ready 1
  local rest=()
  for i in $(seq 2 "$n"); do
    start_node "$i" "$brokers" || true
    rest+=("$i")
  done
  (( ${#rest[@]} > 0 )) && wait_nodes_ready "${rest[@]}"
  start_nginx "$n"
  log "cluster of $n node(s) ready in $((SECONDS - started))s"
  echo "http://$HOST:$LB_PORT"
}

redact_url() { # url: the password, if any, is not printed
  sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"
}

# Sends SIGTERM to each pid, waits (bounded) for all, then SIGKILLs the ones left.
stop_pids() { # pid...
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while :; do
    local alive=()
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    (( ${#alive[@]} == 0 )) && return 0
    if (( SECONDS >= deadline )); then
      log "pid(s) ${alive[*]} did not exit within ${STOP_TIMEOUT_S}s of SIGTERM; sending SIGKILL"
      for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
      local kill_deadline=$((SECONDS + 5))
      for pid in "${alive[@]}"; do
        while kill -0 "$pid" 2>/dev/null; do
          (( SECONDS < kill_deadline )) || die "pid $pid survived SIGKILL"
          sleep "$POLL_INTERVAL_S"
        done
      done
      return 0
    fi
    sleep "$POLL_INTERVAL_S"
  done
}

cmd_stop() { # [--all]
  local all=false
  case "${1:-}" in
    '') ;;
    --all) all=true ;;
    *) die "usage: $0 stop [--all]" ;;
  esac
  local n pids=() names=() i pid
  n="$(recorded_nodes)"
  for i in $(seq 1 "$n"); do
    if pid="$(node_running_pid "$i")"; then
      pids+=("$pid")
      names+=("node-$i")
    fi
  done
  # nginx first, so no new request reaches a draining node through it.
  if pid="$(nginx_running_pid)"; then
    nginx_cmd -g "pid $NGINX_PID_FILE;" -s quit 2>/dev/null || kill -QUIT "$pid" 2>/dev/null || true
    stop_pids "$pid"
    log "nginx stopped (pid $pid)"
  fi
  rm -f "$NGINX_PID_FILE"
  if (( ${#pids[@]} > 0 )); then
    log "stopping ${names[*]} (pids ${pids[*]})"
    stop_pids "${pids[@]}"
    log "stopped ${names[*]}"
  else
    log "no node running"
  fi
  for i in $(seq 1 "$NODES_MAX"); do rm -f "$(node_pid_file "$i")"; done
  if $all; then
    if [[ -n "${CLUSTER_KAFKA_BROKERS:-}" ]]; then
      log "CLUSTER_KAFKA_BROKERS is set: that broker is not the cluster's own and is left running"
    else
      own_kafka stop
    fi
  fi
}

cmd_status() {
  local n ok=true i pid answer
  n="$(recorded_nodes)"
  if (( n == 0 )); then
    log "no cluster recorded in $STATE_DIR (start one with: $0 start 3)"
    return 1
  fi
  for i in $(seq 1 "$n"); do
    answer="$(readyz "$(node_port "$i")")"
    if pid="$(node_running_pid "$i")"; then
      printf 'node-%s  pid %s alive  port %s  /readyz %s\n' "$i" "$pid" "$(node_port "$i")" "${answer:- 000}"
    else
      printf 'node-%s  not running  port %s\n' "$i" "$(node_port "$i")"
      ok=false
    fi
    [[ "$answer" == *' 200' ]] || ok=false
  done
  answer="$(readyz "$LB_PORT")"
  if pid="$(nginx_running_pid)"; then
    printf 'nginx   pid %s alive  port %s  /readyz %s\n' "$pid" "$LB_PORT" "${answer:- 000}"
  else
    printf 'nginx   not running  port %s\n' "$LB_PORT"
    ok=false
  fi
  [[ "$answer" == *' 200' ]] || ok=false
  if [[ -n "${CLUSTER_KAFKA_BROKERS:-}" ]]; then
    printf 'kafka   %s (CLUSTER_KAFKA_BROKERS)\n' "$CLUSTER_KAFKA_BROKERS"
  elif own_kafka status >/dev/null 2>&1; then
    printf 'kafka   running  127.0.0.1:%s  (%s)\n' "$KAFKA_PORT_OWN" "$KAFKA_DIR"
  else
    printf 'kafka   not running  127.0.0.1:%s\n' "$KAFKA_PORT_OWN"
    ok=false
  fi
  $ok
}

# The nodes run from the project root (node --import tsx src/main.ts, the default .data paths).
cd "$PROJECT_ROOT"

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) cmd_status ;;
  *) echo "usage: $0 start [N] | status | stop [--all]" >&2; exit 2 ;;
esac

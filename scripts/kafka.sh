#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft, broker + controller in one JVM) without Docker,
# for development and CI: the broker's jars come from Maven Central through kafka/pom.xml, and every
# piece of state (jars, config, data, pid, log) lives in the project-local .kafka/ folder.
#
#   bash scripts/kafka.sh start    # idempotent; prints KAFKA_BROKERS=127.0.0.1:<port> on stdout
#   bash scripts/kafka.sh status   # exit 0 when running and answering, 1 otherwise
#   bash scripts/kafka.sh stop     # stops only the broker recorded in .kafka/kafka.pid
#
# Environment: KAFKA_STATE_DIR (.kafka; a second broker needs its own), KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093), KAFKA_NUM_PARTITIONS (3),
# KAFKA_START_TIMEOUT_S (90), KAFKA_STOP_TIMEOUT_S (30).
# Progress goes to stderr; stdout carries only the KAFKA_BROKERS line, so
# `export "$(bash scripts/kafka.sh start)"` works.
set -euo pipefail

# The project root is the script's parent folder, so the script works from any working directory.
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly PROJECT_ROOT
readonly KAFKA_SRC="$PROJECT_ROOT/kafka"
readonly STATE_DIR="${KAFKA_STATE_DIR:-$PROJECT_ROOT/.kafka}"
readonly LIB_DIR="$STATE_DIR/lib"
readonly LIB_STAMP="$LIB_DIR/.pom.sha256"
readonly CLASSES_DIR="$STATE_DIR/classes"
readonly DATA_DIR="$STATE_DIR/data"
readonly CONFIG_FILE="$STATE_DIR/server.properties"
readonly LOG4J_FILE="$STATE_DIR/log4j.properties"
readonly CLUSTER_ID_FILE="$STATE_DIR/cluster.id"
readonly PID_FILE="$STATE_DIR/kafka.pid"
readonly LOG_FILE="$STATE_DIR/kafka.log"
readonly READY_LOG_FILE="$STATE_DIR/ready.log"
readonly MVN_LOG_FILE="$STATE_DIR/mvn.log"
readonly LOCK_FILE="$STATE_DIR/.lock"

readonly HOST=127.0.0.1
readonly PORT="${KAFKA_PORT:-19092}"
readonly CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
readonly NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-3}"
readonly START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-90}"
readonly STOP_TIMEOUT_S="${KAFKA_STOP_TIMEOUT_S:-30}"
# Bounds of the small waits inside the loops below.
readonly PORT_PROBE_TIMEOUT_S=2
readonly POLL_INTERVAL_S=0.5
readonly LOCK_TIMEOUT_S=120
readonly LOG_TAIL_LINES=40

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_positive_int() { # name value
  [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got '$2'"
}

validate_env() {
  require_positive_int KAFKA_PORT "$PORT"
  require_positive_int KAFKA_CONTROLLER_PORT "$CONTROLLER_PORT"
  require_positive_int KAFKA_NUM_PARTITIONS "$NUM_PARTITIONS"
  require_positive_int KAFKA_START_TIMEOUT_S "$START_TIMEOUT_S"
  require_positive_int KAFKA_STOP_TIMEOUT_S "$STOP_TIMEOUT_S"
  (( PORT <= 65535 && CONTROLLER_PORT <= 65535 )) || die "ports must be at most 65535"
  (( PORT != CONTROLLER_PORT )) || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
}

# The pid in the pid file, if that process is alive and is the broker this project started
# (a recycled pid that now belongs to something else does not count).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$CONFIG_FILE" || return 1
  printf '%s\n' "$pid"
}

port_answers() { # port
  timeout "$PORT_PROBE_TIMEOUT_S" bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

readonly START_MARKER='===== start'

# The end of the log, from the latest start marker on (earlier runs stay in the file, not on screen).
tail_log() {
  [[ -f "$LOG_FILE" ]] || return 0
  log "last lines of $LOG_FILE since the latest start:"
  awk -v marker="$START_MARKER" 'index($0, marker) == 1 { n = 0 } { lines[n++] = $0 } END { for (i = 0; i < n; i++) print lines[i] }' "$LOG_FILE" \
    | tail -n "$LOG_TAIL_LINES" >&2
}

# Copies the broker's runtime jars into .kafka/lib once; again only when kafka/pom.xml changes.
ensure_jars() {
  local pom="$KAFKA_SRC/pom.xml" pom_sum
  pom_sum="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [[ -f "$LIB_STAMP" && "$(<"$LIB_STAMP")" == "$pom_sum" ]] && compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found on PATH (Maven 3.8+ is needed once to fetch the broker's jars)"
  log "resolving Kafka jars from Maven Central into $LIB_DIR"
  rm -rf "$LIB_DIR"
  mkdir -p "$LIB_DIR"
  if ! mvn -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$LIB_DIR" >"$MVN_LOG_FILE" 2>&1; then
    tail -n "$LOG_TAIL_LINES" "$MVN_LOG_FILE" >&2
    die "mvn could not resolve the jars listed in $pom (full output: $MVN_LOG_FILE)"
  fi
  compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null || die "mvn finished but no kafka_2.13 jar is in $LIB_DIR"
  printf '%s\n' "$pom_sum" >"$LIB_STAMP"
}

# Compiles the readiness probe once (and again when its source changes).
ensure_probe() {
  local src="$KAFKA_SRC/KafkaReady.java"
  if [[ -f "$CLASSES_DIR/KafkaReady.class" && ! "$src" -nt "$CLASSES_DIR/KafkaReady.class" ]]; then
    return 0
  fi
  command -v javac >/dev/null || die "javac not found on PATH (a JDK 17+ is needed)"
  mkdir -p "$CLASSES_DIR"
  javac -nowarn -cp "$LIB_DIR/*" -d "$CLASSES_DIR" "$src" || die "could not compile $src"
}

write_config() {
  cp "$KAFKA_SRC/log4j.properties" "$LOG4J_FILE"
  cat >"$CONFIG_FILE" <<EOF
# Generated by scripts/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=$NUM_PARTITIONS
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
# One node: every internal topic must have replication factor 1 or it is never created
# (consumer groups hang without __consumer_offsets).
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
EOF
}

# Formats the data folder once; later starts reuse it (and its cluster id) untouched.
format_storage() {
  # A formatted folder has meta.properties; skipping the format then saves a JVM start.
  # (--ignore-formatted below still protects a folder formatted by someone else.)
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
    java -Dlog4j.configuration="file:$LOG4J_FILE" -cp "$LIB_DIR/*" kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE" | tr -d '[:space:]' >"$CLUSTER_ID_FILE"
    [[ -s "$CLUSTER_ID_FILE" ]] || { rm -f "$CLUSTER_ID_FILE"; tail_log; die "could not generate a cluster id"; }
  fi
  java -Dlog4j.configuration="file:$LOG4J_FILE" -cp "$LIB_DIR/*" kafka.tools.StorageTool format \
    -t "$(<"$CLUSTER_ID_FILE")" -c "$CONFIG_FILE" --ignore-formatted >>"$LOG_FILE" 2>&1 \
    || { tail_log; die "formatting $DATA_DIR failed"; }
}

launch() {
  # setsid: the broker outlives this script and the terminal or CI step that ran it. The inner shell
  # writes its own pid and then execs java, so the pid file holds the JVM's pid; it writes a temporary
  # file and renames it, so wait_until_ready never reads a pid file that exists but is still empty
  # (which it took for a broker that died). fd 9 (the start lock) is closed so the broker does not
  # keep holding it.
  setsid bash -c 'echo $$ >"$0.tmp" && mv -f "$0.tmp" "$0" && exec "$@"' "$PID_FILE" \
    java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$LOG4J_FILE" \
    -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG_FILE" \
    </dev/null >>"$LOG_FILE" 2>&1 9>&- &
}

probe_ready() {
  java -cp "$CLASSES_DIR:$LIB_DIR/*" -Dlog4j.configuration="file:$LOG4J_FILE" \
    KafkaReady "$HOST:$PORT" >"$READY_LOG_FILE" 2>&1
}

wait_until_ready() {
  local deadline=$((SECONDS + START_TIMEOUT_S))
  while (( SECONDS < deadline )); do
    if ! running_pid >/dev/null; then
      # The pid file is written by the launched shell; give it a moment before calling it dead.
      if [[ -f "$PID_FILE" ]]; then
        tail_log
        die "the broker exited during start-up (log: $LOG_FILE)"
      fi
    elif port_answers "$PORT" && probe_ready; then
      return 0
    fi
    sleep "$POLL_INTERVAL_S"
  done
  tail_log
  [[ -f "$READY_LOG_FILE" ]] && log "last readiness probe: $(tail -n 1 "$READY_LOG_FILE")"
  # A start that failed leaves nothing running behind it.
  local pid
  if pid="$(running_pid)"; then
    log "stopping the half-started broker (pid $pid)"
    stop_pid "$pid"
  fi
  die "the broker did not answer a metadata request on $HOST:$PORT within ${START_TIMEOUT_S}s (log: $LOG_FILE)"
}

cmd_start() {
  validate_env
  command -v java >/dev/null || die "java not found on PATH (Java 17+ is needed)"
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  flock -w "$LOCK_TIMEOUT_S" 9 || die "another kafka.sh start held $LOCK_FILE for ${LOCK_TIMEOUT_S}s"

  local pid
  if pid="$(running_pid)"; then
    port_answers "$PORT" || die "broker pid $pid is running but $HOST:$PORT does not answer (was it started with another KAFKA_PORT?)"
    log "already running (pid $pid)"
    echo "KAFKA_BROKERS=$HOST:$PORT"
    return 0
  fi
  rm -f "$PID_FILE"
  port_answers "$PORT" && die "$HOST:$PORT is already in use by another process; set KAFKA_PORT"
  port_answers "$CONTROLLER_PORT" && die "$HOST:$CONTROLLER_PORT is already in use by another process; set KAFKA_CONTROLLER_PORT"

  local started=$SECONDS
  ensure_jars
  ensure_probe
  write_config
  rm -f "$READY_LOG_FILE"
  printf '\n%s %s =====\n' "$START_MARKER" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$LOG_FILE"
  format_storage
  launch
  wait_until_ready
  log "started (pid $(running_pid)) in $((SECONDS - started))s; data in $DATA_DIR, log in $LOG_FILE"
  echo "KAFKA_BROKERS=$HOST:$PORT"
}

# Sends SIGTERM to the broker and waits for it to exit (SIGKILL after KAFKA_STOP_TIMEOUT_S).
stop_pid() { # pid
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS >= deadline )); then
      log "pid $pid did not exit within ${STOP_TIMEOUT_S}s of SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local kill_deadline=$((SECONDS + 5))
      while kill -0 "$pid" 2>/dev/null; do
        (( SECONDS < kill_deadline )) || die "pid $pid survived SIGKILL"
        sleep "$POLL_INTERVAL_S"
      done
      break
    fi
    sleep "$POLL_INTERVAL_S"
  done
  rm -f "$PID_FILE"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  stop_pid "$pid"
  log "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)" && port_answers "$PORT"; then
    log "running (pid $pid) on $HOST:$PORT"
    echo "KAFKA_BROKERS=$HOST:$PORT"
    return 0
  fi
  if pid="$(running_pid)"; then
    log "pid $pid is running but $HOST:$PORT does not answer (starting, or unhealthy: see $LOG_FILE)"
  else
    log "not running"
  fi
  return 1
}

# Lists every consumer group with its partitions, committed offsets and lag (e.g. acta-account-projector).
cmd_groups() {
  running_pid >/dev/null || die "the broker is not running (start it with: $0 start)"
  ensure_jars
  java -Dlog4j.configuration="file:$LOG4J_FILE" -cp "$LIB_DIR/*" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --bootstrap-server "$HOST:$PORT" --describe --all-groups
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  groups) cmd_groups ;;
  *) echo "usage: $0 start|stop|status|groups" >&2; exit 2 ;;
esac

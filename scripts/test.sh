#!/usr/bin/env bash
# The project's test command (`npm test`): makes sure the real Postgres and a real Kafka broker are
# up (starting them with the machine's cluster tool and scripts/kafka.sh), type-checks, then runs the
# whole mocha suite against them. Anything missing is an error, never a skip.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export TEST_DATABASE_URL="$pg_url"

pg_up() { node -e "const {Client}=require('pg');const c=new Client({connectionString:process.argv[1],connectionTimeoutMillis:3000});c.connect().then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1))" "$pg_url"; }
if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "test: starting the machine's PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
fi
if ! pg_up; then
  echo "test: PostgreSQL is not reachable at $pg_url (set TEST_DATABASE_URL or start it)" >&2
  exit 1
fi

# The console page test drives Debian's Chromium through playwright-core (which never downloads a
# browser). Install it when missing and we can; otherwise that test fails with a clear message.
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test: installing Debian's chromium for the console page test"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
fi

started_kafka=0
if [ -z "${KAFKA_BROKERS:-}" ]; then
  if ! bash scripts/kafka.sh status >/dev/null 2>&1; then started_kafka=1; fi
  bash scripts/kafka.sh start
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-19092}"
fi
cleanup() { if [ "$started_kafka" = 1 ] && [ -z "${KEEP_KAFKA:-}" ]; then bash scripts/kafka.sh stop || true; fi; }
trap cleanup EXIT

echo "test: type-checking (the Node code, then the pages' browser scripts: tsconfig.browser.json)"
npm run --silent typecheck
echo "test: running the suite (Postgres $pg_url, Kafka $KAFKA_BROKERS)"
npx mocha "$@"

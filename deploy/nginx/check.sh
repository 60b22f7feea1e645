#!/usr/bin/env bash
# Checks deploy/nginx/acta.conf.template with `nginx -t` in both of its renderings, without Docker:
#   - as scripts/cluster.sh renders it (nodes 127.0.0.1:3101..3103);
#   - as the official nginx image renders it for docker-compose.yml: the environment the compose
#     file gives the nginx service (read with python3's yaml), substituted the way the image's
#     20-envsubst-on-templates.sh does (only variables NGINX_ENVSUBST_FILTER lets through). nginx -t
#     resolves upstream names, so acta-1..3 are given addresses in a private /etc/hosts (a mount
#     namespace of this check's own, root only; otherwise that rendering is skipped, with a note).
#
#   bash deploy/nginx/check.sh      # needs nginx (Debian's package), envsubst, python3 with yaml
#   CHECK_KEEP=1 bash deploy/nginx/check.sh   # and keep the rendered files
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly PROJECT_ROOT
readonly TEMPLATE="$PROJECT_ROOT/deploy/nginx/acta.conf.template"
WORK="$(mktemp -d)"
readonly WORK

log() { printf 'check.sh: %s\n' "$*" >&2; }

# CHECK_KEEP=1 keeps the rendered files to read.
if [[ -n "${CHECK_KEEP:-}" ]]; then log "keeping $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

# An nginx.conf around a rendered snippet, everything in $WORK (like cluster.sh's, and like the
# image's nginx.conf, which includes conf.d inside http {}).
wrap() { # dir rendered-snippet
  mkdir -p "$1/temp"
  cat >"$1/nginx.conf" <<CONF
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 64; }
http {
    client_body_temp_path $1/temp/client_body;
    proxy_temp_path $1/temp/proxy;
    fastcgi_temp_path $1/temp/fastcgi;
    uwsgi_temp_path $1/temp/uwsgi;
    scgi_temp_path $1/temp/scgi;
    include $2;
}
CONF
}

check_cluster_rendering() { # routing
  local dir="$WORK/cluster-$1" servers=""
  mkdir -p "$dir"
  for port in 3101 3102 3103; do servers+="server 127.0.0.1:$port max_fails=1 fail_timeout=5s; "; done
  ACTA_LISTEN=127.0.0.1:3100 ACTA_UPSTREAM_SERVERS="$servers" CLUSTER_ROUTING="$1" ACTA_ACCESS_LOG="$dir/access.log" \
    envsubst '${ACTA_LISTEN} ${ACTA_UPSTREAM_SERVERS} ${CLUSTER_ROUTING} ${ACTA_ACCESS_LOG}' <"$TEMPLATE" >"$dir/acta.conf"
  wrap "$dir" "$dir/acta.conf"
  nginx -q -t -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
  log "cluster.sh rendering, routing $1: nginx -t ok"
}

check_compose_rendering() {
  local dir="$WORK/compose"
  mkdir -p "$dir"
  # The nginx service's environment from docker-compose.yml, with compose's defaults applied.
  python3 - "$PROJECT_ROOT/docker-compose.yml" >"$dir/env" <<'PY'
import re, sys, yaml
env = yaml.safe_load(open(sys.argv[1]))['services']['nginx']['environment']
for name, value in env.items():
    value = re.sub(r'\$\{[A-Z_]+:-([^}]*)\}', r'\1', str(value)).replace('$$', '$')
    print(f'{name}={value}')
PY
  # In a clean environment holding only the service's variables (plus what every container has),
  # as the image's entrypoint sees it: the filter picks the names, envsubst replaces only those.
  env -i PATH="$PATH" HOSTNAME=nginx HOME=/root bash -c '
    set -euo pipefail
    while IFS= read -r line; do export "${line%%=*}=${line#*=}"; done <"$1"
    filter="${NGINX_ENVSUBST_FILTER:-}"
    defined="$(printf "\${%s} " $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" </dev/null))"
    printf "check.sh: compose rendering substitutes: %s\n" "$defined" >&2
    envsubst "$defined" <"$2"
  ' _ "$dir/env" "$TEMPLATE" >"$dir/default.conf"
  # Logs inside $WORK rather than the image's /var/log/nginx.
  sed -i "s#/var/log/nginx/access.log#$dir/access.log#" "$dir/default.conf"
  wrap "$dir" "$dir/default.conf"
  if (( EUID != 0 )); then
    log "not root: the compose rendering (upstream names acta-1..3) is not checked"
    return 0
  fi
  printf '127.0.0.1 localhost\n127.0.0.11 acta-1\n127.0.0.12 acta-2\n127.0.0.13 acta-3\n' >"$dir/hosts"
  unshare -m bash -c 'mount --bind "$1" /etc/hosts && nginx -q -t -p "$2" -c "$2/nginx.conf" -e "$2/error.log"' _ "$dir/hosts" "$dir"
  log "docker-compose.yml rendering: nginx -t ok"
}

command -v nginx >/dev/null || { log "nginx is not installed (apt-get install -y nginx)"; exit 1; }
check_cluster_rendering hash
check_cluster_rendering round-robin
check_compose_rendering

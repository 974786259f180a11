#!/usr/bin/env bash
# Serve a generated crawl-benchmark site with nginx on loopback addresses only.
#   scripts/nginx.sh start RUNDIR SITEDIR   -> installs Debian's nginx if missing, starts it, prints its pid
#   scripts/nginx.sh stop RUNDIR            -> stops that nginx by its pid file (never by name)
# The server configuration is ../shared/tools/crawl/serve.sh's (gzip_static, etags, keep-alive),
# so that our figures and the reference ones come from the same server. Env: CRAWL_TOOLS overrides
# where serve.sh is; NGINX_WORKERS (default 1) is passed on.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools=${CRAWL_TOOLS:-$here/../../shared/tools/crawl}
cmd=${1:?usage: nginx.sh start RUNDIR SITEDIR | stop RUNDIR}
if [[ $cmd == start ]] && ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
    # Idempotent: only when missing. CI and developers run as root with Debian's registry.
    echo "nginx.sh: installing nginx (Debian package)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >&2
fi
PATH=$PATH:/usr/sbin exec bash "$tools/serve.sh" "$@"

#!/usr/bin/env bash
# Start the web server and a real Celery worker together; Ctrl-C stops both.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
CELERY=.venv/bin/celery

port="${PORT:-8000}"
# Links printed by the mail merge and sent in emails (by the worker) point here;
# var/site-url tells commands run from another terminal (settings.py reads it).
export SITE_URL="${SITE_URL:-http://127.0.0.1:${port}}"
var_dir="${DIALOGUE_VAR_DIR:-var}"
mkdir -p "$var_dir" && printf '%s\n' "$SITE_URL" > "$var_dir/site-url"

"$PY" manage.py preflight || exit 2

"$CELERY" -A dialogue worker --loglevel=INFO --concurrency="${WORKER_CONCURRENCY:-2}" &
worker=$!
stop() {
  trap - INT TERM EXIT
  kill -TERM "$worker" 2>/dev/null
  wait "$worker" 2>/dev/null
}
trap stop INT TERM EXIT

echo "Dialogue: http://127.0.0.1:${port}/  (admin: http://127.0.0.1:${port}/admin/)"
"$PY" manage.py runserver "127.0.0.1:${port}"

#!/usr/bin/env bash
# Run the whole test suite.  Starts the local PostgreSQL cluster if it is down (unless
# FIELDHOUSE_TEST_DATABASE_URL points elsewhere).  Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}

if [ -z "${FIELDHOUSE_TEST_DATABASE_URL:-}" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "scripts/test.sh: starting PostgreSQL" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi

exec "$PY" -m pytest "$@"

#!/usr/bin/env bash
# Installs what the Optuna search and its tests need, where missing: Debian's python3-optuna
# (TPE, pruners, study storage), python3-sklearn (parameter importances), python3-psycopg2
# (PostgreSQL storage) and postgresql (the shared-study test starts a server of its own).
# Needs root and apt-get; where either is missing it says so and leaves the machine alone
# (the Optuna tests then report themselves as skipped, with the reason). In CI they must run:
# a failure fails the run.
set -uo pipefail
fail() {
  echo "optuna: $1"
  [ "${CI:-}" = true ] && exit 1
  exit 0
}
have_python=
for py in "${HWY_PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$py" ] || continue
  if "$py" -c 'import optuna, sklearn, psycopg2' >/dev/null 2>&1; then
    have_python=$py
    break
  fi
done
have_pg=
[ -x /usr/lib/postgresql/15/bin/postgres ] && [ -x /usr/lib/postgresql/15/bin/initdb ] && have_pg=yes
if [ -n "$have_python" ] && [ -n "$have_pg" ]; then
  echo "optuna: $("$have_python" -c 'import optuna; print(optuna.__version__)') with $have_python; PostgreSQL 15 in /usr/lib/postgresql/15/bin"
  exit 0
fi
packages="python3-optuna python3-sklearn python3-psycopg2 postgresql"
command -v apt-get >/dev/null 2>&1 || fail "Optuna, scikit-learn, psycopg2 or PostgreSQL 15 missing and no apt-get here: pip install optuna scikit-learn psycopg2 (and set HWY_PYTHON), and install PostgreSQL 15; the Optuna tests are skipped without them"
[ "$(id -u)" = 0 ] || fail "Optuna, scikit-learn, psycopg2 or PostgreSQL 15 missing; as root run: apt-get install $packages"
echo "optuna: installing Debian's $packages…"
export DEBIAN_FRONTEND=noninteractive
# postgresql's post-install starts a cluster service where an init system runs; the tests start their own server
apt-get update -qq && apt-get install -y -qq $packages >/dev/null \
  && /usr/bin/python3 -c 'import optuna, sklearn, psycopg2' \
  && [ -x /usr/lib/postgresql/15/bin/postgres ] \
  && echo "optuna: $(/usr/bin/python3 -c 'import optuna; print(optuna.__version__)') with /usr/bin/python3; PostgreSQL 15 in /usr/lib/postgresql/15/bin" \
  && exit 0
fail "the install failed; the Optuna tests will be skipped"

#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (test/browser/browser.test.ts drives it
# headless), when no chromium is on PATH. Needs root and apt-get; where either is missing
# it says so and leaves the machine alone (the browser test then reports itself as
# skipped, with the reason). In CI the browser test must run: a failure fails the run.
set -uo pipefail
fail() {
  echo "chromium: $1"
  [ "${CI:-}" = true ] && exit 1
  exit 0
}
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then
    echo "chromium: $("$name" --version 2>/dev/null | head -n 1) at $(command -v "$name")"
    exit 0
  fi
done
command -v apt-get >/dev/null 2>&1 || fail "not installed and no apt-get here: install Chromium yourself; the browser test is skipped without it"
[ "$(id -u)" = 0 ] || fail "not installed; as root run: apt-get install chromium (the browser test is skipped without it)"
echo "chromium: installing Debian's chromium…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium >/dev/null \
  && echo "chromium: $(chromium --version 2>/dev/null | head -n 1)" \
  && exit 0
fail "the install failed; the browser test will be skipped"

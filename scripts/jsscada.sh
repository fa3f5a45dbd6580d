#!/usr/bin/env bash
# JSScada's entry point for a machine that has Node.js and npm but maybe no
# Deno: `npm start` and `npm test` (package.json) call it, and so does CI
# (.ci/run).
#
#   scripts/jsscada.sh start [serve options]   the gateway on the embedded default
#   scripts/jsscada.sh test                    every test: check, unit, e2e; prints
#                                              "N passed, N failed"
#   scripts/jsscada.sh test FILE...            only these test files (same totals)
#   scripts/jsscada.sh deno ARGS...            any deno command with the pinned Deno
#   scripts/jsscada.sh COMMAND [options]       a jsscada command, as the compiled binary
#                                              takes it: serve, import, export, backup,
#                                              restore, users, plc, health, help …
#
# Deno: the one on PATH when it is the pinned version, else the npm package
# deno@$DENO_VERSION installed into .tools/ (no root, nothing outside the
# clone). `test` also installs Debian's postgresql, chromium and mosquitto
# when they are missing and it may (root, or sudo without a password);
# otherwise the tests that need them skip with a loud message.
set -uo pipefail
cd "$(dirname "$0")/.."

DENO_VERSION=2.9.6

use_deno() {
  if command -v deno >/dev/null 2>&1 &&
    [ "$(deno --version 2>/dev/null | head -n 1 | cut -d' ' -f2)" = "$DENO_VERSION" ]; then
    return 0
  fi
  if [ ! -x .tools/node_modules/.bin/deno ]; then
    echo "installing deno $DENO_VERSION into .tools/ from the npm registry (once)" >&2
    if ! npm install --prefix .tools --no-save --no-audit --no-fund --no-update-notifier \
      --loglevel=error \
      "deno@$DENO_VERSION" >&2; then
      echo "could not install deno $DENO_VERSION with npm (is the npm registry reachable?)" >&2
      return 1
    fi
  fi
  export PATH="$PWD/.tools/node_modules/.bin:$PATH"
}

# Debian packages the tests use: PostgreSQL (historian, outage tests),
# Chromium (browser tests), Mosquitto (Sparkplug B tests).
install_test_packages() {
  local need=() sudo=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "WARNING: ${need[*]} missing and not root (nor sudo without a password):" \
        "the tests that need them are SKIPPED and say so" >&2
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "WARNING: ${need[*]} missing and no apt-get: the tests that need them are SKIPPED" >&2
    return 0
  fi
  echo "installing ${need[*]} from Debian's packages" >&2
  if ! ("${sudo[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      "${need[@]}") >/dev/null; then
    echo "WARNING: could not install ${need[*]}: the tests that need them are SKIPPED" >&2
  fi
}

passed=0
failed=0
status=0

# Runs one deno command, shows its output, and adds its "N passed | N failed"
# line to the totals (a command without one that fails counts as 1 failed).
run() {
  echo "\$ $*"
  local out rc line
  out=$(mktemp)
  "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$out" | tail -n 1)
  if [ -n "$line" ]; then
    passed=$((passed + $(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$line")))
    failed=$((failed + $(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$line")))
  elif [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
  fi
  [ "$rc" -ne 0 ] && status=1
  rm -f "$out"
}

run_tests() {
  if ! use_deno; then
    echo "0 passed, 1 failed"
    return 1
  fi
  deno --version | head -n 1
  install_test_packages
  export NO_COLOR=1
  if [ $# -gt 0 ]; then
    run deno test --allow-all "$@"
  else
    run deno task check
    run deno task test
    run deno task e2e
  fi
  echo "${passed} passed, ${failed} failed"
  return $status
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  start)
    use_deno || exit 1
    exec deno task start "$@"
    ;;
  test)
    run_tests "$@"
    exit $?
    ;;
  deno)
    use_deno || exit 1
    exec deno "$@"
    ;;
  "" | --help | -h)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    use_deno || exit 1
    # The permissions `deno task start` gives: all of them, because Deno's
    # node:sqlite allows ATTACH (VACUUM INTO: backups, CSV check snapshots)
    # only with full permissions (denoland/deno#30725).
    exec deno run --v8-flags=--max-semi-space-size=2 --allow-all main.ts "$command" "$@"
    ;;
esac

#!/bin/sh
# Runs the node tools' unit tests (node --test: common.test.mjs, their option parsing and arithmetic);
# called by ./mvnw verify in the integration-test phase. Arguments: the values of skipTests, skipITs
# and it.test. Skipped (exit 0, with a message) by -DskipTests, -DskipITs, a -Dit.test selecting Java
# ITs, or when no Node.js 18+ is installed (the tests need no npm packages).
case "$1:$2" in
  *true*) echo "[bench node tools] tests skipped (-DskipTests / -DskipITs)"; exit 0 ;;
esac
case "$3" in
  ''|'${it.test}') ;;
  *) echo "[bench node tools] tests skipped: -Dit.test=$3 selects Java integration tests"; exit 0 ;;
esac
if ! command -v node >/dev/null 2>&1; then
  echo "[bench node tools] tests skipped: node is not installed (the benchmark's independent client needs Node.js 18+)"
  exit 0
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 18 ]; then
  echo "[bench node tools] tests skipped: node $(node --version) has no test runner (Node.js 18+ needed)"
  exit 0
fi
cd "$(dirname "$0")" || exit 1
exec node --test common.test.mjs

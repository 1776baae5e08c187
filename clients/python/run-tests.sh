#!/bin/sh
# Runs the Python client's tests against the packaged Baton ($BATON_JAR); called by ./mvnw verify in
# the integration-test phase. Arguments: the values of skipTests, skipITs and it.test, and optionally
# another folder whose tests/ to run instead (clients/examples: the examples, on the same terms).
# Skipped (exit 0, with a message) by -DskipTests, -DskipITs, a -Dit.test selecting Java ITs,
# or when python3 is absent.
dir=${4:-$(dirname "$0")}
name=$(basename "$(cd "$dir" && pwd)")
case "$1:$2" in
  *true*) echo "[$name] tests skipped (-DskipTests / -DskipITs)"; exit 0 ;;
esac
case "$3" in
  ''|'${it.test}') ;;
  *) echo "[$name] tests skipped: -Dit.test=$3 selects Java integration tests"; exit 0 ;;
esac
if ! command -v python3 >/dev/null 2>&1; then
  echo "[$name] tests skipped: python3 is not installed (the Python client needs Python 3.9+)"
  exit 0
fi
cd "$dir" || exit 1
exec python3 -W ignore::ResourceWarning -m unittest discover -s tests -v

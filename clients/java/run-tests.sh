#!/bin/sh
# Builds the Java client and runs its tests against the packaged Baton ($BATON_JAR); called by ./mvnw verify
# in the integration-test phase. Arguments: the values of skipTests, skipITs, it.test, the local repository,
# offline=<true/false> and maven.test.skip. Skipped (exit 0, with a message) by -DskipTests, -DskipITs,
# -Dmaven.test.skip or a -Dit.test selecting Java ITs.
case "$1:$2:$6" in
  *true*) echo "[java-client] tests skipped (-DskipTests / -DskipITs / -Dmaven.test.skip)"; exit 0 ;;
esac
case "$3" in
  ''|'${it.test}') ;;
  *) echo "[java-client] tests skipped: -Dit.test=$3 selects the server's integration tests"; exit 0 ;;
esac
cd "$(dirname "$0")" || exit 1
set -- -B -f pom.xml verify "-Dbaton.jar=$BATON_JAR" "-Dmaven.repo.local=$4" $( [ "$5" = offline=true ] && echo -o )
exec ../../mvnw "$@"

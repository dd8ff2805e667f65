# JVM flags Chronicle Queue and Agrona need on JDK 17+ (see ../shared/BUILD-NOTES.md); sourced by ./ledger and
# benchmarks/run. The same list is in pom.xml (jifen.jvm.flags) for tests: change both together.
# Usage: source scripts/jvm-flags.sh; "$java_bin" "${jvm_flags[@]}" ...
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jvm_flags=(
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  -Dchronicle.analytics.disable=true
  -Dchronicle.announcer.disable=true
)
java_version="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')"
if [ "${java_version%%.*}" -ge 24 ] 2>/dev/null; then
  jvm_flags+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
fi

# Sourced by ./mvnw and deploy/local scripts (POSIX sh): make JAVA_HOME a JDK >= 21.
# Pulse compiles with --release 21 and the default java of many machines is older.
pulse_jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}
pulse_jdk_ok() {
  [ -x "$1/bin/javac" ] || return 1
  pulse_major=$(pulse_jdk_major "$1")
  [ -n "$pulse_major" ] && [ "${pulse_major%%.*}" -ge 21 ] 2>/dev/null
}
if [ -z "${JAVA_HOME-}" ] || ! pulse_jdk_ok "$JAVA_HOME"; then
  set +f
  pulse_path_jdk=""
  if command -v javac >/dev/null 2>&1; then
    pulse_path_jdk=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  fi
  pulse_found=""
  for pulse_candidate in $pulse_path_jdk /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/*; do
    if pulse_jdk_ok "$pulse_candidate"; then
      pulse_found=$pulse_candidate
      break
    fi
  done
  set -f
  if [ -n "$pulse_found" ]; then
    JAVA_HOME=$pulse_found
    export JAVA_HOME
  else
    echo "Pulse needs a JDK 21 or newer: set JAVA_HOME (none found on PATH or under /usr/lib/jvm)." >&2
  fi
fi

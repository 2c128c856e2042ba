# Sourced by ./meshwork and .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer (with
# --runtime, as the release distribution calls it, a Java runtime without javac is enough).
# JAVA_HOME wins when it is new enough; otherwise the newest under /usr/lib/jvm (or
# /Library/Java/JavaVirtualMachines on macOS); otherwise the java on PATH.
meshwork_java_major() {
  local v
  v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  v=${v#1.}
  echo "${v%%[.+-]*}"
}

meshwork_find_jdk() {
  local best="" best_major=0 candidate major tool=javac what=JDK
  if [ "${1:-}" = "--runtime" ]; then
    tool=java
    what="Java runtime"
  fi
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/$tool" ]; then
    major=$(meshwork_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 21 ]; then
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$candidate/bin/$tool" ] || continue
    major=$(meshwork_java_major "$candidate/bin/java")
    if [ "${major:-0}" -gt "$best_major" ]; then
      best="$candidate"
      best_major="$major"
    fi
  done
  if [ "$best_major" -lt 21 ] && command -v "$tool" >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v "$tool")")")")
    major=$(meshwork_java_major "$candidate/bin/java")
    if [ "${major:-0}" -ge 21 ]; then
      best="$candidate"
      best_major="$major"
    fi
  fi
  if [ "$best_major" -lt 21 ]; then
    echo "meshwork: no $what 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm). Install one, for example: apt-get install openjdk-21-jdk" >&2
    return 1
  fi
  export JAVA_HOME="$best"
}

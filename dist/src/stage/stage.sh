#!/usr/bin/env bash
# Run by the dist module's build (package phase), after Maven has copied every runtime jar into
# STAGE/lib: lays out the rest of the release (bin/, examples/) in STAGE, then, on a JDK 25 or newer,
# makes lib/meshwork.aot with a training run of the staged release itself (bin/meshwork aot-train),
# so that the cache names the jars exactly as the archive ships them. On an older JDK the release
# ships without a cache and the launcher uses class-data sharing instead.
set -euo pipefail
SRC="$1"    # the source tree's root
STAGE="$2"  # target/stage/meshwork-VERSION
mkdir -p "$STAGE/bin"
cp "$SRC/meshwork" "$STAGE/bin/meshwork"
cp "$SRC/bin/find-jdk.sh" "$STAGE/bin/find-jdk.sh"
chmod 0755 "$STAGE/bin/meshwork"
chmod 0644 "$STAGE/bin/find-jdk.sh"
rm -rf "$STAGE/examples"
# the fixtures' generators stay in the source tree
(cd "$SRC" && find examples -type f ! -name '*.java' ! -name '*.py' -print0) | while IFS= read -r -d '' f; do
  mkdir -p "$STAGE/$(dirname "$f")"
  cp -p "$SRC/$f" "$STAGE/$f"
done
if [ "${MESHWORK_AOT:-on}" = "off" ]; then
  echo "stage: MESHWORK_AOT=off, no ahead-of-time cache" >&2
  exit 0
fi
"$STAGE/bin/meshwork" aot-train

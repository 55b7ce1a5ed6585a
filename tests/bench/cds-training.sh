#!/bin/sh
# Records the classes the slipway command loads in typical runs and dumps them into a static
# class-data-sharing archive, which roughly halves the CLI's start-up time (tests/bench/cli-startup.sh).
# Usage: cds-training.sh PREFIX ARCHIVE   (PREFIX holds share/slipway/slipway.jar)
# Installed as PREFIX/share/slipway/cds-training.sh.
set -eu
prefix=$(cd "$1" && pwd)
archive=$2
here=$(cd "$(dirname "$0")" && pwd)
# The examples ship in the installation, so a packaged install can record its archive on the target.
examples="$prefix/share/slipway/examples"
[ -d "$examples" ] || examples="$here/../../conf/examples"
jar="$prefix/share/slipway/slipway.jar"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
record() {
    n=$((n + 1))
    EDF_PATH="$examples" HOME="$tmp" USER=cds PWD="$tmp" SLIPWAY_CONFIG="$tmp/none.toml" \
        "$java" -Xshare:off -XX:DumpLoadedClassList="$tmp/classes.$n" -cp "$jar" \
        io.slipway.cli.Main "$@" >/dev/null 2>&1 || true
}
touch "$tmp/none.toml"
record --version
record --help
record edf render demo
record edf render --format toml demo
record edf validate demo cluster-defaults "$tmp/missing.toml"
record edf path
record run --help
record hooks
record run --image "$tmp/missing.sqsh" true

# What the SPANK plugin asks (through the JNI host, with the same class path): a submission check
# and a container start.
plugin() {
    n=$((n + 1))
    printf '%s' "$1" | "$java" -Xshare:off -XX:DumpLoadedClassList="$tmp/classes.$n" -cp "$jar" \
        -Dslipway.prefix="$prefix" io.slipway.slurm.PluginHost >/dev/null 2>&1 || true
}
env="{\"HOME\":\"$tmp\",\"EDF_PATH\":\"$examples\",\"USER\":\"cds\"}"
plugin "{\"op\":\"validate\",\"environment\":\"demo\",\"cwd\":\"$tmp\",\"config\":\"$tmp/none.toml\",\"env\":$env}"
# The start goes as far as creating the runtime directory (the image is an empty stand-in, the
# runtime path one that cannot exist), which covers the image, planning and hook classes.
: > "$tmp/img.sqsh"
printf 'image = "%s"\n' "$tmp/img.sqsh" > "$tmp/e.toml"
printf 'runtime_path = "/proc/slipway-cds-training"\n' > "$tmp/start.toml"
plugin "{\"op\":\"start\",\"environment\":\"$tmp/e.toml\",\"cwd\":\"$tmp\",\"config\":\"$tmp/start.toml\",\"env\":$env,\"job\":{\"job_id\":1,\"step_id\":0,\"uid\":0,\"gid\":0,\"local_tasks\":1,\"node\":\"n\"}}"

cat "$tmp"/classes.* | sort -u > "$tmp/classes.lst"
rm -f "$archive"
"$java" -Xshare:dump -XX:SharedClassListFile="$tmp/classes.lst" -XX:SharedArchiveFile="$archive" \
    -cp "$jar" -Xlog:cds=off >/dev/null 2>&1
test -s "$archive"

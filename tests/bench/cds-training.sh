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
plugin() {   # plugin REQUEST PREFIX
    n=$((n + 1))
    printf '%s' "$1" | "$java" -Xshare:off -XX:DumpLoadedClassList="$tmp/classes.$n" -cp "$jar" \
        -Dslipway.prefix="$2" -Dslipway.native.library="$prefix/lib/slipway/libslipway.so" \
        io.slipway.slurm.PluginHost >/dev/null 2>&1 || true
}
env="{\"HOME\":\"$tmp\",\"EDF_PATH\":\"$examples\",\"USER\":\"cds\"}"
plugin "{\"op\":\"validate\",\"environment\":\"demo\",\"cwd\":\"$tmp\",\"config\":\"$tmp/none.toml\",\"env\":$env}" "$prefix"
# The start runs the whole Java side of a container start against stand-in helpers, so no
# namespace or mount is made at build time: the first one plays the helper chain's protocol
# ("created PID", wait for go, "ready PID", stop itself as the keeper does), the others fail at
# once. That covers the image, planning, hook, start and keep classes.
: > "$tmp/img.sqsh"
printf 'image = "%s"\n' "$tmp/img.sqsh" > "$tmp/e.toml"
mkdir -p "$tmp/run" "$tmp/fake/libexec/slipway"
for h in rootfs mount sync switchroot nsexec keeper; do ln -s /bin/false "$tmp/fake/libexec/slipway/slipway-$h"; done
cat > "$tmp/fake/libexec/slipway/slipway-unshare" <<'SH'
#!/bin/sh
while [ $# -gt 0 ] && [ "${1##*/}" != slipway-sync ]; do shift; done
[ $# -ge 3 ] || exit 125
echo $$ > "${0%/libexec/slipway/*}/keeper.pid"
echo "created $$" > "$2"
read -r go < "$3"
echo "ready $$" > "$2"
kill -STOP $$
SH
chmod 0755 "$tmp/fake/libexec/slipway/slipway-unshare"
printf 'runtime_path = "%s/run"\nhooks_dirs = []\n' "$tmp" > "$tmp/start.toml"
start="{\"op\":\"start\",\"environment\":\"$tmp/e.toml\",\"cwd\":\"$tmp\",\"config\":\"$tmp/start.toml\",\"env\":$env,\"job\":{\"job_id\":1,\"step_id\":0,\"uid\":$(id -u),\"gid\":$(id -g),\"local_tasks\":1,\"node\":\"n\"}}"
plugin "$start" "$tmp/fake"
if [ -s "$tmp/fake/keeper.pid" ]; then
    kill -KILL "$(cat "$tmp/fake/keeper.pid")" 2>/dev/null || true
fi

# An image import, cold (pull and squash) then warm, from a loopback registry of one tiny image
# served by the jar itself (no registry needs to be installed where this runs).
mkfifo "$tmp/registry.in"
"$java" -cp "$jar" io.slipway.cli.CdsTrainingRegistry < "$tmp/registry.in" > "$tmp/registry.port" 2>/dev/null &
exec 9> "$tmp/registry.in"
for _ in $(seq 100); do [ -s "$tmp/registry.port" ] && break; sleep 0.1; done
port=$(cat "$tmp/registry.port" 2>/dev/null || true)
if [ -n "$port" ]; then
    printf 'insecure_registries = ["127.0.0.1:%s"]\n' "$port" > "$tmp/registry.toml"
    mkdir -p "$tmp/store"
    for _ in cold warm; do
        n=$((n + 1))
        EDF_IMAGESTORE="$tmp/store" HOME="$tmp" USER=cds SLIPWAY_CONFIG="$tmp/registry.toml" \
            "$java" -Xshare:off -XX:DumpLoadedClassList="$tmp/classes.$n" -cp "$jar" \
            -Dslipway.native.library="$prefix/lib/slipway/libslipway.so" \
            io.slipway.cli.Main image import "127.0.0.1:$port/train/img:1" >/dev/null 2>&1 || true
    done
fi
exec 9>&-
wait

# Every class of Slipway's own, too: the runs above cannot reach all of them (the planning of a
# user's container as root, hooks), and a class from the jar costs a start 0.5 to 1 ms to load.
jar_tool=${JAVA_HOME:+$JAVA_HOME/bin/}jar
if command -v "$jar_tool" >/dev/null 2>&1; then
    "$jar_tool" tf "$jar" | sed -n 's|^\(io/slipway/.*\)\.class$|\1|p' > "$tmp/classes.own"
elif command -v unzip >/dev/null 2>&1; then
    unzip -Z1 "$jar" | sed -n 's|^\(io/slipway/.*\)\.class$|\1|p' > "$tmp/classes.own"
fi
cat "$tmp"/classes.* | sort -u > "$tmp/classes.lst"
rm -f "$archive"
"$java" -Xshare:dump -XX:SharedClassListFile="$tmp/classes.lst" -XX:SharedArchiveFile="$archive" \
    -cp "$jar" -Xlog:cds=off >/dev/null 2>&1
test -s "$archive"

#!/bin/bash
# What --environment adds to a Slurm step: `srun --environment=X true` against plain `srun true`
# on the same cluster (the plugin loaded in both), with the image already in the store, each the
# median of N runs; printed as added milliseconds and as a ratio. Then the added time broken down
# per phase (submission check in srun, reused from the plugin's check cache when nothing changed,
# container start and stop in slurmstepd, from the plugin's debug log and `srun -v`), and
# slurmstepd's peak RSS with and without a container.
# Usage (as root, after make): tests/bench/step.sh [N]   (default 20)
# SLIPWAY_BENCH_PLUGIN_ARGS adds plugstack arguments (e.g. java_option=...) to compare settings.
# SLIPWAY_BENCH_HOOKS=DIR runs the OCI hooks of DIR (e.g. build/etc/slipway/hooks.d) instead of
# none; SLIPWAY_BENCH_GLIBC=1 adds the host's glibc and a linker cache to the image, so that the
# Slurm hook does its whole work rather than skipping a static image.
# Brings up its own single-node cluster (tests/setup/slurm-cluster.sh) and stops it at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-20}
# shellcheck source=../integration/lib/slurm.bash
. "$root/tests/integration/lib/slurm.bash"
SLURM_TEST_ROOT=${SLIPWAY_SLURM_TEST_ROOT:-/run/slipway-bench}
work=$(mktemp -d /tmp/slipway-bench.XXXXXX)
chmod 0755 "$work"
cleanup() { slurm_down >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# A busybox image and an EDF for it, readable by the job user.
mkdir -p "$work/root/bin" "$work/root/etc" "$work/root/proc" "$work/root/dev" "$work/root/sys" "$work/root/tmp"
cp "$(command -v busybox)" "$work/root/bin/busybox"
for a in sh true sleep cat; do ln -s busybox "$work/root/bin/$a"; done
if [ "${SLIPWAY_BENCH_GLIBC:-}" = 1 ]; then
    for f in /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/{libc.so.6,libm.so.6,libresolv.so.2}; do
        mkdir -p "$work/root$(dirname "$f")" && cp -L "$f" "$work/root$f"
    done
    echo /lib/x86_64-linux-gnu > "$work/root/etc/ld.so.conf"
    ldconfig -r "$work/root"
fi
mksquashfs "$work/root" "$work/img.sqsh" -noappend -quiet -no-progress -all-root >/dev/null
printf 'image = "%s"\n' "$work/img.sqsh" > "$work/bench.toml"
if [ -n "${SLIPWAY_BENCH_HOOKS:-}" ]; then
    printf 'hooks_dirs = ["%s"]\n' "$(cd "$SLIPWAY_BENCH_HOOKS" && pwd)" > "$work/slipway.toml"
else
    printf 'hooks_dirs = []\n' > "$work/slipway.toml"
fi
chmod -R a+rX "$work"
printf 'required %s/build/lib/slurm/spank_slipway.so config=%s/slipway.toml log_level=debug %s\n' "$root" "$work" "${SLIPWAY_BENCH_PLUGIN_ARGS:-}" \
    > "$work/plugstack.conf"
BATS_TEST_FILENAME=step.bench slurm_up --plugstack "$work/plugstack.conf"

ms_median() {   # median wall time in ms of N runs of "$@"
    local times=() s e
    for _ in $(seq "$n"); do
        s=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s%N)
        times+=($(((e - s) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# Files changed in the last 2 s are not trusted by the plugin's check cache (CheckCache.RACY).
sleep 2.1
as_user srun --environment="$work/bench.toml" true   # warm the page cache and the JVM's files
plain=$(ms_median as_user srun true)
with=$(ms_median as_user srun --environment="$work/bench.toml" true)
echo "median of $n runs on $(nproc) cores:"
printf '  srun true                      %5d ms\n' "$plain"
printf '  srun --environment=X true      %5d ms   (+%d ms, %.2fx)\n' "$with" $((with - plain)) \
    "$(echo "$with / $plain" | bc -l)"

# Per phase, from one more run: the submission check is a Java request in srun (timed here by
# running srun until its plugin has answered: `srun --environment=X --test-only` would also ask
# slurmctld, so time the check alone through the JNI host with the same request the plugin makes).
log=$(slurm_log "$(hostname -s)")
# -v is part of the check cache's key: the first -v run records its check, the second reuses it.
as_user srun -v --environment="$work/bench.toml" true >/dev/null 2>&1
: > "$work/v.txt"
as_user srun -v --environment="$work/bench.toml" true 2> "$work/v.txt" >/dev/null
sleep 0.5
req="{\"op\":\"validate\",\"environment\":\"$work/bench.toml\",\"cwd\":\"$work\",\"config\":\"$work/slipway.toml\",\"env\":{\"HOME\":\"$work\"}}"
host() {
    printf '%s' "$req" | runuser -u "$SLURM_TEST_USER" -- "$root/build/libexec/slipway/slipway-jvmhost" \
        /usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so -Djava.class.path="$root/build/share/slipway/slipway.jar" \
        -Dslipway.prefix="$root/build" -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -XX:-UsePerfData -Xss1m \
        -XX:SharedArchiveFile="$root/build/share/slipway/slipway.jsa" -Xlog:cds=off 3>/dev/null
}
check=$(ms_median host)
echo "phases (one run; the container start includes the JVM start):"
if grep -q 'slipway: EDF check reused' "$work/v.txt"; then
    printf '  submission check in srun: reused (the EDF and its inputs are unchanged), no JVM\n'
    printf '    when the EDF changed: JVM + EDF          %5d ms (median of %d)\n' "$check" "$n"
else
    printf '  submission check in srun (JVM + EDF)     %5d ms (median of %d)\n' "$check" "$n"
fi
request=$(grep -o 'Java core request took [0-9]* ms' "$log" | tail -1 | grep -o '[0-9]*')
read -r edf image start < <(grep -o 'EDF [0-9]* ms, image [0-9]* ms, start [0-9]* ms' "$work/v.txt" | tr -dc '0-9 ' \
    | awk '{print $1, $2, $3}')
printf '  container start in the first task           %5d ms\n' "$request"
printf '    JVM start, class loading, exit             %5d ms\n' $((request - edf - image - start))
printf '    EDF (read the carried EDF, resolve)        %5d ms\n' "$edf"
printf '    image check (store lookup)                 %5d ms\n' "$image"
printf '    mounts, hooks, keeper ready                %5d ms\n' "$start"
echo "  join (setns, environment, chdir) and stop: in C, no JVM (well under 1 ms each)"

# slurmstepd's peak RSS (VmHWM) during a step, without and with a container.
hwm() {
    as_user srun "$@" sleep 2 >/dev/null 2>&1 &
    local job=$! peak=0 v p
    sleep 1.2
    for p in $(pgrep -f '^slurmstepd: \[[0-9]+\.[0-9]+\]'); do
        v=$(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
        [ "${v:-0}" -gt "$peak" ] && peak=$v
    done
    wait "$job"
    echo "$peak"
}
printf 'slurmstepd peak RSS: %d kB without a container, %d kB with one\n' "$(hwm)" \
    "$(hwm --environment="$work/bench.toml")"

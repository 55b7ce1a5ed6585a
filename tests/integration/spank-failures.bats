#!/usr/bin/env bats
# How the plugin fails when the Java core does: a timeout, a killed JVM (what the OOM killer or a
# crash looks like from outside), no usable libjvm. Each must fail the step or the submission with
# a `slipway:` message on srun's stderr, leave no process and no runtime directory behind, and
# leave slurmd running. The plugin's arguments change between tests by rewriting plugstack.conf,
# which srun and every new slurmstepd read afresh.

bats_require_minimum_version 1.5.0
load lib/slurm

ROOT="$BATS_TEST_DIRNAME/../.."

setup_file() {
    export T=$(mktemp -d /tmp/slipway-failures.XXXXXX)
    chmod 0755 "$T"
    chmod 0666 /dev/fuse
    # An image whose entrypoint takes its time before handing over to the keeper.
    local r="$T/root"
    mkdir -p "$r"/{bin,etc,proc,dev,sys,tmp}
    cp "$(command -v busybox)" "$r/bin/busybox"
    for a in sh sleep true cat; do ln -s busybox "$r/bin/$a"; done
    printf '#!/bin/sh\nsleep "${SLOW:-0}"\nexec "$@"\n' > "$r/bin/slow-entry"
    chmod 0755 "$r/bin/slow-entry"
    mksquashfs "$r" "$T/img.sqsh" -noappend -quiet -no-progress -all-root >/dev/null
    printf '{"env": ["PATH=/bin"], "entrypoint": ["/bin/slow-entry"], "cmd": [], "workingDir": "/", "user": null, "labels": {}}\n' \
        > "$T/img.sqsh.json"
    printf 'image = "%s"\nentrypoint = true\n[env]\nSLOW = "${SLOW:-0}"\n' "$T/img.sqsh" > "$T/slow.toml"
    printf 'hooks_dirs = []\nruntime_path = "%s/run"\n' "$T" > "$T/slipway.toml"
    mkdir -p "$T/run" && chmod 1777 "$T/run"
    chmod -R a+rX "$T"
    plugstack
    slurm_up --plugstack "$T/plugstack.conf"
}

teardown_file() {
    slurm_down
    [ -n "${T:-}" ] && rm -rf "$T"
}

# plugstack [ARG...]: the plugin line with the test's config and ARGs, written where the cluster
# reads it (the state directory's copy once the cluster is up).
plugstack() {
    local line
    line="required $ROOT/build/lib/slurm/spank_slipway.so config=$T/slipway.toml $*"
    echo "$line" > "$T/plugstack.conf"
    if [ -n "${SLIPWAY_SLURM_STATE:-}" ] && [ -f "$SLIPWAY_SLURM_STATE/plugstack.conf" ]; then
        echo "$line" > "$SLIPWAY_SLURM_STATE/plugstack.conf"
    fi
}

# Nothing of the user's may be left: no JVM host, keeper, FUSE daemon, and no runtime directory.
assert_clean() {
    local left
    for _ in $(seq 50); do
        left=$(ps -u "$SLURM_TEST_USER" -o stat=,comm= | awk '$1 !~ /^Z/ {print $2}' | sort -u | tr '\n' ' ')
        [ -z "$left" ] && [ -z "$(ls -A "$T/run")" ] && return 0
        sleep 0.1
    done
    echo "left behind: processes [$left], runtime dirs [$(ls -A "$T/run")]" >&2
    return 1
}

assert_slurmd_works() {
    plugstack
    run_srun --environment="$T/slow.toml" cat /etc/hostname-missing-is-fine 2>/dev/null || true
    run_srun --environment="$T/slow.toml" true
    [ "$status" -eq 0 ]
}

@test "a Java core slower than timeout= fails the step cleanly" {
    plugstack timeout=2
    local start=$SECONDS
    run --separate-stderr as_user env SLOW=30 timeout 60 srun --environment="$T/slow.toml" true
    [ "$status" -ne 0 ]
    [ $((SECONDS - start)) -lt 20 ]
    [[ $stderr == *"slipway: the Java core did not answer within 2 s"* ]]
    assert_clean
    assert_slurmd_works
    assert_clean
}

@test "a JVM killed mid-start (OOM killer, crash) fails the step cleanly" {
    plugstack
    as_user env SLOW=30 timeout 60 srun --environment="$T/slow.toml" true > "$T/killed.out" 2> "$T/killed.err" &
    local job=$! host=
    for _ in $(seq 100); do
        host=$(pgrep -u "$SLURM_TEST_USER" -f slipway-jvmhost | head -1)
        # Wait until the container is starting (its entrypoint sleeps), then kill the JVM.
        [ -n "$host" ] && pgrep -u "$SLURM_TEST_USER" -x sleep >/dev/null && break
        sleep 0.1
    done
    [ -n "$host" ]
    kill -KILL "$host"
    local rc=0
    wait "$job" || rc=$?
    [ "$rc" -ne 0 ]
    grep -q "slipway: the Java core was killed by signal 9" "$T/killed.err" || { cat "$T/killed.err" >&2; false; }
    # The JVM had no chance to clean up, but what it started was adopted by the task and killed
    # with it; its runtime directory goes at the next start on the node.
    assert_slurmd_works
    assert_clean
}

@test "no usable libjvm fails the submission with what was tried" {
    plugstack libjvm=/nonexistent/libjvm.so
    run --separate-stderr as_user timeout 60 srun --environment="$T/slow.toml" true
    [ "$status" -ne 0 ]
    [[ $stderr == *"slipway: cannot load the Java VM /nonexistent/libjvm.so"* ]]
    [[ $stderr != *"Granted"* ]]
    assert_clean
    assert_slurmd_works
}

@test "an unknown plugstack argument is named" {
    plugstack colour=blue
    run --separate-stderr as_user timeout 60 srun true
    [ "$status" -ne 0 ]
    [[ $stderr == *"slipway: plugstack.conf: unknown argument 'colour'"* ]]
    assert_slurmd_works
}

@test "after make install PREFIX=P, the bare plugstack line works with P's configuration" {
    local p="$T/prefix"
    make -C "$ROOT" -s install PREFIX="$p" >/dev/null
    chmod -R a+rX "$p"
    printf 'image = "%s"\n' "$T/img.sqsh" > "$p/etc/slipway/edf/installed.toml"
    printf 'hooks_dirs = []\n' >> "$p/etc/slipway/slipway.toml"
    echo "required $p/lib/slurm/spank_slipway.so" > "$SLIPWAY_SLURM_STATE/plugstack.conf"
    run --separate-stderr as_user timeout 60 srun --environment=installed cat /bin/slow-entry
    plugstack
    [ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
    [[ $output == *'exec "$@"'* ]]
    # The EDF was found through P's configuration: the test's own configuration does not know it.
    run_srun --environment=installed true
    [ "$status" -ne 0 ]
    assert_clean
}

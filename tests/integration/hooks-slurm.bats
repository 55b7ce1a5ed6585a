#!/usr/bin/env bats
# The Slurm-side built-in hooks on a real two-node Slurm cluster (n1, n2 on this machine), as an
# unprivileged user, with the hook files as shipped (build/etc/slipway/hooks.d):
# - slurm: the host's srun, squeue, scontrol... work inside a glibc container, from a step and
#   from a batch script run with #SBATCH --environment (which starts steps of its own), and are
#   left out cleanly for an image without glibc or when turned off;
# - pmix: under srun --mpi=pmix the PMIx server's directories and PMIX_MCA_* variables are there;
# - slurm-global-sync: a two-node step meets, and a node that never comes fails the step by name.
#
# Run: bats tests/integration/hooks-slurm.bats (as root, after `make`).

bats_require_minimum_version 1.5.0
load lib/spank

# glibc.sqsh: busybox plus the host's glibc (loader, libc, libm, libresolv) and a linker cache, and
# nothing of Slurm: no liblz4, libmunge, libstdc++, which the hook must bring. static.sqsh: the
# static busybox alone, an image host programs cannot run in (as musl's Alpine).
setup_file() {
    [ -x "$SPANK_REPO/build/lib/slurm/spank_slipway.so" ] || { echo "build first: make" >&2; return 1; }
    export T
    T=$(mktemp -d /tmp/slipway-hooks-slurm.XXXXXX)
    chmod 0755 "$T"
    chmod 0666 /dev/fuse
    slurm_user_setup
    chmod -R a+rX "$SPANK_REPO/build"
    local config='{"env": ["PATH=/bin"], "entrypoint": null, "cmd": ["sh"], "workingDir": "/", "user": null, "labels": {}}'
    spank_busybox_rootfs "$T/static" "Slipway Static"
    spank_squash "$T/static" "$T/static.sqsh" "$config"
    spank_busybox_rootfs "$T/glibc" "Slipway Glibc"
    local f
    for f in /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/{libc.so.6,libm.so.6,libresolv.so.2}; do
        mkdir -p "$T/glibc$(dirname "$f")"
        cp -L "$f" "$T/glibc$f"
    done
    echo /lib/x86_64-linux-gnu > "$T/glibc/etc/ld.so.conf"
    ldconfig -r "$T/glibc"
    spank_squash "$T/glibc" "$T/glibc.sqsh" "$config"
    rm -rf "$T/static" "$T/glibc"

    mkdir -p "$T/edf" "$T/hooks.d" "$T/out"
    chown "$SLURM_TEST_USER" "$T/out"
    cp "$SPANK_REPO"/build/etc/slipway/hooks.d/{20-slurm,30-pmix,90-slurm-global-sync}.json "$T/hooks.d/"
    # A second sync hook with a short timeout, for the test of a node that never arrives.
    sed -e 's/SYNC_TIMEOUT=300/SYNC_TIMEOUT=2/' -e 's/com\\\\.hooks\\\\.slurm-global-sync\\\\.enabled/test\\\\.sync-quick/' \
        "$T/hooks.d/90-slurm-global-sync.json" > "$T/hooks.d/91-sync-quick.json"
    grep -q '"SYNC_TIMEOUT=2"' "$T/hooks.d/91-sync-quick.json"
    grep -q 'test\\\\.sync-quick' "$T/hooks.d/91-sync-quick.json"
    cat > "$T/slipway.toml" <<TOML
hooks_dirs = ["$T/hooks.d"]
enroot_sysconf_path = "$SPANK_REPO/build/etc/slipway/enroot"
TOML
    echo "required $SPANK_REPO/build/lib/slurm/spank_slipway.so config=$T/slipway.toml" > "$T/plugstack.conf"
    chmod -R a+rX "$T"
    slurm_up --nodes 2 --plugstack "$T/plugstack.conf"
}

teardown_file() {
    slurm_down
    [ -n "${T:-}" ] && rm -rf "$T"
}

teardown() {
    rm -f "$T"/out/*
    rm -rf "$(slurm_user_home)/.oci-hooks"
    spank_no_leftovers
}

# edf NAME IMAGE [LINE...]: an EDF that also shows $T/edf and $T/out inside, so that srun in the
# container finds the EDFs by the same paths and batch scripts can leave their results.
edf() {
    local name=$1 image=$2
    shift 2
    spank_edf "$name" "image = \"$T/$image.sqsh\"" "mounts = [\"$T/edf:$T/edf:ro\", \"$T/out:/out\"]" "$@"
}

@test "slurm: srun --environment=X runs squeue and scontrol of the host inside the container" {
    local e
    e=$(edf glibc glibc)
    run --separate-stderr as_user timeout 60 srun -v -N1 -w n1 --environment="$e" \
        sh -c 'head -n1 /etc/os-release; command -v srun; squeue -h -j $SLURM_JOB_ID -o "%i %t";
               scontrol show job $SLURM_JOB_ID | head -n1 | cut -d" " -f1; echo "job $SLURM_JOB_ID"'
    echo "$output"
    echo "$stderr" | grep -i hook
    [ "$status" -eq 0 ]
    local job
    job=$(sed -n 's/^job //p' <<< "$output")
    [ "$(sed -n 1,4p <<< "$output")" = "$(printf 'NAME="Slipway Glibc"\n/opt/slipway/slurm/bin/srun\n%s R\nJobId=%s' "$job" "$job")" ]
    [[ $stderr == *"hook 20-slurm: added srun "* ]]
    # liblz4 (srun) and libmunge (the auth plugin) are not in the image: the hook brought them.
    grep -E "hook 20-slurm: .* [1-9][0-9]* host libraries the image lacks" <<< "$stderr"
}

@test "slurm: a batch script run with #SBATCH --environment starts steps with and without their own --environment and queries the queue" {
    local e other
    e=$(edf batch glibc)
    other=$(edf other static)
    cat > "$T/job.sh" <<SH
#!/bin/sh
#SBATCH --environment=$e
head -n1 /etc/os-release > /out/batch
squeue -h -j \$SLURM_JOB_ID -o %i >> /out/batch
scontrol show job \$SLURM_JOB_ID | head -n1 | cut -d" " -f1 >> /out/batch
srun -N1 head -n1 /etc/os-release >> /out/batch 2>> /out/err
srun -N1 --environment=$other head -n1 /etc/os-release >> /out/batch 2>> /out/err
srun -N1 --environment=$e squeue -h -j \$SLURM_JOB_ID -o %i >> /out/batch 2>> /out/err
echo done >> /out/batch
SH
    chmod 0755 "$T/job.sh"
    run_sbatch --wait -N1 -w n1 -o "$T/out/slurm-%j.out" "$T/job.sh"
    cat "$T"/out/slurm-*.out "$T/out/err" || true
    cat "$T/out/batch"
    [ "$status" -eq 0 ]
    local job
    job=$(sed -n 2p "$T/out/batch")
    [[ $job =~ ^[0-9]+$ ]]
    [ "$(cat "$T/out/batch")" = "$(printf 'NAME="Slipway Glibc"\n%s\nJobId=%s\nNAME="Slipway Glibc"\nNAME="Slipway Static"\n%s\ndone' \
        "$job" "$job" "$job")" ]
}

@test "slurm: an image without glibc's loader starts without the Slurm commands, with a note" {
    run --separate-stderr as_user timeout 60 srun -v -N1 -w n1 --environment="$(edf static static)" \
        sh -c 'head -n1 /etc/os-release; command -v squeue || echo "no squeue"'
    echo "$stderr" | grep -i hook
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'NAME="Slipway Static"\nno squeue')" ]
    [[ $stderr == *"hook 20-slurm: the image has no /lib64/ld-linux-x86-64.so.2 (not a glibc image): Slurm commands not added"* ]]
}

@test "slurm: com.hooks.slurm.enabled = \"false\" and ENROOT_SLURM_HOOK=0 turn it off" {
    local off env0
    off=$(edf off glibc '[annotations]' 'com.hooks.slurm.enabled = "false"')
    env0=$(edf env0 glibc '[env]' 'ENROOT_SLURM_HOOK = "0"')
    run_srun -N1 -w n1 --environment="$off" sh -c 'command -v squeue || echo "no squeue"'
    [ "$status" -eq 0 ]
    [ "$output" = "no squeue" ]
    run --separate-stderr as_user timeout 60 srun -v -N1 -w n1 --environment="$env0" sh -c 'command -v squeue || echo "no squeue"'
    [ "$status" -eq 0 ]
    [ "$output" = "no squeue" ]
    [[ $stderr == *"hook 20-slurm: off (ENROOT_SLURM_HOOK=0)"* ]]
}

# The Slurm hook is off here, so only the PMIx hook can have put the directories there.
@test "pmix: under srun --mpi=pmix the server's directories and PMIX_MCA_* are in the container" {
    local e
    e=$(edf pmix glibc '[annotations]' 'com.hooks.slurm.enabled = "false"')
    run --separate-stderr as_user timeout 60 srun -v --mpi=pmix -N1 -n2 -w n1 --environment="$e" \
        sh -c '[ -d "$PMIX_SERVER_TMPDIR" ] && [ -d "$0/spmix_appdir_${SLURM_JOB_UID}_$SLURM_JOB_ID.0" ] \
               && echo "$SLURM_PROCID ${PMIX_MCA_gds:-unset} ${PMIX_MCA_psec:-unset} $PMIX_GDS_MODULE $PMIX_SECURITY_MODE"' \
        "$SLIPWAY_SLURM_STATE/tmp/n1"
    echo "$output"
    echo "$stderr" | grep -i hook
    [ "$status" -eq 0 ]
    [ "$(wc -l <<< "$output")" -eq 2 ]
    local id gds psec gdsmod psecmod
    while read -r id gds psec gdsmod psecmod; do
        [ "$gds" = "$gdsmod" ] && [ "$psec" = "$psecmod" ] && [ "$gds" != unset ]
    done <<< "$output"
    [[ $stderr == *"hook 30-pmix: PMIx directories "* ]]
    # Without --mpi=pmix the hook does nothing.
    run --separate-stderr as_user timeout 60 srun -v -N1 -w n1 --environment="$e" sh -c 'echo ${PMIX_MCA_gds:-unset}'
    [ "$output" = unset ]
    [[ $stderr != *"hook 30-pmix"* ]]
}

@test "slurm-global-sync: both nodes of srun -N2 meet, and the meeting directory is removed" {
    local e home
    home=$(slurm_user_home)
    e=$(edf sync glibc '[annotations]' 'com.hooks.slurm-global-sync.enabled = "true"')
    run --separate-stderr as_user timeout 60 srun -v -N2 --environment="$e" sh -c 'echo "node $SLURM_NODEID"'
    echo "$stderr" | grep -i sync
    [ "$status" -eq 0 ]
    [ "$(sort <<< "$output")" = "$(printf 'node 0\nnode 1')" ]
    [ "$(grep -c "hook 90-slurm-global-sync: node [01] of 2: all arrived" <<< "$stderr")" -eq 2 ]
    [ -z "$(ls -A "$home/.oci-hooks/slurm-global-sync")" ]
}

@test "slurm-global-sync: files left by a crashed run of the same job and step ids do not count" {
    local e home job next d
    home=$(slurm_user_home)
    e=$(edf sync glibc '[annotations]' 'com.hooks.slurm-global-sync.enabled = "true"')
    job=$(spank_new_job_id)
    next=$((job + 1))
    d="$home/.oci-hooks/slurm-global-sync/jobid-$next-stepid-0"
    mkdir -p "$d/arrival" "$d/departure"
    for f in arrival/node-0 arrival/node-1 departure/node-1; do echo crashed > "$d/$f"; done
    chown -R "$SLURM_TEST_USER" "$home/.oci-hooks"
    run_srun -N2 --environment="$e" sh -c 'echo "job $SLURM_JOB_ID"'
    [ "$status" -eq 0 ]
    [ "$(sort -u <<< "$output")" = "job $next" ]
    [ ! -e "$d" ]
}

# A one-node step that claims two nodes: node 1 ("ghost") never arrives.
@test "slurm-global-sync: a node that never arrives fails the step after the timeout, named" {
    local e
    e=$(edf ghost glibc '[annotations]' 'test.sync-quick = "true"' '[env]' 'SLURM_STEP_NUM_NODES = "2"' \
        'SLURM_STEP_NODELIST = "n1,ghost"')
    run --separate-stderr as_user timeout 60 srun -N1 -w n1 --environment="$e" true
    echo "$stderr"
    [ "$status" -ne 0 ]
    [[ $stderr == *"91-sync-quick.json"* ]]
    [[ $stderr == *"slurm-global-sync: waited 2 s for the containers of the step on all 2 nodes; ghost (node 1) did not start theirs (1 of 2 arrived"* ]]
}

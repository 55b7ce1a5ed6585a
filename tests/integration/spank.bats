#!/usr/bin/env bats
# Slipway's SPANK plugin end to end on a real one-node Slurm cluster, as an unprivileged user:
# srun, sbatch and salloc with --environment; EDF search, inheritance, mounts, workdir, the
# environment, writable and entrypoint; one container per node shared by the tasks with one image
# pull from a loopback registry; errors at submission and on the node; scancel during a pull;
# MPI inside the container; what -v and slurmd's log show. Every test checks at its end that the
# job user has no process left (keepers, FUSE daemons, JNI hosts).
#
# Run: bats tests/integration/spank.bats (as root, after `make`; tests/setup/install-deps.sh).

bats_require_minimum_version 1.5.0
load lib/spank

setup_file() {
    spank_setup_file
}

teardown_file() {
    spank_teardown_file
}

setup() {
    HOME_DIR=$(slurm_user_home)
    IMG=$T/img.sqsh
    TINY="127.0.0.1:$PORT#team/tiny:1"
}

teardown() {
    rm -rf "$HOME_DIR/.edf" "$HOME_DIR"/*.toml "$HOME_DIR"/slurm-*.out "$T"/sysedf/*
    spank_no_leftovers
}

os_name() { sed -n 's/^NAME="\(.*\)"$/\1/p' <<< "$1"; }

# --- Finding the EDF -------------------------------------------------------------------------

@test "--environment=NAME finds NAME.toml in ~/.edf" {
    mkdir -p "$HOME_DIR/.edf"
    printf 'image = "%s"\n' "$IMG" > "$HOME_DIR/.edf/mine.toml"
    chown -R "$SLURM_TEST_USER" "$HOME_DIR/.edf"
    run_srun --environment=mine cat /etc/os-release
    [ "$status" -eq 0 ]
    [ "$(os_name "$output")" = "Slipway Test Linux" ]
}

@test "--environment=NAME searches EDF_PATH, first directory first" {
    spank_edf inpath "image = \"$IMG\"" >/dev/null
    run as_user env EDF_PATH="$T/nowhere:$T/edf" timeout 60 srun --environment=inpath cat /etc/os-release
    [ "$status" -eq 0 ]
    [ "$(os_name "$output")" = "Slipway Test Linux" ]
}

@test "a system EDF (edf_system_search_path) is found by name; the user's own shadows it" {
    printf 'image = "%s"\n[env]\nWHICH = "system"\n' "$IMG" > "$T/sysedf/site.toml"
    chmod 0644 "$T/sysedf/site.toml"
    run_srun --environment=site sh -c 'echo $WHICH'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = system ]
    mkdir -p "$HOME_DIR/.edf"
    printf 'image = "%s"\n[env]\nWHICH = "user"\n' "$IMG" > "$HOME_DIR/.edf/site.toml"
    chown -R "$SLURM_TEST_USER" "$HOME_DIR/.edf"
    run_srun --environment=site sh -c 'echo $WHICH'
    [ "$status" -eq 0 ]
    [ "$output" = user ]
}

@test "--environment takes ./relative.toml (from srun's directory) and an absolute path" {
    printf 'image = "%s"\n' "$IMG" > "$HOME_DIR/rel.toml"
    chown "$SLURM_TEST_USER" "$HOME_DIR/rel.toml"
    run_srun --environment=./rel.toml cat /etc/os-release
    [ "$status" -eq 0 ]
    [ "$(os_name "$output")" = "Slipway Test Linux" ]
    run_srun --environment="$(spank_edf absolute "image = \"$IMG\"")" cat /etc/os-release
    [ "$status" -eq 0 ]
    [ "$(os_name "$output")" = "Slipway Test Linux" ]
}

@test "--edf is an alias of --environment" {
    run_srun --edf="$(spank_edf alias "image = \"$IMG\"")" cat /etc/os-release
    [ "$status" -eq 0 ]
    [ "$(os_name "$output")" = "Slipway Test Linux" ]
}

# Slurm's own variable for a SPANK option works in 22.05 (salloc and sbatch set it for their
# jobs); SLIPWAY_ENVIRONMENT is Slipway's, used only when no option was given.
@test "SLIPWAY_ENVIRONMENT and SLURM_SPANK__SLURM_SPANK_OPTION_slipway_environment select the EDF" {
    local edf other
    edf=$(spank_edf byvar "image = \"$IMG\"")
    other=$(spank_edf other "image = \"$T/mpi.sqsh\"")
    run as_user env SLIPWAY_ENVIRONMENT="$edf" timeout 60 srun cat /etc/os-release
    [ "$status" -eq 0 ]
    [ "$(os_name "$output")" = "Slipway Test Linux" ]
    run as_user env SLURM_SPANK__SLURM_SPANK_OPTION_slipway_environment="$edf" timeout 60 srun cat /etc/os-release
    [ "$status" -eq 0 ]
    [ "$(os_name "$output")" = "Slipway Test Linux" ]
    # The command line wins over both.
    run as_user env SLIPWAY_ENVIRONMENT="$edf" SLURM_SPANK__SLURM_SPANK_OPTION_slipway_environment="$edf" \
        timeout 60 srun --environment="$other" cat /etc/os-release
    [ "$status" -eq 0 ]
    [ "$(os_name "$output")" = "Slipway MPI" ]
}

# --- What the EDF describes ------------------------------------------------------------------

@test "base_environment: the base's mounts and variables apply, the child's win" {
    mkdir -p "$T/basedata" && echo from-base > "$T/basedata/file" && chmod -R a+rX "$T/basedata"
    mkdir -p "$HOME_DIR/.edf"
    printf 'mounts = ["%s:/base"]\n[env]\nFROM_BASE = "base"\nBOTH = "base"\n' "$T/basedata" > "$HOME_DIR/.edf/base.toml"
    printf 'base_environment = "base"\nimage = "%s"\n[env]\nBOTH = "child"\n' "$IMG" > "$HOME_DIR/.edf/child.toml"
    chown -R "$SLURM_TEST_USER" "$HOME_DIR/.edf"
    run_srun --environment=child sh -c 'cat /base/file; echo "$FROM_BASE $BOTH"'
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'from-base\nbase child')" ]
    rm -rf "$T/basedata"
}

@test "mounts: a rw mount takes writes, a ro one refuses them; tasks start in workdir with PWD set" {
    mkdir -p "$T/rw" "$T/ro"
    echo hello > "$T/ro/file"
    chown -R "$SLURM_TEST_USER" "$T/rw" "$T/ro"
    local edf
    edf=$(spank_edf mounts "image = \"$IMG\"" "workdir = \"/data\"" "mounts = [\"$T/rw:/data\", \"$T/ro:/ro:ro\"]")
    run_srun --environment="$edf" sh -c 'echo "pwd=$(pwd) PWD=$PWD"; cat /ro/file; echo written > /data/out && echo rw-ok
        (echo x > /ro/new) 2>&1 || echo ro-refused'
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "pwd=/data PWD=/data" ]]
    [ "${lines[1]}" = hello ]
    [ "${lines[2]}" = rw-ok ]
    [[ $output == *"Read-only file system"* ]]
    [ "${lines[-1]}" = ro-refused ]
    [ "$(cat "$T/rw/out")" = written ]
    [ ! -e "$T/ro/new" ]
    rm -rf "$T/rw" "$T/ro"
}

# Without a workdir the image's WorkingDir is the tasks' directory, and PWD names it: the
# directory srun ran in is a host directory (it used to leak into the tasks as PWD when no
# entrypoint shell reset it).
@test "without workdir tasks start in the image's working directory, PWD included" {
    run as_user env PWD="$HOME_DIR" OLDPWD=/ timeout 60 srun \
        --environment="$(spank_edf plain "image = \"$IMG\"" "entrypoint = false")" env
    [ "$status" -eq 0 ]
    grep -qx "PWD=/srv/work" <<< "$output"
    ! grep -q "^OLDPWD=" <<< "$output"
}

@test "environment: EDF beats image beats host, EDF \"\" unsets, SLURM_* stay per task" {
    local edf
    edf=$(spank_edf env "image = \"$IMG\"" '[env]' 'EDF_OVER = "edf"' 'EDF_UNSET = ""' 'EDF_NEW = "new"')
    run as_user env HOST_ONLY=host SHARED=host EDF_OVER=host EDF_UNSET=host timeout 60 srun -n2 -l \
        --environment="$edf" sh -c 'echo "$SLURM_PROCID/$SLURM_LOCALID $HOST_ONLY $SHARED $IMAGE_VAR $EDF_OVER" \
            "${EDF_UNSET-unset} $EDF_NEW $PATH"'
    [ "$status" -eq 0 ]
    [ "$(sort <<< "$output")" = "$(printf '%s\n%s' \
        "0: 0/0 host image image edf unset new /bin:/opt/mpi" "1: 1/1 host image image edf unset new /bin:/opt/mpi")" ]
}

@test "writable = true (the default) gives a writable root whose changes vanish; false a read-only one" {
    local edf
    edf=$(spank_edf rw "image = \"$IMG\"")
    run_srun --environment="$edf" sh -c 'touch /newfile && echo made > /etc/made && cat /etc/made'
    [ "$status" -eq 0 ]
    [ "$output" = made ]
    run_srun --environment="$edf" test -e /etc/made
    [ "$status" -eq 1 ]
    run_srun --environment="$(spank_edf ro "image = \"$IMG\"" "writable = false")" touch /newfile
    [ "$status" -ne 0 ]
    [[ $output == *"Read-only file system"* ]]
}

@test "entrypoint = true runs the image's entrypoint before the tasks; false skips it" {
    run_srun --environment="$(spank_edf epon "image = \"$IMG\"")" sh -c 'echo "ep=${FROM_ENTRYPOINT:-no}"'
    [ "$status" -eq 0 ]
    [ "$output" = ep=yes ]
    run_srun --environment="$(spank_edf epoff "image = \"$IMG\"" "entrypoint = false")" \
        sh -c 'echo "ep=${FROM_ENTRYPOINT:-no}"'
    [ "$status" -eq 0 ]
    [ "$output" = ep=no ]
}

# --- One container per node ------------------------------------------------------------------

# Each task prints its mount namespace and the keeper it finds in it (SPANK_WHERE); -v prints
# each container start once.
@test "srun -n4 runs every task in one container (one keeper, one mount namespace), pulled once" {
    local store before keeper
    store=$(spank_store)
    sleep 1
    before=$(spank_blob_gets)
    run --separate-stderr as_user env EDF_IMAGESTORE="$store" timeout 60 srun -v -n4 --overcommit -l \
        --environment="$(spank_edf tiny "image = \"$TINY\"")" sh -c "$SPANK_WHERE"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(wc -l <<< "$output")" -eq 4 ]
    [ "$(cut -d' ' -f2- <<< "$output" | sort -u | wc -l)" -eq 1 ]
    [[ ${lines[0]} == *'NAME="Slipway Registry Linux"' ]]
    keeper=$(sed -n '1s/.* keeper=\([0-9]*\) .*/\1/p' <<< "$output")
    [ -n "$keeper" ]
    [ "$(grep -c 'slipway: container slurm-[0-9]*\.0-.* started: keeper pid' <<< "$stderr")" -eq 1 ]
    grep -q "started: keeper pid $keeper;" <<< "$stderr"
    spank_pulled_once "$before" "$store"
    rm -rf "$store"
}

# Without EDF_IMAGESTORE or SCRATCH the image is pulled for the step alone; it must not outlive
# the step in TMPDIR.
@test "without an image store the image pulled for the step is removed" {
    mkdir -p "$T/tmpdir" && chown "$SLURM_TEST_USER" "$T/tmpdir"
    run as_user env TMPDIR="$T/tmpdir" timeout 60 srun --environment="$(spank_edf nostore "image = \"$TINY\"")" \
        sh -c 'head -n1 /etc/os-release'
    [ "$status" -eq 0 ]
    [[ $output == *'NAME="Slipway Registry Linux"'* ]]
    [ -z "$(ls -A "$T/tmpdir")" ]
    rm -rf "$T/tmpdir"
}

# --- Batch and allocations ---------------------------------------------------------------------

# The batch script itself runs in the container. srun is not in the image, so steps cannot be
# started from inside it yet: that needs the Slurm hook of the hooks issue (#6), which brings
# srun and its configuration into the container. Until then the script sees "srun: not found".
@test "sbatch: #SBATCH --environment runs the batch script in the container" {
    mkdir -p "$T/out" && chown "$SLURM_TEST_USER" "$T/out"
    local edf
    edf=$(spank_edf batch "image = \"$IMG\"" "mounts = [\"$T/out:/out\"]")
    cat > "$T/job.sh" <<SH
#!/bin/sh
#SBATCH --environment=$edf
head -n1 /etc/os-release > /out/batch
echo "pwd=\$(pwd) ep=\${FROM_ENTRYPOINT:-no}" >> /out/batch
srun true 2>> /out/batch || echo "srun exit \$?" >> /out/batch
SH
    chmod 0755 "$T/job.sh"
    run_sbatch --wait -o "$T/out/slurm-%j.out" "$T/job.sh"
    [ "$status" -eq 0 ]
    cat "$T/out/batch"
    [ "$(sed -n 1p "$T/out/batch")" = 'NAME="Slipway Test Linux"' ]
    [ "$(sed -n 2p "$T/out/batch")" = "pwd=/srv/work ep=yes" ]
    grep -q "srun: not found" "$T/out/batch"
    [ "$(tail -n1 "$T/out/batch")" = "srun exit 127" ]
    rm -rf "$T/out" "$T/job.sh"
}

@test "sbatch: in a plain batch job, srun --environment steps run in the container, plain srun on the host" {
    mkdir -p "$T/out" && chown "$SLURM_TEST_USER" "$T/out"
    local edf
    edf=$(spank_edf step "image = \"$IMG\"")
    cat > "$T/job.sh" <<SH
#!/bin/sh
head -n1 /etc/os-release > $T/out/batch
srun --environment=$edf head -n1 /etc/os-release >> $T/out/batch
srun head -n1 /etc/os-release >> $T/out/batch
SH
    chmod 0755 "$T/job.sh"
    run_sbatch --wait -o "$T/out/slurm-%j.out" "$T/job.sh"
    [ "$status" -eq 0 ]
    local host
    host=$(head -n1 /etc/os-release)
    [ "$(cat "$T/out/batch")" = "$(printf '%s\nNAME="Slipway Test Linux"\n%s' "$host" "$host")" ]
    rm -rf "$T/out" "$T/job.sh"
}

@test "salloc --environment: srun in the allocation inherits it, and may choose another" {
    local edf other
    edf=$(spank_edf alloc "image = \"$IMG\"")
    other=$(spank_edf alloc2 "image = \"$T/mpi.sqsh\"")
    run_salloc --environment="$edf" srun cat /etc/os-release
    [ "$status" -eq 0 ]
    [[ $output == *'NAME="Slipway Test Linux"'* ]]
    run_salloc --environment="$edf" srun --environment="$other" cat /etc/os-release
    [ "$status" -eq 0 ]
    [[ $output == *'NAME="Slipway MPI"'* ]]
}

# --- Errors ----------------------------------------------------------------------------------

@test "an invalid EDF fails srun and sbatch at once, with file:line, and queues no job" {
    local bad first last t0 took
    bad=$(spank_edf bad "image = \"$IMG\"" 'writable = "yes"')
    printf '#!/bin/sh\n#SBATCH --environment=%s\ntrue\n' "$bad" > "$T/job.sh"
    chmod 0755 "$T/job.sh"
    first=$(spank_new_job_id)
    t0=$(date +%s%N)
    run --separate-stderr as_user timeout 60 srun --environment="$bad" true
    took=$((($(date +%s%N) - t0) / 1000000))
    echo "srun: status $status in $took ms: $stderr"
    [ "$status" -ne 0 ]
    [ "$took" -lt 2000 ]
    [[ $stderr == *"slipway: $bad:2:1: writable: expected a boolean"* ]]
    run --separate-stderr as_user timeout 60 sbatch "$T/job.sh"
    [ "$status" -ne 0 ]
    [[ $stderr == *"slipway: $bad:2:1: writable"* ]]
    run --separate-stderr as_user timeout 60 sbatch --environment="$bad" --wrap true
    [ "$status" -ne 0 ]
    [[ $stderr == *"slipway: $bad:2:1: writable"* ]]
    run --separate-stderr as_user timeout 60 salloc --environment="$bad" true
    [ "$status" -ne 0 ]
    [[ $stderr == *"slipway: $bad:2:1: writable"* ]]
    last=$(spank_new_job_id)
    # Nothing was created between the two plain jobs.
    [ "$last" -eq $((first + 1)) ]
    rm -f "$T/job.sh"
}

@test "a repeated srun reuses the EDF check, without a JVM, until something it read changes" {
    local a=$T/edf-a b=$T/edf-b entry
    mkdir -p "$a" "$b"
    chmod 0755 "$a" "$b"
    printf 'image = "%s"\n[env]\nPICKED = "B ${FLAVOUR}"\n' "$IMG" > "$b/kept.toml"
    chmod 0644 "$b/kept.toml"
    rm -rf "$HOME_DIR/.cache/slipway"
    sleep 2.1   # past the window in which a file may change again unseen (CheckCache.RACY)
    check_edf() {   # check_edf FLAVOUR EXPECTED reused|checked [DIR the EDF is found in]
        run --separate-stderr as_user env EDF_PATH="$a:$b" FLAVOUR="$1" timeout 60 srun -v --environment=kept \
            sh -c 'echo $PICKED'
        echo "FLAVOUR=$1: status $status, output '$output'"
        echo "$stderr" | grep 'slipway: EDF check' || true
        [ "$status" -eq 0 ]
        [ "$output" = "$2" ]
        if [ "$3" = reused ]; then
            [[ $stderr == *"srun: slipway: EDF check reused: nothing it read has changed since $HOME_DIR/.cache/slipway/check-"* ]]
        else
            [[ $stderr != *"EDF check reused"* ]]
        fi
        # The decisions the check made are shown either way.
        [[ $stderr == *"srun: slipway: environment kept from ${4:-$b}/kept.toml"* ]]
    }
    check_edf a "B a" checked
    entry=$(ls "$HOME_DIR"/.cache/slipway/check-*.json)
    [ "$(stat -c '%a %U' "$entry")" = "600 $SLURM_TEST_USER" ]
    [ "$(stat -c '%a' "$HOME_DIR/.cache/slipway")" = 700 ]
    ! grep -q 'B a' "$entry"   # variable values are kept as a hash only
    check_edf a "B a" reused
    check_edf b "B b" checked       # a variable the EDF names changed
    # Same size, same inode, old mtime put back: only the ctime tells.
    local mtime
    mtime=$(stat -c %Y "$b/kept.toml")
    printf 'image = "%s"\n[env]\nPICKED = "C ${FLAVOUR}"\n' "$IMG" > "$b/kept.toml"
    touch -d "@$mtime" "$b/kept.toml"
    check_edf b "C b" checked
    sleep 2.1
    check_edf b "C b" checked       # kept now that the edit is old enough
    check_edf b "C b" reused
    # A file of that name appears earlier in the search path.
    printf 'image = "%s"\n[env]\nPICKED = "A ${FLAVOUR}"\n' "$IMG" > "$a/kept.toml"
    chmod 0644 "$a/kept.toml"
    sleep 2.1
    check_edf b "A b" checked "$a"
    check_edf b "A b" reused "$a"
    # An entry someone else could have written is not trusted.
    chmod 0644 "$entry"
    check_edf b "A b" checked "$a"
    # A broken EDF is refused every time: failures are never kept.
    printf 'image = "%s"\nwritable = "yes"\n' "$IMG" > "$a/kept.toml"
    sleep 2.1
    for _ in 1 2; do
        run --separate-stderr as_user env EDF_PATH="$a:$b" timeout 60 srun --environment=kept true
        [ "$status" -ne 0 ]
        [[ $stderr == *"slipway: $a/kept.toml:2:1: writable: expected a boolean"* ]]
    done
    rm -rf "$a" "$b"
}

@test "a missing image fails the step with the cause on srun's stderr; slurmd keeps working" {
    local store
    store=$(spank_store)
    run --separate-stderr as_user env EDF_IMAGESTORE="$store" timeout 60 srun \
        --environment="$(spank_edf nope "image = \"127.0.0.1:$PORT#team/nope:1\"")" true
    echo "$stderr"
    [ "$status" -ne 0 ]
    [[ $stderr == *"error: slipway: 127.0.0.1:$PORT#team/nope:1: not found in the registry"* ]]
    run --separate-stderr as_user timeout 60 srun --environment="$(spank_edf nofile "image = \"$T/none.sqsh\"")" true
    echo "$stderr"
    [ "$status" -ne 0 ]
    [[ $stderr == *"error: slipway: image file $T/none.sqsh does not exist"* ]]
    run_srun --environment="$(spank_edf fine "image = \"$IMG\"")" true
    [ "$status" -eq 0 ]
    rm -rf "$store"
}

@test "a mount source missing on the node fails the step with a clear message" {
    run --separate-stderr as_user timeout 60 srun \
        --environment="$(spank_edf nosrc "image = \"$IMG\"" "mounts = [\"$T/absent:/data\"]")" true
    echo "$stderr"
    [ "$status" -ne 0 ]
    # The EDF travels with the job, so the node still names its file and line.
    [[ $stderr == *"error: slipway: "*"/nosrc.toml:2:"*"mounts[1]: EDF mount '$T/absent:/data': source $T/absent does not exist"* ]]
}

# The pull is a 150 MB layer: cancel the job once the first task is downloading it.
@test "scancel during a pull leaves no partial image, no process, and a working slurmd" {
    local store job
    store=$(spank_store)
    as_user env EDF_IMAGESTORE="$store" timeout 60 srun -n2 \
        --environment="$(spank_edf big "image = \"127.0.0.1:$PORT#team/big:1\"")" true > "$T/cancel.out" 2>&1 &
    local srun_pid=$!
    for _ in $(seq 300); do
        find "$store" -name '.*tmp-*' -size +1M | grep -q . && break
        sleep 0.05
    done
    find "$store" -name '.*tmp-*' -size +1M | grep -q .
    job=$(as_user squeue -h -o %i)
    [ -n "$job" ]
    as_user scancel "$job"
    local rc=0
    wait "$srun_pid" || rc=$?
    cat "$T/cancel.out"
    [ "$rc" -ne 0 ]
    spank_no_leftovers 10
    find "$store" -type f | sort
    [ -z "$(find "$store" -name '*.sqsh*' -o -name '.*tmp-*')" ]
    [ -z "$(find "$store/blobs" -type f 2>/dev/null | grep -v '/sha256/[0-9a-f]\{64\}$')" ]
    run_srun --environment="$(spank_edf after "image = \"$IMG\"")" true
    [ "$status" -eq 0 ]
    rm -rf "$store" "$T/cancel.out"
}

# --- MPI -------------------------------------------------------------------------------------

# MPICH's own PMI client talks to Slurm's mpi/pmi2 through the PMI_FD descriptor the task
# inherits: nothing to mount.
@test "srun --mpi=pmi2 -n2 runs an MPICH program of the image as one world" {
    run_srun --mpi=pmi2 -n2 --environment="$(spank_edf mpich "image = \"$T/mpi.sqsh\"")" hello-mpich
    [ "$status" -eq 0 ]
    local host
    host=$(hostname -s)
    [ "$(sort <<< "$output")" = "$(printf 'rank 0 of 2 sum 1 node %s\nrank 1 of 2 sum 1 node %s' "$host" "$host")" ]
}

# Slurm's mpi/pmix server listens on TCP, but its shared-memory data store lives in
# PMIX_SERVER_TMPDIR, which the shipped PMIx hook (hooks.d/30-pmix.json) binds into the container; without
# it the ranks still run but each prints "PMIX ERROR ... gds_ds12_lock_pthread.c".
@test "srun --mpi=pmix -n2 runs an Open MPI program of the image as one world" {
    run --separate-stderr as_user timeout 60 srun --mpi=pmix -n2 \
        --environment="$(spank_edf ompi "image = \"$T/mpi.sqsh\"")" hello-openmpi
    echo "$stderr"
    [ "$status" -eq 0 ]
    local host
    host=$(hostname -s)
    [ "$(sort <<< "$output")" = "$(printf 'rank 0 of 2 sum 1 node %s\nrank 1 of 2 sum 1 node %s' "$host" "$host")" ]
    [[ $stderr != *"PMIX ERROR"* ]]
}

# --- What the user and the administrator see ---------------------------------------------------

@test "srun -v shows the EDF, the image and the timings; slurmd's log has the plugin's lines" {
    local edf job
    edf=$(spank_edf verbose "image = \"$IMG\"")
    run --separate-stderr as_user timeout 60 srun -v --environment="$edf" sh -c 'echo $SLURM_JOB_ID'
    [ "$status" -eq 0 ]
    job=$output
    echo "$stderr" | grep slipway
    [[ $stderr == *"srun: slipway: environment $edf from $edf"* ]]
    [[ $stderr == *"srun: slipway: image $IMG"* ]]
    [[ $stderr == *"slipway: image $IMG: cache hit, $IMG"* ]]
    [[ $stderr == *"slipway: OCI hooks: 30-pmix [CREATE_CONTAINER]; shell hooks from "* ]]
    grep -Eq "slipway: container slurm-$job\.0-[^ ]+ started: keeper pid [0-9]+; EDF [0-9]+ ms, image [0-9]+ ms, start [0-9]+ ms" \
        <<< "$stderr"
    # Without -v, none of it.
    run --separate-stderr as_user timeout 60 srun --environment="$edf" true
    echo "$stderr"
    [ "$status" -eq 0 ]
    [[ $stderr != *slipway* ]]
    local log
    log=$(slurm_log "$(hostname -s)")
    grep -q "\[$job.0\] slipway: container slurm-$job.0-.* started: keeper pid" "$log"
    # The last task's stop comes after srun returned: give it a moment.
    for _ in $(seq 50); do
        grep -q "\[$job.0\] slipway: container stopped" "$log" && break
        sleep 0.1
    done
    grep -q "\[$job.0\] slipway: container stopped" "$log"
}

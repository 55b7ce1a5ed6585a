#!/usr/bin/env bats
# Smoke tests of the test cluster itself (tests/setup/slurm-cluster.sh): one node, an empty
# plugstack, jobs submitted by an unprivileged user with srun, sbatch and salloc, and MPI through
# Slurm's pmi2 and pmix plugins. When these fail, the suites that test Slipway on Slurm cannot
# pass either, so they tell the cluster's problems from the plugin's.

bats_require_minimum_version 1.5.0
load lib/slurm

setup_file() {
    export T=$(mktemp -d /tmp/slipway-slurm-test.XXXXXX)
    chmod 0755 "$T"
    slurm_up
    mpi_hello "$T"
}

teardown_file() {
    slurm_down
    [ -n "${T:-}" ] && rm -rf "$T"
}

@test "srun hostname runs as the unprivileged user" {
    run_srun bash -c 'echo "$(hostname -s) $(id -un) $SLURM_JOB_USER"'
    [ "$status" -eq 0 ]
    [ "$output" = "$(hostname -s) $SLURM_TEST_USER $SLURM_TEST_USER" ]
}

@test "srun -n2 runs two tasks" {
    run_srun -n2 -l bash -c 'echo "task $SLURM_PROCID of $SLURM_NTASKS"'
    [ "$status" -eq 0 ]
    [ "$(sort <<< "$output")" = "$(printf '0: task 0 of 2\n1: task 1 of 2')" ]
}

@test "sbatch --wait runs a batch script that writes a file and starts a step" {
    local home out
    home=$(slurm_user_home)
    out="$home/sbatch-$BATS_TEST_NUMBER.out"
    rm -f "$out" "$home"/slurm-*.out
    cat > "$T/job.sh" <<SH
#!/bin/bash
#SBATCH -n 1
echo "batch \$SLURM_JOB_ID" > "$out"
srun bash -c 'echo "step \$SLURM_STEP_ID on \$SLURMD_NODENAME"' >> "$out"
SH
    chmod 0755 "$T/job.sh"
    run_sbatch --wait -o "$home/slurm-%j.out" "$T/job.sh"
    [ "$status" -eq 0 ]
    [[ $output =~ ^Submitted\ batch\ job\ ([0-9]+)$ ]]
    local job=${BASH_REMATCH[1]}
    [ "$(cat "$out")" = "$(printf 'batch %s\nstep 0 on %s' "$job" "$(hostname -s)")" ]
    # Nothing on the batch script's own stdout/stderr.
    [ ! -s "$home/slurm-$job.out" ]
    rm -f "$out" "$home/slurm-$job.out"
}

@test "salloc runs srun inside the allocation" {
    run_salloc -N1 srun hostname -s
    [ "$status" -eq 0 ]
    [[ $output == *"salloc: Granted job allocation"* ]]
    grep -qx "$(hostname -s)" <<< "$output"

    run_salloc -n2 bash -c 'srun -l bash -c "echo \$SLURM_JOB_ID"; echo "alloc $SLURM_JOB_ID"'
    [ "$status" -eq 0 ]
    local job
    job=$(sed -n 's/^alloc //p' <<< "$output")
    [ -n "$job" ]
    grep -qx "0: $job" <<< "$output"
    grep -qx "1: $job" <<< "$output"
}

# Slurm's mpi/pmi2 serves the PMI-1/PMI-2 wire protocol that MPICH's built-in PMI client speaks.
@test "srun --mpi=pmi2 -n2 runs an MPICH program as one world of two ranks" {
    [ -x "$T/hello-mpich" ] || skip "mpicc.mpich missing: run tests/setup/install-deps.sh"
    run_srun --mpi=pmi2 -n2 "$T/hello-mpich"
    [ "$status" -eq 0 ]
    [ "$(sort <<< "$output")" = "$(printf 'rank 0 of 2 sum 1 node %s\nrank 1 of 2 sum 1 node %s' "$(hostname -s)" "$(hostname -s)")" ]
}

# Slurm's mpi/pmix (pmix_v4) runs a PMIx server in slurmstepd; Debian's Open MPI is a PMIx client.
@test "srun --mpi=pmix -n2 runs an Open MPI program as one world of two ranks" {
    [ -x "$T/hello-openmpi" ] || skip "mpicc.openmpi missing: run tests/setup/install-deps.sh"
    run_srun --mpi=pmix -n2 "$T/hello-openmpi"
    [ "$status" -eq 0 ]
    [ "$(sort <<< "$output")" = "$(printf 'rank 0 of 2 sum 1 node %s\nrank 1 of 2 sum 1 node %s' "$(hostname -s)" "$(hostname -s)")" ]
}

# Without a PMI plugin each rank is a world of its own: the tests above would notice that.
@test "srun --mpi=none gives MPICH singletons" {
    [ -x "$T/hello-mpich" ] || skip "mpicc.mpich missing: run tests/setup/install-deps.sh"
    run_srun --mpi=none -n2 "$T/hello-mpich"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^rank 0 of 1 sum 0' <<< "$output")" -eq 2 ]
}

@test "slurm-cluster.sh status reports the cluster" {
    run "$SLURM_CLUSTER_SH" status
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "up: export SLURM_CONF=$SLURM_CONF" ]]
    [[ $output == *"$(hostname -s) debug* idle"* ]]
}

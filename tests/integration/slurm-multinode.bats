#!/usr/bin/env bats
# The test cluster with two nodes on this one machine (n1 and n2, one slurmd each), and a
# plugstack given with --plugstack: steps that span nodes get one slurmstepd per node, each of
# which loads the SPANK plugins, as Slipway's plugin will be loaded.

bats_require_minimum_version 1.5.0
load lib/slurm

setup_file() {
    export T=$(mktemp -d /tmp/slipway-slurm-multi.XXXXXX)
    chmod 0755 "$T"
    # A minimal SPANK plugin: logs where it runs and hands its plugstack argument to the tasks.
    cat > "$T/probe.c" <<'C'
#include <slurm/spank.h>
SPANK_PLUGIN(slipway_probe, 1);
static const char *arg = "none";
int slurm_spank_init(spank_t sp, int ac, char **av)
{
    if (ac > 0)
        arg = av[0];
    if (spank_remote(sp))
        slurm_info("slipway-probe: remote init arg=%s", arg);
    return 0;
}
int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
    return spank_setenv(sp, "SLIPWAY_PROBE", arg, 1);
}
C
    gcc -shared -fPIC -Wall -Werror -o "$T/probe.so" "$T/probe.c"
    echo "required $T/probe.so from-plugstack" > "$T/plugstack.conf"
    chmod -R a+rX "$T"
    slurm_up --nodes 2 --plugstack "$T/plugstack.conf"
    mpi_hello "$T"
}

teardown_file() {
    slurm_down
    [ -n "${T:-}" ] && rm -rf "$T"
}

@test "sinfo lists n1 and n2 idle" {
    run as_user sinfo -h -N -o '%N %t'
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'n1 idle\nn2 idle')" ]
}

@test "srun -N2 -n4 runs two tasks on each of n1 and n2" {
    run_srun -N2 -n4 -l bash -c 'echo "$SLURMD_NODENAME $(hostname -s)"'
    [ "$status" -eq 0 ]
    local host
    host=$(hostname -s)
    [ "$(sort <<< "$output")" = "$(printf '0: n1 %s\n1: n1 %s\n2: n2 %s\n3: n2 %s' "$host" "$host" "$host" "$host")" ]
}

@test "the --plugstack plugin runs in each node's slurmstepd" {
    run_srun -N2 -n2 -l printenv SLIPWAY_PROBE
    [ "$status" -eq 0 ]
    [ "$(sort <<< "$output")" = "$(printf '0: from-plugstack\n1: from-plugstack')" ]
    # Its remote-context log lines land in each node's slurmd log, prefixed by the step id.
    grep -q '\] slipway-probe: remote init arg=from-plugstack' "$(slurm_log n1)"
    grep -q '\] slipway-probe: remote init arg=from-plugstack' "$(slurm_log n2)"
}

@test "srun --mpi=pmi2 -N2 -n4 runs an MPICH world across both nodes" {
    [ -x "$T/hello-mpich" ] || skip "mpicc.mpich missing: run tests/setup/install-deps.sh"
    run_srun --mpi=pmi2 -N2 -n4 "$T/hello-mpich"
    [ "$status" -eq 0 ]
    [ "$(sort <<< "$output")" = "$(printf 'rank 0 of 4 sum 6 node n1\nrank 1 of 4 sum 6 node n1\nrank 2 of 4 sum 6 node n2\nrank 3 of 4 sum 6 node n2')" ]
}

# Both "nodes" are one host to Open MPI: its shared-memory transport would take ranks on n1 and
# n2 for neighbours and crash, and its TCP transport would pick eth0, so use TCP over loopback.
@test "srun --mpi=pmix -N2 -n4 runs an Open MPI world across both nodes" {
    [ -x "$T/hello-openmpi" ] || skip "mpicc.openmpi missing: run tests/setup/install-deps.sh"
    run as_user env OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo \
        timeout "$SLURM_CMD_TIMEOUT" srun --mpi=pmix -N2 -n4 "$T/hello-openmpi"
    [ "$status" -eq 0 ]
    [ "$(sort <<< "$output")" = "$(printf 'rank 0 of 4 sum 6 node n1\nrank 1 of 4 sum 6 node n1\nrank 2 of 4 sum 6 node n2\nrank 3 of 4 sum 6 node n2')" ]
}

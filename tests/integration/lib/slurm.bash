# Helpers for suites that need a real Slurm cluster (tests/setup/slurm-cluster.sh), as root:
#
#   setup_file()    { slurm_up [--nodes N] [--plugstack FILE]; }
#   teardown_file() { slurm_down; }
#   @test ... { run_srun -n2 hostname; [ "$status" -eq 0 ]; }
#
# Each suite gets its own cluster: state under $SLURM_TEST_ROOT/<suite name>, ports picked free,
# so suites never collide with each other, with a demo cluster or with an admin's Slurm. Jobs
# run as an unprivileged user ($SLURM_TEST_USER), as real users' jobs do. Also sourced by
# tests/run-all.sh for slurm_down_all.

SLURM_CLUSTER_SH="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../setup" && pwd)/slurm-cluster.sh"
SLURM_TEST_USER=${SLURM_TEST_USER:-slipslurm}
SLURM_TEST_ROOT=${SLIPWAY_SLURM_TEST_ROOT:-/run/slipway-slurm-test}

# free_port_block N: the first of N consecutive TCP ports nobody listens on (slurmctld takes the
# first, the slurmds the rest; Slurm wants the slurmd ports of n[1-N] as one range).
free_port_block() {
    python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(20000, 30000 - n)
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", p)); socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks: s.close()
    print(base); sys.exit(0)
sys.exit("no free port block")
PY
}

# slurm_user_setup: the unprivileged job user, with a home directory (sbatch's default output
# directory and srun's working directory).
slurm_user_setup() {
    id "$SLURM_TEST_USER" >/dev/null 2>&1 || useradd -m "$SLURM_TEST_USER"
}

slurm_user_home() { getent passwd "$SLURM_TEST_USER" | cut -d: -f6; }

# slurm_up [--nodes N] [--plugstack FILE]: starts this suite's cluster and exports SLURM_CONF
# and SLIPWAY_SLURM_STATE. On failure prints the daemons' log tails and stops what started.
slurm_up() {
    local nodes=1 args=("$@") i
    for ((i = 0; i < ${#args[@]}; i++)); do
        if [ "${args[i]}" = --nodes ]; then nodes=${args[i + 1]:-1}; fi
    done
    slurm_user_setup
    local name base
    name=$(basename "${BATS_TEST_FILENAME:-cluster}" .bats)
    base=$(free_port_block $((nodes + 1)))
    export SLIPWAY_SLURM_STATE="$SLURM_TEST_ROOT/$name"
    export SLIPWAY_SLURMCTLD_PORT=$base SLIPWAY_SLURMD_PORT=$((base + 1))
    export SLURM_CONF="$SLIPWAY_SLURM_STATE/slurm.conf"
    mkdir -p "$SLURM_TEST_ROOT"
    chmod 0755 "$SLURM_TEST_ROOT"
    # 3>&-: the daemons must not inherit bats' output pipe, or bats waits for them to exit.
    local out
    if ! out=$("$SLURM_CLUSTER_SH" up "$@" 2>&1 3>&-); then
        echo "$out" >&2
        "$SLURM_CLUSTER_SH" down >&2 3>&- || true
        return 1
    fi
}

slurm_down() {
    [ -n "${SLIPWAY_SLURM_STATE:-}" ] || return 0
    "$SLURM_CLUSTER_SH" down 3>&-
    rmdir "$SLURM_TEST_ROOT" 2>/dev/null || true
}

# slurm_down_all: stops every suite's cluster under $SLURM_TEST_ROOT (run-all.sh's exit trap, for
# suites whose teardown_file never ran because bats was interrupted).
slurm_down_all() {
    local d
    for d in "$SLURM_TEST_ROOT"/*/; do
        [ -d "$d" ] || continue
        SLIPWAY_SLURM_STATE=${d%/} "$SLURM_CLUSTER_SH" down || true
    done
    rmdir "$SLURM_TEST_ROOT" 2>/dev/null || true
}

# slurm_log NODE: the slurmd log of NODE, where slurmstepd and SPANK plugins (remote context) log.
slurm_log() { echo "$SLIPWAY_SLURM_STATE/log/slurmd-$1.log"; }

# as_user CMD...: CMD as the test user in its home directory, with a clean environment as a login
# would give, plus SLURM_CONF so srun/sbatch/salloc find this suite's cluster.
# Prefix with `env VAR=value` to pass more.
as_user() {
    local home
    home=$(slurm_user_home)
    (cd "$home" && runuser -u "$SLURM_TEST_USER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin \
        HOME="$home" USER="$SLURM_TEST_USER" LOGNAME="$SLURM_TEST_USER" SLURM_CONF="$SLURM_CONF" "$@")
}

# run_srun / run_sbatch / run_salloc ARGS...: bats `run` of the client command as the test user,
# bounded so that a hung step fails the test instead of the whole run.
SLURM_CMD_TIMEOUT=${SLURM_CMD_TIMEOUT:-60}
run_srun() { run as_user timeout "$SLURM_CMD_TIMEOUT" srun "$@"; }
run_sbatch() { run as_user timeout "$SLURM_CMD_TIMEOUT" sbatch "$@"; }
run_salloc() { run as_user timeout "$SLURM_CMD_TIMEOUT" salloc "$@"; }

# mpi_hello DIR: compiles a tiny MPI program (ranks, world size and an allreduce, so a world of
# singletons cannot pass for a real one) with MPICH and with Open MPI, where their compilers are
# installed, into DIR/hello-mpich and DIR/hello-openmpi.
mpi_hello() {
    local dir=$1
    cat > "$dir/hello.c" <<'C'
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    int rank, size, sum = 0;
    char node[256] = "";
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    const char *n = getenv("SLURMD_NODENAME");
    printf("rank %d of %d sum %d node %s\n", rank, size, sum, n ? n : "?");
    MPI_Finalize();
    return 0;
}
C
    if command -v mpicc.mpich >/dev/null; then mpicc.mpich -o "$dir/hello-mpich" "$dir/hello.c"; fi
    if command -v mpicc.openmpi >/dev/null; then mpicc.openmpi -o "$dir/hello-openmpi" "$dir/hello.c"; fi
    chmod -R a+rX "$dir"
}

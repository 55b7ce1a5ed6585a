#!/bin/bash
# A throwaway Slurm cluster on this machine for the integration tests and demos, as root:
#
#   slurm-cluster.sh up [--nodes N] [--plugstack FILE]
#   slurm-cluster.sh down
#   slurm-cluster.sh status
#
# Everything (munge key and munged, slurm.conf, plugstack.conf, state, spool, logs, pid files)
# lives in one state directory, SLIPWAY_SLURM_STATE (default /run/slipway-slurm), so the cluster
# never touches /etc/slurm, /etc/munge or a system munged, and `down` leaves nothing behind.
# Client commands find the cluster through SLURM_CONF=<state>/slurm.conf, which `up` prints.
#
# Ports default to 16817 (slurmctld) and 16818.. (one per slurmd) rather than Slurm's 6817/6818,
# so an admin's cluster on this machine is not disturbed; SLIPWAY_SLURMCTLD_PORT and
# SLIPWAY_SLURMD_PORT move them, so two clusters with two state directories can run side by side.
# SLIPWAY_SLURM_TIMEOUT (default 30 s) bounds the wait for the nodes; SLIPWAY_SLURMD_DEBUG sets
# slurmd's log level (default debug).
#
# Nothing needs /etc/slurm/slurm.conf: srun, sbatch, salloc, sinfo read SLURM_CONF; the daemons
# are started with it, slurmstepd inherits it from slurmd, and slurmd sets it in every job's
# environment (even with --export=NONE), so srun inside sbatch or salloc finds the cluster too.
# A login shell that resets the environment (su -, runuser -l) loses it: set it again there.
set -euo pipefail

STATE=${SLIPWAY_SLURM_STATE:-/run/slipway-slurm}
CTLD_PORT=${SLIPWAY_SLURMCTLD_PORT:-16817}
SLURMD_PORT=${SLIPWAY_SLURMD_PORT:-16818}
TIMEOUT=${SLIPWAY_SLURM_TIMEOUT:-30}
# slurmd at debug level: SPANK plugins log to slurmd's log (slurm_debug needs "debug").
SLURMD_DEBUG=${SLIPWAY_SLURMD_DEBUG:-debug}
CONF="$STATE/slurm.conf"
# Written by `up` first; `down` removes only a directory that carries it, so a mistyped
# SLIPWAY_SLURM_STATE never makes it `rm -rf` somebody else's directory.
MARKER="$STATE/.slipway-slurm-cluster"

usage() {
    echo "usage: $0 up [--nodes N] [--plugstack FILE] | down | status" >&2
    exit 2
}

log() { echo "slurm-cluster: $*" >&2; }

need_root() {
    [ "$(id -u)" -eq 0 ] || { log "run as root (the daemons run as root, munged as munge)"; exit 1; }
}

# pid_of FILE NAME: the pid in FILE if that process still runs as NAME (a stale pid file whose
# number was reused by another process must not get that process killed).
pid_of() {
    local file=$1 name=$2 pid
    [ -f "$file" ] || return 1
    pid=$(tr -dc 0-9 < "$file")
    [ -n "$pid" ] && running "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
    echo "$pid"
}

# running PID: the process exists and is not a zombie (zombies here wait for pid 1 to reap them,
# which can take seconds, and they are dead already).
running() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# stop_pids PID...: SIGTERM, wait up to 10 s, then SIGKILL and wait until they are gone.
stop_pids() {
    (($#)) || return 0
    kill -TERM "$@" 2>/dev/null || true
    local i p alive
    for i in $(seq 100); do
        alive=()
        for p in "$@"; do running "$p" && alive+=("$p"); done
        ((${#alive[@]})) || return 0
        sleep 0.1
    done
    log "still running after 10 s, killing: ${alive[*]}"
    kill -KILL "${alive[@]}" 2>/dev/null || true
    for i in $(seq 50); do
        alive=()
        for p in "$@"; do running "$p" && alive+=("$p"); done
        ((${#alive[@]})) || return 0
        sleep 0.1
    done
    log "could not stop: ${alive[*]}"
    return 1
}

# Our slurmstepds: slurmd hands its environment (with our SLURM_CONF) to every slurmstepd it
# starts, and that is the one thing telling them apart from those of another cluster.
our_stepds() {
    local p
    for p in $(pgrep -x slurmstepd || true); do
        running "$p" || continue
        if { tr '\0' '\n' < "/proc/$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$CONF"; then
            echo "$p"
        fi
    done
}

# kill_trees PID...: SIGKILL each process and all its descendants (a slurmstepd and its tasks:
# SIGKILL of the stepd alone would orphan the tasks).
kill_trees() {
    (($#)) || return 0
    local all=("$@") i=0 p c
    while ((i < ${#all[@]})); do
        p=${all[i]}
        for c in $(ps -e -o pid=,ppid= | awk -v p="$p" '$2 == p {print $1}'); do all+=("$c"); done
        i=$((i + 1))
    done
    log "killing leftover steps and their tasks: ${all[*]}"
    kill -KILL "${all[@]}" 2>/dev/null || true
    for i in $(seq 50); do
        c=0
        for p in "${all[@]}"; do running "$p" && c=1; done
        ((c)) || return 0
        sleep 0.1
    done
    log "could not kill: ${all[*]}"
    return 1
}

cmd_down() {
    need_root
    if [ ! -d "$STATE" ]; then
        log "not running (no $STATE)"
        return 0
    fi
    if [ ! -f "$MARKER" ]; then
        log "$STATE was not made by this script; not touching it"
        return 1
    fi
    local pids=() p f rc=0
    # Jobs first, through Slurm: slurmstepd ignores SIGTERM, and only it knows all its tasks.
    if pid_of "$STATE/run/slurmctld.pid" slurmctld >/dev/null; then
        mapfile -t pids < <(SLURM_CONF=$CONF timeout 10 squeue -h -o %i 2>/dev/null || true)
        if ((${#pids[@]})); then
            SLURM_CONF=$CONF timeout 10 scancel --quiet "${pids[@]}" || true
            local i
            for i in $(seq 100); do
                [ -n "$(our_stepds)" ] || break
                sleep 0.1
            done
        fi
    fi
    # Steps still there (a hung task, or a step whose slurmd is gone): kill them with their tasks.
    mapfile -t pids < <(our_stepds)
    kill_trees "${pids[@]}" || rc=1
    pids=()
    for f in "$STATE"/run/slurmd-*.pid; do p=$(pid_of "$f" slurmd) && pids+=("$p"); done
    stop_pids "${pids[@]}" || rc=1
    pids=()
    p=$(pid_of "$STATE/run/slurmctld.pid" slurmctld) && pids+=("$p")
    stop_pids "${pids[@]}" || rc=1
    # munged last: the Slurm daemons talk to it while shutting down.
    pids=()
    p=$(pid_of "$STATE/munge/munged.pid" munged) && pids+=("$p")
    stop_pids "${pids[@]}" || rc=1
    # Steps that a dying slurmd was still starting.
    mapfile -t pids < <(our_stepds)
    kill_trees "${pids[@]}" || rc=1
    if ((rc == 0)); then
        rm -rf "$STATE"
        log "down"
    else
        log "some daemons would not stop; kept $STATE for their logs"
    fi
    return $rc
}

cmd_status() {
    if [ ! -f "$CONF" ]; then
        echo "down (no $CONF)"
        return 1
    fi
    if ! pid_of "$STATE/run/slurmctld.pid" slurmctld >/dev/null; then
        echo "down (slurmctld not running)"
        return 1
    fi
    local out
    if ! out=$(SLURM_CONF=$CONF timeout 10 sinfo -N -o '%N %P %t %C' 2>&1); then
        echo "down: $out"
        return 1
    fi
    echo "up: export SLURM_CONF=$CONF"
    echo "$out"
}

# port_free PORT: nothing listens on 127.0.0.1:PORT / *:PORT.
port_free() {
    ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

write_conf() {
    local nodes=$1 host=$2 cpus
    # The machine's real layout (as slurmd will find it), else slurmd complains and rewrites the
    # socket/core split; each node of a multi-node cluster claims the whole machine.
    cpus=$(slurmd -C 2>/dev/null | head -n 1 | grep -oE '(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=[0-9]+' | xargs) || true
    [ -n "$cpus" ] || cpus="CPUs=$(nproc)"
    {
        echo "# Generated by tests/setup/slurm-cluster.sh; removed by 'slurm-cluster.sh down'."
        echo "ClusterName=slipway"
        # host(addr): clients and slurmd reach slurmctld on loopback whatever the host name resolves to.
        echo "SlurmctldHost=$host(127.0.0.1)"
        echo "SlurmctldPort=$CTLD_PORT"
        echo "SlurmUser=root"
        echo "SlurmdUser=root"
        echo "AuthType=auth/munge"
        echo "CredType=cred/munge"
        # Our own munged; clients read this line too, so they use the same socket.
        echo "AuthInfo=socket=$STATE/munge/munge.socket.2"
        echo "ProctrackType=proctrack/linuxproc"
        echo "TaskPlugin=task/none"
        echo "MpiDefault=none"
        echo "SelectType=select/cons_tres"
        echo "SelectTypeParameters=CR_Core"
        echo "ReturnToService=2"
        echo "SwitchType=switch/none"
        echo "JobCompType=jobcomp/none"
        echo "JobAcctGatherType=jobacct_gather/none"
        echo "AccountingStorageType=accounting_storage/none"
        echo "MailProg=/bin/true"
        # Fast turnaround for tests: 2 s, not 30, between SIGTERM and SIGKILL of a cancelled job.
        echo "KillWait=2"
        echo "InactiveLimit=0"
        # sbatch --wait polls every 2 s, but every 8 s after the first poll unless MinJobAge/2 is
        # at most 2; 5 s still keeps a finished job long enough for that poll to see it.
        echo "MinJobAge=5"
        # Batch jobs otherwise wait up to 3 s (batch_sched_delay) for the next scheduling pass.
        echo "SchedulerParameters=batch_sched_delay=0"
        echo "StateSaveLocation=$STATE/ctld"
        echo "SlurmctldPidFile=$STATE/run/slurmctld.pid"
        echo "SlurmctldLogFile=$STATE/log/slurmctld.log"
        echo "SlurmctldDebug=info"
        echo "SlurmdSpoolDir=$STATE/spool/%n"
        echo "SlurmdPidFile=$STATE/run/slurmd-%n.pid"
        echo "SlurmdLogFile=$STATE/log/slurmd-%n.log"
        echo "SlurmdDebug=$SLURMD_DEBUG"
        echo "PlugStackConfig=$STATE/plugstack.conf"
        # mpi/pmix makes <TmpFS>/spmix_appdir_<uid>_<job>.<step> per node; with the default /tmp
        # two nodes on one machine both make the same directory and the second step fails.
        echo "TmpFS=$STATE/tmp/%n"
        if ((nodes == 1)); then
            echo "SlurmdPort=$SLURMD_PORT"
            echo "NodeName=$host NodeAddr=127.0.0.1 $cpus State=UNKNOWN"
        else
            # Several slurmds on one machine: one port each, and %n keeps their files apart.
            echo "NodeName=n[1-$nodes] NodeHostname=$host NodeAddr=127.0.0.1 Port=$SLURMD_PORT-$((SLURMD_PORT + nodes - 1)) $cpus State=UNKNOWN"
        fi
        echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES"
    } > "$CONF"
}

start_munged() {
    local dir="$STATE/munge"
    mkdir -p "$dir"
    dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$dir/munge.key"
    # munged refuses a key or socket directory that others can write or that is not its own.
    chown -R munge:munge "$dir"
    chmod 0755 "$dir"
    # Its log beside the others; munged runs as munge and cannot create files in log/.
    install -o munge -g munge -m 0640 /dev/null "$STATE/log/munged.log"
    runuser -u munge -- munged \
        --socket="$dir/munge.socket.2" --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" \
        --log-file="$STATE/log/munged.log" --seed-file="$dir/munged.seed" \
        > "$STATE/log/munged.stderr" 2>&1 || { cat "$STATE/log/munged.stderr" >&2; return 1; }
    local i
    for i in $(seq 50); do
        if munge -n -S "$dir/munge.socket.2" 2>/dev/null | unmunge -S "$dir/munge.socket.2" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    log "munged does not answer on $dir/munge.socket.2"
    return 1
}

# all_idle N: sinfo lists N nodes and every one of them is idle.
all_idle() {
    local states
    states=$(SLURM_CONF=$CONF timeout 5 sinfo -h -N -o '%N %t' 2>/dev/null) || return 1
    [ "$(grep -c . <<< "$states")" -eq "$1" ] && ! grep -qv ' idle$' <<< "$states"
}

fail_with_logs() {
    log "$1"
    local f
    for f in "$STATE"/log/*; do
        [ -s "$f" ] || continue
        echo "--- $f (last 20 lines)" >&2
        tail -n 20 "$f" >&2
    done
    return 1
}

cmd_up() {
    local nodes=1 plugstack=""
    while (($#)); do
        case $1 in
            --nodes) nodes=${2:?--nodes needs a number}; shift 2 ;;
            --plugstack) plugstack=${2:?--plugstack needs a file}; shift 2 ;;
            *) usage ;;
        esac
    done
    [[ $nodes =~ ^[1-9][0-9]*$ ]] || { log "--nodes must be a positive number, got '$nodes'"; exit 2; }
    if [ -n "$plugstack" ] && [ ! -r "$plugstack" ]; then
        log "cannot read plugstack file $plugstack"
        exit 2
    fi
    need_root
    # `up` on a running cluster restarts it from scratch.
    if [ -d "$STATE" ]; then
        cmd_down
    fi
    local p
    for p in "$CTLD_PORT" $(seq "$SLURMD_PORT" $((SLURMD_PORT + nodes - 1))); do
        port_free "$p" || { log "port $p is in use; set SLIPWAY_SLURMCTLD_PORT / SLIPWAY_SLURMD_PORT"; exit 1; }
    done

    local host
    host=$(hostname -s)
    mkdir -p "$STATE"
    touch "$MARKER"
    mkdir -p "$STATE"/{ctld,spool,run,log}
    # slurmd makes its spool directory too, but only after complaining that it is missing.
    if ((nodes == 1)); then
        mkdir -p "$STATE/spool/$host" "$STATE/tmp/$host"
    else
        local i
        for i in $(seq "$nodes"); do mkdir -p "$STATE/spool/n$i" "$STATE/tmp/n$i"; done
    fi
    # Per-node TmpFS: jobs of every user write there, as in /tmp.
    chmod 1777 "$STATE"/tmp/*
    # Readable by everyone: unprivileged users' srun/sbatch read slurm.conf and plugstack.conf.
    chmod 0755 "$STATE" "$STATE"/{spool,run,log}
    chmod 0700 "$STATE/ctld"

    start_munged || fail_with_logs "munged did not start" || exit 1
    write_conf "$nodes" "$host"
    if [ -n "$plugstack" ]; then
        cp "$plugstack" "$STATE/plugstack.conf"
    else
        : > "$STATE/plugstack.conf"
    fi
    chmod 0644 "$CONF" "$STATE/plugstack.conf"

    # Daemon mode: each forks, writes its pid file and logs to its file under $STATE/log. Their
    # stdout/stderr (errors before they fork) go to *.stderr beside the logs.
    export SLURM_CONF=$CONF
    slurmctld > "$STATE/log/slurmctld.stderr" 2>&1 || fail_with_logs "slurmctld failed to start" || exit 1
    if ((nodes == 1)); then
        slurmd > "$STATE/log/slurmd.stderr" 2>&1 || fail_with_logs "slurmd failed to start" || exit 1
    else
        local i
        for i in $(seq "$nodes"); do
            slurmd -N "n$i" > "$STATE/log/slurmd-n$i.stderr" 2>&1 || fail_with_logs "slurmd n$i failed to start" || exit 1
        done
    fi

    local deadline=$((SECONDS + TIMEOUT))
    until all_idle "$nodes"; do
        if ((SECONDS >= deadline)); then
            SLURM_CONF=$CONF timeout 5 sinfo -N >&2 || true
            fail_with_logs "nodes not idle after ${TIMEOUT}s" || exit 1
        fi
        sleep 0.2
    done
    log "up: $nodes node(s); logs in $STATE/log (slurmctld.log, slurmd-<node>.log, munged.log)"
    log "client commands need: export SLURM_CONF=$CONF"
    echo "export SLURM_CONF=$CONF"
}

case ${1:-} in
    up) shift; cmd_up "$@" ;;
    down) shift; (($# == 0)) || usage; cmd_down ;;
    status) shift; (($# == 0)) || usage; cmd_status ;;
    *) usage ;;
esac

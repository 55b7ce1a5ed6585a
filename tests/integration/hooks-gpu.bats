#!/usr/bin/env bats
# The NVIDIA GPU and CUDA MPS hooks with `slipway run`, as an unprivileged user, on this GPU-less
# machine: the shipped hook files against the real /dev (no driver), and copies of them whose
# settings point at a fake node (device "nodes" that are regular files, driver libraries built
# here, a fake `ldconfig -p`, a fake nvidia-cuda-mps-control built from
# tests/fixtures/gpu/fake-mps-control.c). What needs a real GPU is in docs/admin.md, "Verifying
# the GPU hooks on a GPU node".

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
SLIPWAY="$REPO/build/bin/slipway"
SHIPPED="$REPO/build/etc/slipway/hooks.d"
TUSER=slipwaygpu
source "$BATS_TEST_DIRNAME/lib/spank.bash"

setup_file() {
    export T
    T=$(mktemp -d /tmp/slipway-gpu-test.XXXXXX)
    chmod 0755 "$T"
    [ -x "$SLIPWAY" ] || { echo "build first: make" >&2; return 1; }
    chmod 0666 /dev/fuse
    id "$TUSER" >/dev/null 2>&1 || useradd -m "$TUSER"

    # A glibc image with procps's pgrep (the CSCS check's) and ldconfig; it asks for every GPU,
    # as NVIDIA's images do.
    local root="$T/rootfs"
    spank_busybox_rootfs "$root" "Slipway GPU Test"
    mkdir -p "$root/usr/lib/x86_64-linux-gnu" "$root/usr/lib64" "$root/usr/bin" "$root/sbin"
    ln -s usr/lib "$root/lib"
    ln -s usr/lib64 "$root/lib64"
    cp /usr/bin/pgrep "$root/usr/bin/pgrep"
    spank_copy_libraries "$root" /usr/bin/pgrep
    cp /sbin/ldconfig "$root/sbin/ldconfig"
    echo /usr/lib/x86_64-linux-gnu > "$root/etc/ld.so.conf"
    /sbin/ldconfig -r "$root"
    spank_squash "$root" "$T/img.sqsh" '{"env": ["PATH=/usr/bin:/bin:/sbin", "NVIDIA_VISIBLE_DEVICES=all"],
        "entrypoint": [], "cmd": ["/bin/sh"], "workingDir": "/", "user": null, "labels": {}}'

    # The fake node: three GPUs, the driver's control nodes, libcuda and libnvidia-ml (real ELF
    # files with their sonames), nvidia-smi, and an ldconfig whose -p lists the fake libraries.
    local g="$T/gpu"
    mkdir -p "$g/dev" "$g/proc" "$g/lib" "$g/bin"
    for n in nvidiactl nvidia-uvm nvidia0 nvidia1 nvidia2; do echo "fake $n" > "$g/dev/$n"; done
    echo "NVRM version: NVIDIA UNIX x86_64 Kernel Module  999.1.1  Fake Build" > "$g/proc/version"
    for l in libcuda libnvidia-ml; do
        gcc -shared -fPIC -Wl,-soname,$l.so.1 -o "$g/lib/$l.so.999.1.1" -x c /dev/null
        ln -s "$l.so.999.1.1" "$g/lib/$l.so.1"
    done
    printf '#!/bin/sh\necho "fake nvidia-smi sees: $(ls /dev | grep "^nvidia" | sort | tr "\\n" " ")"\n' > "$g/bin/nvidia-smi"
    cat > "$g/bin/ldconfig" <<SH
#!/bin/sh
if [ "\$1" = -p ]; then
    printf '2 libs found in cache\n\tlibcuda.so.1 (libc6,x86-64) => $g/lib/libcuda.so.1\n'
    printf '\tlibnvidia-ml.so.1 (libc6,x86-64) => $g/lib/libnvidia-ml.so.1\n'
    exit 0
fi
exec /sbin/ldconfig "\$@"
SH
    chmod 0755 "$g/bin/nvidia-smi" "$g/bin/ldconfig"

    # The fake MPS control program, and its call log the test user may append to.
    mkdir -p "$T/mps/bin"
    gcc -O2 -Wall -Werror -o "$T/mps/bin/nvidia-cuda-mps-control" "$REPO/tests/fixtures/gpu/fake-mps-control.c"
    touch "$T/mps/bin/calls.log"
    chmod 0666 "$T/mps/bin/calls.log"

    # Hook directories: the shipped files; the GPU hook pointed at the fake node; the MPS hook
    # with the fake control program first on its PATH.
    mkdir -p "$T/hooks-fake" "$T/hooks-mps" "$T/sysconf" "$T/rt"
    jq --arg g "$g" '.hook.env = ["PATH=\($g)/bin:/usr/bin:/bin", "NVIDIA_DEV_DIR=\($g)/dev",
        "NVIDIA_PROC_DIR=\($g)/proc", "LDCONFIG_PATH=\($g)/bin/ldconfig"]' "$SHIPPED/60-nvidia.json" \
        > "$T/hooks-fake/60-nvidia.json"
    jq --arg p "$T/mps/bin" '.hook.env |= map(if startswith("PATH=") then "PATH=\($p):/usr/bin:/bin" else . end)' \
        "$SHIPPED/61-nvidia-cuda-mps.json" > "$T/hooks-mps/61-nvidia-cuda-mps.json"
    jq '.hook.env |= map(if startswith("PATH=") then "PATH=/nonexistent" else . end)' \
        "$SHIPPED/61-nvidia-cuda-mps.json" > "$T/hooks-mps-missing.json"
    mkdir -p "$T/hooks-nomps" && mv "$T/hooks-mps-missing.json" "$T/hooks-nomps/61-nvidia-cuda-mps.json"
    for h in shipped:"$SHIPPED" fake:"$T/hooks-fake" mps:"$T/hooks-mps" nomps:"$T/hooks-nomps"; do
        printf 'hooks_dirs = ["%s"]\nenroot_sysconf_path = "%s/sysconf"\n' "${h#*:}" "$T" > "$T/${h%%:*}.toml"
    done
    chmod -R a+rX "$T"
    chown "$TUSER" "$T/rt"
}

teardown_file() {
    [ -n "${T:-}" ] && rm -rf "$T"
}

setup() {
    : > "$T/mps/bin/calls.log"
}

# slipway as the test user, with a small known environment plus EXTRA_ENV, and the configuration CONF.
sw() {
    runuser -u "$TUSER" -- env -i PATH=/usr/bin:/bin HOME="/home/$TUSER" USER="$TUSER" \
        SLIPWAY_CONFIG="$T/$CONF.toml" ENROOT_CONFIG_PATH="$T/emptyconf" ENROOT_RUNTIME_PATH="$T/rt" \
        ${EXTRA_ENV:-} "$SLIPWAY" "$@"
}

# The test user's MPS control daemons started with the CSCS command line.
mps_daemons() { pgrep -u "$TUSER" -f '^nvidia-cuda-mps-control -d$'; }

@test "NVIDIA GPU hook: nothing without NVIDIA_VISIBLE_DEVICES or with void; an image's 'all' on a node without the driver gets no GPUs" {
    CONF=shipped
    for v in NVIDIA_VISIBLE_DEVICES= NVIDIA_VISIBLE_DEVICES=void NVIDIA_VISIBLE_DEVICES=all; do
        EXTRA_ENV="CUDA_VISIBLE_DEVICES=" run sw run --image "$T/img.sqsh" --env "$v" -- sh -c \
            'ls /dev | grep nvidia; echo "NVD=$NVIDIA_VISIBLE_DEVICES"'
        [ "$status" -eq 0 ] || { echo "$v: $output"; false; }
        [ "$output" = "NVD=${v#*=}" ] || { echo "$v: $output"; false; }
    done
}

@test "NVIDIA GPU hook: asking for GPUs on a node without the driver fails, naming the hook" {
    CONF=shipped
    run sw run --image "$T/img.sqsh" --env NVIDIA_VISIBLE_DEVICES=0 -- true
    [ "$status" -ne 0 ]
    [[ "$output" == *"60-nvidia.json (createContainer) failed: NVIDIA GPU hook: the container asks for GPUs (NVIDIA_VISIBLE_DEVICES=0;"* ]] ||
        { echo "$output"; false; }
    [[ "$output" == *"this node has no NVIDIA driver: /dev/nvidiactl is missing"* ]]
    # GPUs allocated on the host (here CUDA_VISIBLE_DEVICES) with the image's "all" fail the same way.
    EXTRA_ENV="CUDA_VISIBLE_DEVICES=1" run sw run --image "$T/img.sqsh" -- true
    [ "$status" -ne 0 ]
    [[ "$output" == *"NVIDIA GPU hook"*"CUDA_VISIBLE_DEVICES=1"*"/dev/nvidiactl is missing"* ]] || { echo "$output"; false; }
    # com.hooks.nvidia.enabled=false turns it off.
    run sw run --image "$T/img.sqsh" --env NVIDIA_VISIBLE_DEVICES=0 --annotation com.hooks.nvidia.enabled=false -- true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "NVIDIA GPU hook on a fake node: the allocated GPUs, driver libraries and programs; CUDA_VISIBLE_DEVICES renumbered" {
    CONF=fake
    EXTRA_ENV="CUDA_VISIBLE_DEVICES=2,1" run sw run --image "$T/img.sqsh" -- sh -c '
        ls /dev | grep nvidia | sort | tr "\n" " "; echo
        cat /dev/nvidia2
        echo "CVD=$CUDA_VISIBLE_DEVICES NVD=$NVIDIA_VISIBLE_DEVICES"
        readlink /usr/lib/x86_64-linux-gnu/libcuda.so.1; readlink /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1
        ldconfig -p | grep -E "lib(cuda|nvidia-ml)\.so\.1 " | sed "s/^[[:space:]]*//" | sort
        nvidia-smi'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    echo "$output"
    [ "${lines[0]}" = "nvidia-uvm nvidia1 nvidia2 nvidiactl " ]
    [ "${lines[1]}" = "fake nvidia2" ]
    [ "${lines[2]}" = "CVD=1,0 NVD=1,2" ]
    [ "${lines[3]}" = "libcuda.so.999.1.1" ]
    [ "${lines[4]}" = "libnvidia-ml.so.999.1.1" ]
    [ "${lines[5]}" = "libcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1" ]
    [ "${lines[6]}" = "libnvidia-ml.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1" ]
    [ "${lines[7]}" = "fake nvidia-smi sees: nvidia-uvm nvidia1 nvidia2 nvidiactl " ]
}

@test "NVIDIA GPU hook on a fake node: Slurm's allocation wins over the image's request" {
    CONF=fake
    # Slurm's numbering of the step's GPUs, not its cgroup-relative CUDA_VISIBLE_DEVICES, picks the nodes.
    EXTRA_ENV="SLURM_JOB_ID=5 SLURM_STEP_GPUS=2 CUDA_VISIBLE_DEVICES=0" run sw run --image "$T/img.sqsh" -- sh -c \
        'ls /dev | grep "^nvidia[0-9]"; echo "CVD=$CUDA_VISIBLE_DEVICES"'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = "nvidia2
CVD=0" ]
    EXTRA_ENV="SLURM_JOB_ID=5 SLURM_STEP_GPUS=2" run sw run --image "$T/img.sqsh" --env NVIDIA_VISIBLE_DEVICES=1 -- true
    [ "$status" -ne 0 ]
    [[ "$output" == *"NVIDIA_VISIBLE_DEVICES=1 asks for GPU 1, which the job was not given (SLURM_STEP_GPUS=2)"* ]] ||
        { echo "$output"; false; }
    # A Slurm job without GPUs gets none, whatever the image asks.
    EXTRA_ENV="SLURM_JOB_ID=5" run sw run --image "$T/img.sqsh" -- sh -c 'ls /dev | grep -c nvidia || true'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = 0 ]
}

@test "CUDA MPS hook: the daemon runs with the CSCS command line, is visible in the container, and quits with it" {
    CONF=mps
    EXTRA_ENV="CUDA_VISIBLE_DEVICES=3" run sw run --image "$T/img.sqsh" --annotation com.hooks.nvidia_cuda_mps.enabled=true \
        -- sh -c 'pgrep --list-full --uid $(id -u) --full "^nvidia-cuda-mps-control -d$";
                  echo "pipe=$CUDA_MPS_PIPE_DIRECTORY log=$CUDA_MPS_LOG_DIRECTORY"; ls $CUDA_MPS_PIPE_DIRECTORY'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    echo "$output"
    [[ "${lines[0]}" =~ ^[0-9]+\ nvidia-cuda-mps-control\ -d$ ]]
    [ "${lines[1]}" = "pipe=/tmp/nvidia-mps log=/tmp/nvidia-mps-log" ]
    [ "${lines[2]}" = "nvidia-cuda-mps-control.pid" ]
    cat "$T/mps/bin/calls.log"
    run cat "$T/mps/bin/calls.log"
    local started='^start nvidia-cuda-mps-control -d pipe=(/[^ ]+/mps/pipe) log=[^ ]+/mps/log cvd=3$'
    [[ "${lines[0]}" =~ $started ]]
    local pipe=${BASH_REMATCH[1]}
    [ "${lines[1]}" = "client quit pipe=$pipe" ]
    [ "${lines[2]}" = "daemon exit" ]
    [ "${#lines[@]}" -eq 3 ]
    run mps_daemons
    [ "$status" -eq 1 ]
    [ ! -e "$pipe" ]
}

@test "CUDA MPS hook, kept container: the daemon lives as long as the container" {
    CONF=mps
    run sw container start --image "$T/img.sqsh" --annotation com.hooks.nvidia_cuda_mps.enabled=true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    local kdir kpid
    kdir=$(jq -r .runtimeDir <<<"${lines[-1]}")
    kpid=$(jq -r .pid <<<"${lines[-1]}")
    run mps_daemons
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 1 ]
    grep -qxF "CUDA_MPS_PIPE_DIRECTORY=$kdir/mps/pipe" <(tr '\0' '\n' < "/proc/${lines[0]}/environ")
    run sw container exec "$kpid" -- sh -c 'echo $CUDA_MPS_PIPE_DIRECTORY; ls /tmp/nvidia-mps'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = "/tmp/nvidia-mps
nvidia-cuda-mps-control.pid" ]
    run sw container stop "$kdir"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    run mps_daemons
    [ "$status" -eq 1 ]
    grep -q '^client quit pipe=' "$T/mps/bin/calls.log"
    [ ! -e "$kdir" ]
}

@test "CUDA MPS hook failures name the hook: a read-only container; no nvidia-cuda-mps-control" {
    CONF=mps
    run sw run --readonly --image "$T/img.sqsh" --annotation com.hooks.nvidia_cuda_mps.enabled=true -- true
    [ "$status" -ne 0 ]
    [[ "$output" == *"61-nvidia-cuda-mps.json (createContainer) failed: CUDA MPS hook: the container must be writable"* ]] ||
        { echo "$output"; false; }
    CONF=nomps
    run sw run --image "$T/img.sqsh" --annotation com.hooks.nvidia_cuda_mps.enabled=true -- true
    [ "$status" -ne 0 ]
    [[ "$output" == *"61-nvidia-cuda-mps.json (createContainer) failed: CUDA MPS hook: nvidia-cuda-mps-control is not installed on this node (searched PATH=/nonexistent)"* ]] ||
        { echo "$output"; false; }
    # Without the annotation the hook does not run.
    run sw run --image "$T/img.sqsh" -- true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ ! -s "$T/mps/bin/calls.log" ]
}

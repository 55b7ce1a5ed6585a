#!/usr/bin/env bats
# The library-injecting built-in hooks (mount, cxi, aws_ofi_nccl, mpi, glibc) on real containers
# started by `slipway run` as an unprivileged user, and one `srun --mpi=pmi2 -n2` with the MPI
# hook on a one-node Slurm cluster. The hook files are the shipped ones (build/etc/slipway/hooks.d)
# with their site paths replaced by this host's files: there is no Slingshot here, so libfabric,
# libcxi and the NCCL plugin are dummy libraries built with cc, which must end up mounted where
# the image's linker finds them.
#
# Run: bats tests/integration/hooks-libs.bats (as root, after `make`; tests/setup/install-deps.sh).

bats_require_minimum_version 1.5.0
load lib/spank

REPO="$BATS_TEST_DIRNAME/../.."
SLIPWAY="$REPO/build/bin/slipway"
SHIPPED="$REPO/build/etc/slipway/hooks.d"
TUSER=slipwaytest
MULTIARCH=/usr/lib/x86_64-linux-gnu

# so NAME SONAME [SYMBOL]: a dummy shared library with that soname, defining SYMBOL (returns 42).
so() {
    local out=$1 soname=$2 sym=${3:-dummy_$RANDOM}
    printf 'int %s(void) { return 42; }\n' "$sym" | cc -shared -fPIC -x c -o "$out" -Wl,-soname,"$soname" -
}

# glibc_rootfs ROOT: busybox plus the host's dynamic cat and env and the glibc they need, with a
# linker cache.
glibc_rootfs() {
    local root=$1
    spank_busybox_rootfs "$root" "Slipway glibc"
    mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/usr/lib64"
    ln -s usr/lib "$root/lib"
    ln -s usr/lib64 "$root/lib64"
    cp /usr/bin/cat "$root/usr/bin/dyncat"
    spank_copy_libraries "$root" /usr/bin/cat
    printf '%s\n' "$MULTIARCH" > "$root/etc/ld.so.conf"
    ldconfig -r "$root"
}

# with_glibc_version ROOT X.Y: rewrites the banner of ROOT's libc.so.6 ("release version 2.36.")
# to say X.Y (same length), as an image with another glibc would read.
with_glibc_version() {
    local libc="$1$MULTIARCH/libc.so.6" v=$2
    sed -i "s/release version [0-9]\.[0-9][0-9]\./release version $v./" "$libc"
    grep -aq "release version $v\." "$libc"
}

setup_file() {
    export T
    T=$(mktemp -d /tmp/slipway-hooks-libs.XXXXXX)
    chmod 0755 "$T"
    [ -x "$SLIPWAY" ] || { echo "build first: make" >&2; return 1; }
    chmod 0666 /dev/fuse
    id "$TUSER" >/dev/null 2>&1 || useradd -m "$TUSER"

    # Fake host side: libfabric, libcxi, an NCCL plugin variant.
    mkdir -p "$T/host/libfabric/lib/libfabric" "$T/host/cxi" "$T/host/nccl/cuda12" "$T/host/nccl/cuda11"
    so "$T/host/libfabric/lib/libfabric.so.1.99.0" libfabric.so.1 host_libfabric
    ln -s libfabric.so.1.99.0 "$T/host/libfabric/lib/libfabric.so.1"
    echo provider > "$T/host/libfabric/lib/libfabric/libcxi-fi.so"
    so "$T/host/cxi/libcxi.so.1.5.0" libcxi.so.1 host_cxi
    so "$T/host/nccl/cuda12/libnccl-net-ofi.so" libnccl-net-ofi.so host_nccl_cuda12
    ln -s libnccl-net-ofi.so "$T/host/nccl/cuda12/libnccl-net.so"
    so "$T/host/nccl/cuda11/libnccl-net.so" libnccl-net.so host_nccl_cuda11

    # Images. img: busybox with an image libfabric (to be replaced) and a linker cache.
    spank_busybox_rootfs "$T/r-img" "Slipway Libs"
    mkdir -p "$T/r-img/usr/lib/x86_64-linux-gnu"
    so "$T/r-img/usr/lib/x86_64-linux-gnu/libfabric.so.1.3.0" libfabric.so.1 image_libfabric
    printf '/usr/lib/x86_64-linux-gnu\n' > "$T/r-img/etc/ld.so.conf"
    ldconfig -r "$T/r-img"
    spank_squash "$T/r-img" "$T/img.sqsh"
    # nocache: the same without linker cache or libfabric (musl-like).
    spank_busybox_rootfs "$T/r-nocache" "Slipway No Cache"
    spank_squash "$T/r-nocache" "$T/nocache.sqsh"
    # glibc images: the host's glibc saying it is 2.17 (older), 2.99 (newer), and unchanged.
    for v in old new same; do
        glibc_rootfs "$T/r-$v"
    done
    with_glibc_version "$T/r-old" 2.17
    with_glibc_version "$T/r-new" 2.99
    for v in old new same; do
        spank_squash "$T/r-$v" "$T/glibc-$v.sqsh" '{"env": ["PATH=/bin:/usr/bin"], "entrypoint": null,
 "cmd": null, "workingDir": "/", "user": null, "labels": {}}'
    done

    # Hook files: the shipped ones, with this host's paths.
    mkdir -p "$T/hooks"
    jq --arg lf "$T/host/libfabric/lib/libfabric.so.1" --arg cxi "$T/host/cxi/libcxi.so.1.5.0" \
        --arg prov "$T/host/libfabric/lib/libfabric" \
        '.hook.args = [.hook.args[0], .hook.args[1], "--library=" + $lf, "--library=" + $cxi,
            "--mount=type=bind,src=" + $prov + "/libcxi-fi.so,dst=<FI_PROVIDER_PATH>/libcxi-fi.so,readonly",
            "--device=/dev/null:/dev/cxi0", "--env=FI_CXI_TEST=1"]' \
        "$SHIPPED/50-cxi.json" > "$T/hooks/50-cxi.json"
    jq --arg v12 "$T/host/nccl/cuda12" --arg v11 "$T/host/nccl/cuda11" \
        '.hook.args = [.hook.args[] | if startswith("--variant=cuda12:") then "--variant=cuda12:" + $v12
            elif startswith("--variant=cuda11:") then "--variant=cuda11:" + $v11 else . end]' \
        "$SHIPPED/51-aws-ofi-nccl.json" > "$T/hooks/51-aws-ofi-nccl.json"
    cp "$SHIPPED/20-glibc.json" "$T/hooks/"
    # MPI: the shipped file names Debian's MPICH; add a dependency and a bind mount.
    mkdir -p "$T/site-data"
    echo site > "$T/site-data/file"
    jq --arg dep "$MULTIARCH/libhwloc.so.15" --arg bind "$T/site-data" \
        '.hook.env = [.hook.env[] | if startswith("MPI_DEPENDENCY_LIBS=") then "MPI_DEPENDENCY_LIBS=" + $dep
            elif startswith("BIND_MOUNTS=") then "BIND_MOUNTS=" + $bind else . end]' \
        "$SHIPPED/30-mpi.json" > "$T/hooks/30-mpi.json"
    printf 'hooks_dirs = ["%s/hooks"]\nenroot_sysconf_path = "%s/sysconf"\n' "$T" "$T" > "$T/slipway.toml"
    mkdir -p "$T/sysconf" "$T/emptyconf"

    # MPI images: the MPICH hello program with the image's own copy of its libraries, and a
    # linker cache; an image whose libmpich is a (dummy) ABI 13; one without MPI (img).
    mpi_hello "$T"
    spank_busybox_rootfs "$T/r-mpi" "Slipway MPI"
    mkdir -p "$T/r-mpi/usr/lib" "$T/r-mpi/usr/lib64" "$T/r-mpi/opt/mpi" "$T/r-mpi/usr/bin"
    ln -s usr/lib "$T/r-mpi/lib"
    ln -s usr/lib64 "$T/r-mpi/lib64"
    cp "$T/hello-mpich" "$T/r-mpi/opt/mpi/"
    cp /usr/bin/cat "$T/r-mpi/usr/bin/dyncat"
    spank_copy_libraries "$T/r-mpi" "$T/hello-mpich" /usr/bin/cat
    printf '%s\n' "$MULTIARCH" > "$T/r-mpi/etc/ld.so.conf"
    ldconfig -r "$T/r-mpi"
    spank_squash "$T/r-mpi" "$T/mpi.sqsh" '{"env": ["PATH=/bin:/opt/mpi:/usr/bin"], "entrypoint": null,
 "cmd": null, "workingDir": "/", "user": null, "labels": {}}'
    cp -a "$T/r-img" "$T/r-mpi13"
    so "$T/r-mpi13/usr/lib/x86_64-linux-gnu/libmpich.so.13.0.0" libmpich.so.13
    ldconfig -r "$T/r-mpi13"
    spank_squash "$T/r-mpi13" "$T/mpi13.sqsh"
    rm -rf "$T"/r-*
    chmod -R a+rX "$T"

    # One Slurm cluster for the srun test, the plugin configured with these hooks.
    export SPANK_CONF=$T/slipway.toml
    echo "required $REPO/build/lib/slurm/spank_slipway.so config=$SPANK_CONF" > "$T/plugstack.conf"
    chmod -R a+rX "$REPO/build"
    slurm_up --plugstack "$T/plugstack.conf"
}

teardown_file() {
    slurm_down
    [ -n "${T:-}" ] && rm -rf "$T"
}

# sw ARGS...: slipway as the test user, with this file's hooks.
sw() {
    runuser -u "$TUSER" -- env -i PATH=/usr/bin:/bin HOME="/home/$TUSER" USER="$TUSER" \
        SLIPWAY_CONFIG="${CONF:-$T/slipway.toml}" ENROOT_CONFIG_PATH="$T/emptyconf" "$SLIPWAY" "$@"
}

# In-container shell function: has STRING FILE prints yes or no.
HAS='has() { if grep -aq "$1" "$2"; then echo yes; else echo no; fi; }
'

# spank_edf_file NAME LINE...: an EDF readable by the Slurm job user; prints its path.
spank_edf_file() {
    local file="$T/$1.toml"
    shift
    printf '%s\n' "$@" > "$file"
    chmod 0644 "$file"
    echo "$file"
}

# dev_ino HOSTFILE: "MAJOR:MINOR INODE" as /proc/PID/maps shows a mapping of HOSTFILE.
dev_ino() {
    printf '%02x:%02x %s' "$(stat -L -c '%Hd' "$1")" "$(stat -L -c '%Ld' "$1")" "$(stat -L -c '%i' "$1")"
}

# --- Mount, CXI ------------------------------------------------------------------------------

@test "cxi: the host libfabric replaces the image's, libcxi is added, provider dir, device, variable" {
    run sw run --annotation com.hooks.cxi.enabled=true --image "$T/img.sqsh" -- sh -c "$HAS"'
        has host_libfabric /usr/lib/x86_64-linux-gnu/libfabric.so.1
        has image_libfabric /usr/lib/x86_64-linux-gnu/libfabric.so.1.3.0
        has host_cxi /usr/lib/libcxi.so.1
        cat /usr/lib/x86_64-linux-gnu/libfabric/libcxi-fi.so
        test -c /dev/cxi0 && echo cxi0-char
        echo "FI_CXI_TEST=$FI_CXI_TEST"'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'yes\nno\nyes\nprovider\ncxi0-char\nFI_CXI_TEST=1')" ]
}

@test "cxi: the refreshed linker cache lists the added libcxi" {
    run sw run --annotation com.hooks.cxi.enabled=true --image "$T/img.sqsh" -- \
        sh -c 'grep -a -o "libcxi.so.1" /etc/ld.so.cache | head -n1; grep -a -o "/usr/lib/libcxi.so.1" /etc/ld.so.cache | head -n1'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'libcxi.so.1\n/usr/lib/libcxi.so.1')" ]
}

@test "cxi: <FI_PROVIDER_PATH> is the container's FI_PROVIDER_PATH when set, /usr/lib without libfabric" {
    run sw run --annotation com.hooks.cxi.enabled=true --env FI_PROVIDER_PATH=/opt/prov --image "$T/img.sqsh" -- \
        cat /opt/prov/libcxi-fi.so
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = provider ]
    run sw run --annotation com.hooks.cxi.enabled=true --image "$T/nocache.sqsh" -- cat /usr/lib/libcxi-fi.so
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = provider ]
}

@test "cxi: com.hooks.cxi.enabled=false or no annotation leaves the image alone" {
    for a in "--annotation=com.hooks.cxi.enabled=false" "--annotation=x=y"; do
        run sw run "$a" --image "$T/img.sqsh" -- sh -c "$HAS"'
            has image_libfabric /usr/lib/x86_64-linux-gnu/libfabric.so.1; test -e /usr/lib/libcxi.so.1 || echo none'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'yes\nnone')" ]
    done
}

@test "mount: errors name the hook and what is wrong" {
    mkdir -p "$T/bad"
    bad() {
        jq --arg a "$1" '.hook.args = ["slipway-hook", "mount", $a] | .when = {"always": true}' \
            "$SHIPPED/50-cxi.json" > "$T/bad/40-mount.json"
        chmod a+r "$T/bad/40-mount.json"
        printf 'hooks_dirs = ["%s/bad"]\n' "$T" > "$T/bad.toml"
        chmod a+r "$T/bad.toml"
        CONF="$T/bad.toml" run sw run --image "$T/img.sqsh" -- true
        echo "$output"
        [ "$status" -ne 0 ]
        [[ $output == *"40-mount.json"* ]]
        [[ $output == *"$2"* ]]
    }
    bad "--mount=type=bind,src=/etc,dst=/x,color=red" "unknown key 'color'"
    bad "--mount=type=bind,src=/etc,dst=relative" "'relative' is not an absolute path"
    bad "--mount=type=bind,src=/nonexistent,dst=/x" "mount source /nonexistent does not exist"
    bad "--mount=src=/etc,dst=/x" "type=bind is required"
    bad "--device=/etc/hostname" "/etc/hostname is not a character or block device"
    bad "--device=/dev/null:rwx" "must be a combination of r, w and m"
    bad "--bogus" "unknown argument '--bogus'"
}

# --- AWS OFI NCCL ------------------------------------------------------------------------------

@test "aws_ofi_nccl: the variant's plugin is mounted, NCCL_NET_PLUGIN and the NCCL/CXI variables set, cxi too" {
    run sw run --annotation com.hooks.aws_ofi_nccl.enabled=true --annotation com.hooks.aws_ofi_nccl.variant=cuda12 \
        --image "$T/img.sqsh" -- sh -c "$HAS"'
        has host_nccl_cuda12 /usr/lib/libnccl-net-ofi.so
        readlink /usr/lib/libnccl-net.so
        has host_libfabric /usr/lib/x86_64-linux-gnu/libfabric.so.1
        echo "$NCCL_NET_PLUGIN|$NCCL_NET|$NCCL_CROSS_NIC|$FI_CXI_DISABLE_HOST_REGISTER|$FI_MR_CACHE_MONITOR"'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf 'yes\nlibnccl-net-ofi.so\nyes\nofi|AWS Libfabric|1|1|userfaultfd')" ]
}

@test "aws_ofi_nccl: a plugin named libnccl-net.so leaves NCCL_NET_PLUGIN unset" {
    run sw run --annotation com.hooks.aws_ofi_nccl.enabled=true --annotation com.hooks.aws_ofi_nccl.variant=cuda11 \
        --env NCCL_NET_PLUGIN=image --image "$T/img.sqsh" -- \
        sh -c "$HAS"'has host_nccl_cuda11 /usr/lib/libnccl-net.so; echo "plugin=${NCCL_NET_PLUGIN-unset}"'
    echo "$output"
    [ "$status" -eq 0 ]
    # The EDF/--env still wins over hooks.
    [ "$output" = "$(printf 'yes\nplugin=image')" ]
    run sw run --annotation com.hooks.aws_ofi_nccl.enabled=true --annotation com.hooks.aws_ofi_nccl.variant=cuda11 \
        --image "$T/img.sqsh" -- sh -c 'echo "plugin=${NCCL_NET_PLUGIN-unset}"'
    [ "$output" = "plugin=unset" ]
}

@test "aws_ofi_nccl: an unknown or missing variant names the configured ones" {
    run sw run --annotation com.hooks.aws_ofi_nccl.enabled=true --annotation com.hooks.aws_ofi_nccl.variant=rocm6 \
        --image "$T/img.sqsh" -- true
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *'51-aws-ofi-nccl.json'*'com.hooks.aws_ofi_nccl.variant = "rocm6" is not configured; variants: cuda11, cuda12'* ]]
    run sw run --annotation com.hooks.aws_ofi_nccl.enabled=true --image "$T/img.sqsh" -- true
    [ "$status" -ne 0 ]
    [[ $output == *'set com.hooks.aws_ofi_nccl.variant to one of: cuda11, cuda12'* ]]
}

# --- glibc -------------------------------------------------------------------------------------

@test "glibc: an older container glibc is replaced by the host's, and programs run on it" {
    run sw run --annotation com.hooks.glibc.enabled=true --image "$T/glibc-old.sqsh" -- \
        sh -c 'dyncat /proc/self/maps | grep "/libc.so.6$"; dyncat /proc/self/maps | grep "/ld-linux-x86-64.so.2$"'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == *" $(dev_ino /lib/x86_64-linux-gnu/libc.so.6) "* ]]
    [[ ${lines[-1]} == *" $(dev_ino /lib64/ld-linux-x86-64.so.2) "* ]]
}

@test "glibc: without the annotation the older glibc stays the image's" {
    run sw run --image "$T/glibc-old.sqsh" -- sh -c 'dyncat /proc/self/maps | grep "/libc.so.6$"'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output != *" $(dev_ino /lib/x86_64-linux-gnu/libc.so.6) "* ]]
}

@test "glibc: a newer or equal container glibc, or an image without glibc, is left alone" {
    for img in glibc-new glibc-same; do
        run sw run --annotation com.hooks.glibc.enabled=true --image "$T/$img.sqsh" -- \
            sh -c 'dyncat /proc/self/maps | grep "/libc.so.6$"; grep -c " /usr/lib/x86_64-linux-gnu/libc.so.6 " /proc/mounts || true'
        echo "$img: $output"
        [ "$status" -eq 0 ]
        [[ ${lines[0]} != *" $(dev_ino /lib/x86_64-linux-gnu/libc.so.6) "* ]]
        [ "${lines[-1]}" = 0 ]
    done
    run sw run --annotation com.hooks.glibc.enabled=true --image "$T/nocache.sqsh" -- sh -c 'grep -c libc /proc/mounts || true'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
}

# --- MPI ---------------------------------------------------------------------------------------

@test "mpi: srun --mpi=pmi2 -n2 runs the image's MPICH program on the host's libmpich" {
    local edf host
    edf=$(spank_edf_file mpi "image = \"$T/mpi.sqsh\"" '[annotations]' 'com.hooks.mpi.enabled = "true"')
    run_srun --mpi=pmi2 -n2 --environment="$edf" sh -c \
        'hello-mpich; LD_PRELOAD=libmpich.so.12 dyncat /proc/self/maps | grep -c " '"$(dev_ino $MULTIARCH/libmpich.so.12)"' "'
    echo "$output"
    [ "$status" -eq 0 ]
    host=$(hostname -s)
    [ "$(grep '^rank' <<< "$output" | sort)" = "$(printf 'rank 0 of 2 sum 1 node %s\nrank 1 of 2 sum 1 node %s' "$host" "$host")" ]
    # Each task maps the host's file (5 segments), not the image's copy.
    [ "$(grep -v '^rank' <<< "$output")" = "$(printf '5\n5')" ]
}

@test "mpi: the dependency replaces the image's, BIND_MOUNTS are mounted, missing MPI libraries are added" {
    run sw run --annotation com.hooks.mpi.enabled=true --image "$T/mpi.sqsh" -- sh -c "
        LD_PRELOAD=libhwloc.so.15 dyncat /proc/self/maps | grep -c ' $(dev_ino $MULTIARCH/libhwloc.so.15) '
        cat $T/site-data/file
        readlink /usr/lib/libmpichcxx.so.12"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf '5\nsite\nlibmpichcxx.so.12.2.2')" ]
}

@test "mpi: an image MPI of another ABI version is not ABI compatible" {
    run sw run --annotation com.hooks.mpi.enabled=true --image "$T/mpi13.sqsh" -- true
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"30-mpi.json"*"Host's MPI library $MULTIARCH/libmpich.so.12 (12.2.2) is not ABI compatible with container's MPI library /usr/lib/x86_64-linux-gnu/libmpich.so.13 (13.0.0)"* ]]
}

@test "mpi: an image without MPI libraries in its linker cache says so" {
    run sw run --annotation com.hooks.mpi.enabled=true --image "$T/img.sqsh" -- true
    echo "$output"
    [ "$status" -ne 0 ]
    [[ $output == *"No MPI libraries found in the container"*"run ldconfig when building the image"* ]]
}

@test "mpi: com.hooks.mpi.type names a type no hook file serves: the image's MPI is kept" {
    run sw run --annotation com.hooks.mpi.enabled=true --annotation com.hooks.mpi.type=openmpi \
        --image "$T/mpi.sqsh" -- sh -c 'grep -c libmpich /proc/mounts || true'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
}

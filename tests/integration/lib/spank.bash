# Helpers for the suites that run Slipway's SPANK plugin on a real Slurm cluster (spank.bats,
# spank-multinode.bats): the plugin from build/ in plugstack.conf with a test configuration file,
# test images (squashfs files and images in a loopback registry), and checks for leftovers.
#
#   setup_file()    { spank_setup_file [--nodes N]; }
#   teardown_file() { spank_teardown_file; }
#
# Exports T (the suite's directory: images, EDFs, configuration, mounted directories), PORT (the
# registry's port) and SPANK_CONF (the Slipway configuration file the plugin gets as config=).
# Jobs run as a user of their own (slipspank), so that "no process left for the user" means
# exactly this suite's processes, whatever else runs on the machine.

SLURM_TEST_USER=${SLURM_TEST_USER:-slipspank}
SPANK_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
source "$(dirname "${BASH_SOURCE[0]}")/slurm.bash"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"

# spank_busybox_rootfs ROOT NAME: busybox with every applet, /etc/os-release saying NAME, a
# working directory /srv/work and an entrypoint /opt/app/ep-exec that exports FROM_ENTRYPOINT
# and execs its arguments (as entrypoints that work with Pyxis do).
spank_busybox_rootfs() {
    local root=$1 name=$2 applet
    mkdir -p "$root"/{bin,etc,proc,dev,sys,tmp,root,srv/work,opt/app}
    cp "$(command -v busybox)" "$root/bin/busybox"
    for applet in $("$root/bin/busybox" --list); do
        [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    printf 'NAME="%s"\nID=slipwaytest\n' "$name" > "$root/etc/os-release"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
    printf '#!/bin/sh\nexport FROM_ENTRYPOINT=yes\nexec "$@"\n' > "$root/opt/app/ep-exec"
    chmod 0755 "$root/opt/app/ep-exec"
}

# spank_copy_libraries ROOT FILE...: the shared libraries each FILE needs (ldd), and the dynamic
# loader, copied under ROOT at their host paths.
spank_copy_libraries() {
    local root=$1 f
    shift
    for f in "$@"; do
        ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
    done | sort -u | while read -r f; do
        mkdir -p "$root$(dirname "$f")"
        cp -L "$f" "$root$f"
    done
}

# spank_mpi_rootfs ROOT DIR: a busybox image with DIR/hello-mpich and DIR/hello-openmpi (see
# mpi_hello) in /opt/mpi and what they need at run time, copied from this host: the libraries
# they link (MPICH, Open MPI, hwloc, libfabric, UCX...), Open MPI's and PMIx's plugins (dlopened,
# so ldd of the programs misses them) with their own libraries, and their help texts. Nothing of
# MPI is mounted from the host: the program runs against the image's MPI.
spank_mpi_rootfs() {
    local root=$1 dir=$2 d
    spank_busybox_rootfs "$root" "Slipway MPI"
    # Debian's /lib and /lib64 are links into /usr; ldd names libraries through them.
    mkdir -p "$root/usr/lib" "$root/usr/lib64"
    ln -s usr/lib "$root/lib"
    ln -s usr/lib64 "$root/lib64"
    mkdir -p "$root/opt/mpi"
    cp "$dir"/hello-mpich "$dir"/hello-openmpi "$root/opt/mpi/"
    local plugins=()
    for d in /usr/lib/x86_64-linux-gnu/openmpi /usr/lib/x86_64-linux-gnu/pmix2 /usr/lib/x86_64-linux-gnu/ucx \
        /usr/share/openmpi /usr/share/pmix /etc/openmpi; do
        [ -e "$d" ] || continue
        mkdir -p "$root$(dirname "$d")"
        cp -a "$d" "$root$(dirname "$d")/"
    done
    mapfile -t plugins < <(find /usr/lib/x86_64-linux-gnu/openmpi /usr/lib/x86_64-linux-gnu/pmix2 \
        /usr/lib/x86_64-linux-gnu/ucx -name '*.so*' -type f 2>/dev/null)
    spank_copy_libraries "$root" "$dir/hello-mpich" "$dir/hello-openmpi" "${plugins[@]}"
}

# spank_squash ROOT FILE [CONFIG-JSON]: FILE, a squashfs image of ROOT; CONFIG-JSON, when given,
# becomes its image configuration (FILE.json, as `slipway image import -o` writes it).
spank_squash() {
    mksquashfs "$1" "$2" -noappend -quiet -no-progress -all-root -comp zstd -Xcompression-level 1 >/dev/null
    [ -z "${3:-}" ] || echo "$3" > "$2.json"
}

# spank_setup_file [--nodes N]: builds the images, starts the registry and the cluster with the
# plugin. Images:
#   $T/img.sqsh          busybox "Slipway Test Linux", image env, entrypoint ep-exec, workdir /srv/work
#   $T/mpi.sqsh          the MPI hello programs with their MPI (spank_mpi_rootfs)
#   127.0.0.1:$PORT#team/tiny:1   busybox "Slipway Registry Linux", same config as img.sqsh
#   127.0.0.1:$PORT#team/big:1    tiny plus a 150 MB incompressible layer (slow enough to cancel)
spank_setup_file() {
    [ -x "$SPANK_REPO/build/lib/slurm/spank_slipway.so" ] || { echo "build first: make" >&2; return 1; }
    export T
    T=$(mktemp -d /tmp/slipway-spank-test.XXXXXX)
    export WORK=$T
    chmod 0755 "$T"
    chmod 0666 /dev/fuse
    slurm_user_setup
    # The job user runs the JNI host, the jar and the helpers from build/.
    chmod -R a+rX "$SPANK_REPO/build"
    runuser -u "$SLURM_TEST_USER" -- test -r "$SPANK_REPO/build/share/slipway/slipway.jar" \
        || { echo "$SLURM_TEST_USER cannot read $SPANK_REPO/build (a parent directory is closed)" >&2; return 1; }

    local config='{"env": ["PATH=/bin:/opt/mpi", "IMAGE_VAR=image", "SHARED=image", "EDF_OVER=image", "EDF_UNSET=image"],
 "entrypoint": ["/opt/app/ep-exec"], "cmd": ["sh"], "workingDir": "/srv/work", "user": null, "labels": {}}'
    spank_busybox_rootfs "$T/rootfs" "Slipway Test Linux"
    spank_squash "$T/rootfs" "$T/img.sqsh" "$config"
    mpi_hello "$T"
    spank_mpi_rootfs "$T/mpiroot" "$T"
    spank_squash "$T/mpiroot" "$T/mpi.sqsh" '{"env": ["PATH=/bin:/opt/mpi"], "entrypoint": null, "cmd": null,
 "workingDir": "/", "user": null, "labels": {}}'
    rm -rf "$T/rootfs" "$T/mpiroot"

    start_registry plain
    export PORT
    PORT=$(registry_port plain)
    new_image tiny
    spank_busybox_rootfs "$WORK/bundle-tiny/rootfs" "Slipway Registry Linux"
    commit_layer tiny
    umoci config --image "$WORK/oci:tiny" --config.entrypoint /opt/app/ep-exec --config.workingdir /srv/work \
        --config.env PATH=/bin --config.env IMAGE_VAR=registry >/dev/null
    push_image tiny "$PORT" team/tiny:1
    # big: a second layer of random bytes on top of tiny.
    head -c 150000000 /dev/urandom > "$WORK/bundle-tiny/rootfs/blob"
    commit_layer tiny
    push_image tiny "$PORT" team/big:1
    rm -rf "$WORK/bundle-tiny" "$WORK/oci"

    mkdir -p "$T/edf" "$T/sysedf" "$T/hooks.d"
    # Of the shipped OCI hooks only the PMIx hook, which binds the PMIx server's directories into
    # the container under srun --mpi=pmix (hooks-slurm.bats tests the others).
    cp "$SPANK_REPO/build/etc/slipway/hooks.d/30-pmix.json" "$T/hooks.d/"
    export SPANK_CONF=$T/slipway.toml
    cat > "$SPANK_CONF" <<TOML
insecure_registries = ["127.0.0.1:$PORT"]
edf_system_search_path = "$T/sysedf"
hooks_dirs = ["$T/hooks.d"]
# The shipped Enroot-style hooks, as an installation has them.
enroot_sysconf_path = "$SPANK_REPO/build/etc/slipway/enroot"
TOML
    echo "required $SPANK_REPO/build/lib/slurm/spank_slipway.so config=$SPANK_CONF" > "$T/plugstack.conf"
    chmod -R a+rX "$T"
    slurm_up --plugstack "$T/plugstack.conf" "$@"
}

spank_teardown_file() {
    slurm_down
    stop_registry plain
    [ -n "${T:-}" ] && rm -rf "$T"
}

# spank_edf NAME [LINE...]: writes $T/edf/NAME.toml with LINE... and prints its path.
spank_edf() {
    local file="$T/edf/$1.toml"
    shift
    printf '%s\n' "$@" > "$file"
    chmod 0644 "$file"
    echo "$file"
}

# spank_store: a new, empty image store of the job user; prints its path.
spank_store() {
    local store
    store=$(mktemp -d "$T/store.XXXXXX")
    chown "$SLURM_TEST_USER" "$store"
    chmod 0755 "$store"
    echo "$store"
}

# spank_blob_gets: how many blob GETs the registry has served so far (its access log is written
# asynchronously: wait a moment before counting).
spank_blob_gets() {
    grep -c '"GET /v2/[^ ]*/blobs/sha256:' "$WORK/reg-plain/log" || true
}

# spank_blobs REPO TAG: how many blobs (configuration and layers) the image's manifest names.
spank_blobs() {
    curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://127.0.0.1:$PORT/v2/$1/manifests/$2" | grep -o '"digest"' | wc -l
}

# spank_pulled_once BEFORE STORE: since BEFORE (a spank_blob_gets count), the registry served each
# blob of team/tiny:1 exactly once, and STORE holds that one image.
spank_pulled_once() {
    local after blobs
    sleep 1
    after=$(spank_blob_gets)
    blobs=$(spank_blobs team/tiny 1)
    echo "blob GETs: $((after - $1)) for $blobs blobs"
    [ $((after - $1)) -eq "$blobs" ] && [ "$(ls "$2"/x86/*.sqsh | wc -l)" -eq 1 ]
}

# A task command that prints where the task runs: "NODE MNT-NAMESPACE keeper=PID NAME=..." (the
# image's name from /etc/os-release). The keeper is the process of the task's mount namespace
# that leads its own session (the container's init); tasks are not session leaders.
SPANK_WHERE='me=$(readlink /proc/self/ns/mnt); keeper=
for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$me" ] || continue
    set -- $(sed "s/.*) //" "$p/stat" 2>/dev/null); [ "${4:-}" = "${p#/proc/}" ] && keeper=${p#/proc/}
done
echo "$SLURMD_NODENAME $me keeper=$keeper $(head -n1 /etc/os-release)"'

# spank_leftovers: the job user's live processes (zombies excluded: they wait for this
# machine's pid 1 and are gone already), one "PID COMMAND" per line.
spank_leftovers() {
    ps -u "$SLURM_TEST_USER" -o pid=,stat=,args= 2>/dev/null | awk '$2 !~ /^Z/ {$2 = ""; print}' || true
}

# spank_no_leftovers [SECONDS]: waits up to SECONDS (default 5) for the job user to have no
# process left; prints them and fails if some stay.
spank_no_leftovers() {
    local i left
    for i in $(seq $((${1:-5} * 10))); do
        left=$(spank_leftovers)
        [ -n "$left" ] || return 0
        sleep 0.1
    done
    echo "processes left for $SLURM_TEST_USER:" >&2
    echo "$left" >&2
    return 1
}

# spank_new_job_id: runs a plain job (one the plugin leaves alone) and prints its id; two calls
# tell how many jobs were created in between.
spank_new_job_id() {
    as_user timeout "$SLURM_CMD_TIMEOUT" srun printenv SLURM_JOB_ID
}

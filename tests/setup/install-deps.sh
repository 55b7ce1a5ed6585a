#!/bin/bash
# Installs what building and testing Slipway needs on Debian 12, as root. Quick when everything is
# already there, so every test run calls it.
set -euo pipefail

packages=(
    # build
    openjdk-17-jdk-headless maven gcc make libc6-dev
    # test harness
    bats curl ca-certificates procps python3 bc util-linux jq
    # squashfs images: tar2sqfs streams merged layers into squashfs; squashfuse mounts them
    squashfs-tools squashfs-tools-ng squashfuse fuse3 fuse-overlayfs zstd isal
    # registry and test images for the import tests
    docker-registry skopeo umoci busybox-static apache2-utils openssl
    # Containerfile builds (both builders are tested) and the import benchmark
    buildah podman debootstrap
    # The test Slurm cluster (tests/setup/slurm-cluster.sh) and the SPANK plugin's build:
    # slurm-wlm has slurmctld, slurmd and the clients; libslurm-dev and
    # slurm-wlm-basic-plugins-dev have slurm.h and spank.h; munge authenticates; iproute2's ss
    # checks that the cluster's ports are free.
    slurm-wlm libslurm-dev slurm-wlm-basic-plugins-dev munge iproute2
    # MPI through Slurm. slurm-wlm-basic-plugins (pulled in by slurm-wlm) already ships
    # mpi_pmi2.so and mpi_pmix_v4.so (mpi_pmix.so links to it), but mpi_pmix dlopens the
    # unversioned pmix2/lib/libpmix.so, which only libpmix-dev installs (libpmix2 has libpmix.so.2):
    # without it `srun --mpi=pmix` fails. mpich and libmpich-dev: MPICH's built-in PMI client
    # speaks the wire protocol of Slurm's mpi/pmi2, and mpicc.mpich builds the test program.
    # openmpi-bin and libopenmpi-dev: Debian's Open MPI is a PMIx client (libpmix2), the MPI for
    # `srun --mpi=pmix`; MPICH here is built without PMIx.
    libpmix2 libpmix-dev mpich libmpich-dev openmpi-bin libopenmpi-dev
    # The SSH hook: make builds a static dropbear with musl-gcc from Debian's source package
    # (apt-get source, so dpkg-dev and the deb-src lines below); the tests log in with OpenSSH.
    musl-tools dpkg-dev bzip2 openssh-client
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages (${missing[*]}); run as root" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Source packages (apt-get source dropbear, for the SSH hook's static build): a deb-src twin of
# each enabled entry for this release, written once beside the machine's own sources.
enable_deb_src() {
    local codename list=/etc/apt/sources.list.d/slipway-deb-src
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    apt-cache showsrc dropbear 2>/dev/null | grep -q '^Package: dropbear' && return 0
    [ "$(id -u)" -eq 0 ] || { echo "install-deps: no deb-src entries for apt-get source; run as root" >&2; exit 1; }
    [ -n "$codename" ] || { echo "install-deps: no VERSION_CODENAME in /etc/os-release" >&2; exit 1; }
    shopt -s nullglob
    # deb822 files: each stanza whose Types has "deb" and whose Suites name this release.
    awk -v RS= -v ORS='\n\n' -v c="$codename" \
        '/(^|\n)Types:[^\n]*deb/ && $0 ~ "(^|\n)Suites:[^\n]*" c { sub(/Types:[^\n]*/, "Types: deb-src"); print }' \
        /etc/apt/sources.list.d/*.sources > "$list.sources.tmp"
    # One-line files.
    sed -n -E "s/^deb (\[[^]]*\] )?(\S+ $codename\S* .*)/deb-src \1\2/p" \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null > "$list.list.tmp" || true
    shopt -u nullglob
    [ -s "$list.sources.tmp" ] && mv "$list.sources.tmp" "$list.sources" || rm -f "$list.sources.tmp"
    [ -s "$list.list.tmp" ] && mv "$list.list.tmp" "$list.list" || rm -f "$list.list.tmp"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-cache showsrc dropbear 2>/dev/null | grep -q '^Package: dropbear' \
        || { echo "install-deps: apt has no source package dropbear (deb-src entries?)" >&2; exit 1; }
}
enable_deb_src

# FUSE mounts by unprivileged users need /dev/fuse open to them (mode 0600 on some machines).
if [ "$(id -u)" -eq 0 ] && [ -c /dev/fuse ]; then
    chmod 0666 /dev/fuse
fi

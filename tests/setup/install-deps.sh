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
    squashfs-tools squashfs-tools-ng squashfuse fuse3 fuse-overlayfs zstd
    # registry and test images for the import tests
    docker-registry skopeo umoci busybox-static apache2-utils openssl
    # Containerfile builds and the import benchmark
    buildah debootstrap
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

# FUSE mounts by unprivileged users need /dev/fuse open to them (mode 0600 on some machines).
if [ "$(id -u)" -eq 0 ] && [ -c /dev/fuse ]; then
    chmod 0666 /dev/fuse
fi

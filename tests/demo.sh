#!/bin/bash
# The Slipway demo on a fresh Debian 12 machine, as root: installs what the build needs, builds,
# starts a loopback registry (localhost:5000) holding the demo image and a one-node Slurm cluster
# with the Slipway plugin, then runs, as an unprivileged user,
#
#     srun --environment=demo cat /etc/os-release
#
# where "demo" is the built-in example EDF (conf/examples/demo.toml, found in the system EDF
# directory; it inherits conf/examples/cluster-defaults.toml). Everything is stopped at the end;
# with --keep the cluster and registry stay up and the script prints how to use and stop them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
keep=0
[ "${1:-}" = --keep ] && keep=1

work=/tmp/slipway-demo
. tests/integration/lib/slurm.bash
SLURM_TEST_USER=slipdemo
SLURM_TEST_ROOT=/run/slipway-demo
export SLIPWAY_SLURM_STATE=$SLURM_TEST_ROOT/demo

stop_all() {
    tests/setup/slurm-cluster.sh down >/dev/null 2>&1 || true
    [ -f "$work/registry.pid" ] && kill "$(cat "$work/registry.pid")" 2>/dev/null || true
    rm -rf "$work" "/var/tmp/slipway-demo-$SLURM_TEST_USER"
}
if [ "${1:-}" = --down ]; then
    stop_all
    echo "demo stopped"
    exit 0
fi

tests/setup/install-deps.sh
make >/dev/null
stop_all
trap '((keep)) || stop_all' EXIT
mkdir -p "$work"
chmod 0755 "$work"
chmod a+rX "$root" "$root/build" 2>/dev/null || true

echo "== a loopback registry on localhost:5000 with the demo image"
if curl -s -o /dev/null "http://127.0.0.1:5000/v2/"; then
    echo "demo: port 5000 is taken; stop what listens there (ss -ltnp 'sport = 5000') and run again" >&2
    exit 1
fi
cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:5000}
YML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
echo $! > "$work/registry.pid"
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:5000/v2/" && break; sleep 0.1; done
umoci init --layout "$work/oci"
umoci new --image "$work/oci:demo"
umoci unpack --rootless --image "$work/oci:demo" "$work/bundle" >/dev/null
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs"/{bin,etc,tmp,work}
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
printf 'NAME="Slipway Demo Linux"\nID=slipway-demo\nPRETTY_NAME="Slipway Demo Linux (busybox)"\n' > "$rootfs/etc/os-release"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
umoci repack --image "$work/oci:demo" "$work/bundle" >/dev/null
umoci config --image "$work/oci:demo" --config.env PATH=/bin --config.cmd /bin/sh >/dev/null
skopeo copy -q --dest-tls-verify=false "oci:$work/oci:demo" docker://localhost:5000/library/demo:1.0

echo "== a one-node Slurm cluster with the Slipway plugin"
cat > "$work/slipway.toml" <<TOML
edf_system_search_path = "$root/build/share/slipway/examples"
insecure_registries = ["localhost:5000"]
image_store = "/var/tmp/slipway-demo-\${USER}"
TOML
printf 'required %s/build/lib/slurm/spank_slipway.so config=%s/slipway.toml\n' "$root" "$work" > "$work/plugstack.conf"
chmod -R a+rX "$work"
BATS_TEST_FILENAME=demo slurm_up --plugstack "$work/plugstack.conf"
home=$(slurm_user_home)

echo
echo "== as $SLURM_TEST_USER: srun --environment=demo cat /etc/os-release (the first run imports the image)"
as_user srun --environment=demo cat /etc/os-release
echo
echo "== as $SLURM_TEST_USER: srun -n2 --environment=demo sh -c 'echo ...' (the image is cached now)"
as_user srun -n2 --overcommit --environment=demo sh -c 'echo "task $SLURM_PROCID: $GREETING, in $PWD"'
echo
echo "== an EDF error is reported at submission, with its file and line, and nothing is queued"
printf 'image = "library/demo:1.0"\nworkdir = 42\n' > "$home/broken.toml"
chown "$SLURM_TEST_USER" "$home/broken.toml"
as_user srun --environment=./broken.toml true || echo "(srun exit status $?)"

if ((keep)); then
    echo
    echo "The demo cluster and registry are still up. As root:"
    echo "  export SLURM_CONF=$SLURM_CONF"
    echo "  runuser -u $SLURM_TEST_USER -- env SLURM_CONF=\$SLURM_CONF srun --environment=demo cat /etc/os-release"
    echo "Stop them with: $0 --down"
fi

#!/usr/bin/env bats
# The SSH hook (hooks.d/80-ssh.json, docs/hooks.md "SSH") with real containers, a real dropbear,
# OpenSSH's client on the host, and one Slurm step as CSCS's check runs it; as an unprivileged
# user (slipssh), whose keys this suite makes with `slipway ssh-keygen`.
#
# Run: bats tests/integration/hooks-ssh.bats (as root, after `make`).

bats_require_minimum_version 1.5.0
SLURM_TEST_USER=slipssh
load lib/spank

SLIPWAY="$SPANK_REPO/build/bin/slipway"

setup_file() {
    export T
    T=$(mktemp -d /tmp/slipway-ssh-test.XXXXXX)
    chmod 0755 "$T"
    chmod 0666 /dev/fuse
    slurm_user_setup
    chmod -R a+rX "$SPANK_REPO/build"
    # A busybox image with procps' pgrep (CSCS's check uses its long options) and the glibc it
    # needs; an /etc/profile that resets PATH, as Debian's does, and reads /etc/profile.d. /usr/bin,
    # /opt and /home belong to root and have none of the hook's mount points: they must be made.
    local root=$T/rootfs
    spank_busybox_rootfs "$root" "Slipway SSH Linux"
    mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/usr/lib64" "$root/home" "$root/etc/profile.d"
    ln -s usr/lib "$root/lib"
    ln -s usr/lib64 "$root/lib64"
    cp "$(command -v pgrep)" "$root/usr/bin/pgrep"
    spank_copy_libraries "$root" "$(command -v pgrep)"
    cat > "$root/etc/profile" <<'SH'
PATH=/usr/bin:/bin
for f in /etc/profile.d/*.sh; do [ -r "$f" ] && . "$f"; done
SH
    spank_squash "$root" "$T/img.sqsh" '{"env": ["PATH=/bin:/usr/bin:/opt/tools/bin", "IMAGE_VAR=image"],
 "entrypoint": null, "cmd": null, "workingDir": "/", "user": null, "labels": {}}'
    rm -rf "$root"

    mkdir -p "$T/edf"
    export SSH_CONF=$T/slipway.toml
    cat > "$SSH_CONF" <<TOML
hooks_dirs = ["$SPANK_REPO/build/etc/slipway/hooks.d"]
enroot_sysconf_path = "$T/no-enroot"
TOML
    # A later hook that fails, after the SSH hook started its server.
    mkdir -p "$T/hooks-fail"
    cat > "$T/hooks-fail/90-fail.json" <<JSON
{"version": "1.0.0", "hook": {"path": "/bin/sh", "args": ["sh", "-c", "echo later hook fails >&2; exit 3"]},
 "when": {"always": true}, "stages": ["createContainer"]}
JSON
    cat > "$T/fail.toml" <<TOML
hooks_dirs = ["$SPANK_REPO/build/etc/slipway/hooks.d", "$T/hooks-fail"]
enroot_sysconf_path = "$T/no-enroot"
TOML
    echo "required $SPANK_REPO/build/lib/slurm/spank_slipway.so config=$SSH_CONF" > "$T/plugstack.conf"
    chmod -R a+rX "$T"
    slurm_up --plugstack "$T/plugstack.conf"
}

teardown_file() {
    slurm_down
    [ -n "${T:-}" ] && rm -rf "$T"
}

setup() {
    HOME_DIR=$(slurm_user_home)
    KEYS=$HOME_DIR/.config/slipway/ssh
    UID_=$(id -u "$SLURM_TEST_USER")
}

teardown() {
    # Containers a failed test left: stopped like `slipway container stop` (poststop included).
    local d
    for d in /run/user/"$UID_"/slipway/slipway-* /tmp/slipway-"$UID_"/slipway-*; do
        [ -e "$d" ] && as_user "$SLIPWAY" container stop "$d" || true
    done
    spank_no_leftovers
}

# slipway ARGS...: the CLI as the test user with this suite's configuration.
slipway() { as_user env SLIPWAY_CONFIG="$SSH_CONF" VISIBLE='say "hi" it'"'"'s $HOME' "$SLIPWAY" "$@"; }

# start PORT [ANNOTATION...]: a kept container with the SSH hook on PORT; sets PID and DIR.
start() {
    local port=$1 a args=()
    shift
    for a in "$@"; do args+=(--annotation "$a"); done
    run slipway container start --image "$T/img.sqsh" --annotation com.hooks.ssh.enabled=true \
        --annotation com.hooks.ssh.port="$port" "${args[@]}"
    echo "$output"
    [ "$status" -eq 0 ]
    PID=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' <<< "$output")
    DIR=$(sed -n 's/.*"runtimeDir":"\([^"]*\)".*/\1/p' <<< "$output")
    [ -n "$PID" ] && [ -d "$DIR" ]
}

# host_ssh PORT KEY ARGS...: OpenSSH's client on the host, as the test user.
host_ssh() {
    local port=$1 key=$2
    shift 2
    as_user ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
        -i "$key" -p "$port" localhost "$@"
}

dropbears() { pgrep -u "$UID_" -f '^/opt/oci-hooks/ssh/dropbear/bin/dropbear' || true; }

@test "without keys a start fails, naming the hook file and slipway ssh-keygen; nothing is left" {
    rm -rf "$KEYS"
    run slipway container start --image "$T/img.sqsh" --annotation com.hooks.ssh.enabled=true
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"80-ssh.json (createContainer) failed"* ]]
    [[ "$output" == *"no SSH keys in $KEYS: run 'slipway ssh-keygen' once"* ]]
}

@test "slipway ssh-keygen makes the keys once, --overwrite replaces them" {
    run slipway ssh-keygen
    [ "$status" -eq 0 ]
    [[ "$output" == "SSH keys made in $KEYS" ]]
    [ "$(stat -c %a "$KEYS")" = 700 ]
    [ "$(stat -c %a "$KEYS/id_ed25519")" = 600 ]
    before=$(cat "$KEYS"/* | sum)
    run slipway ssh-keygen
    [[ "$output" == *"already exist"* ]]
    [ "$(cat "$KEYS"/* | sum)" = "$before" ]
    run slipway ssh-keygen --overwrite
    [[ "$output" == "SSH keys made in $KEYS" ]]
    [ "$(cat "$KEYS"/* | sum)" != "$before" ]
    # The OpenSSH copy is the same key as dropbear's.
    ssh-keygen -y -f "$KEYS/id_ed25519" | cut -d' ' -f1-2 > "$T/derived.pub"
    cut -d' ' -f1-2 "$KEYS/id_ed25519.pub" | diff - "$T/derived.pub"
}

@test "ssh -p PORT localhost runs in the container; pgrep finds dropbear; stop ends it" {
    start 15301 com.hooks.ssh.pidfile_host="$HOME_DIR/host.pid"
    run host_ssh 15301 "$KEYS/id_ed25519" 'head -n1 /etc/os-release; id -u; echo "$IMAGE_VAR"; pwd'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 'NAME="Slipway SSH Linux"' ]
    [ "${lines[1]}" = "$UID_" ]
    [ "${lines[2]}" = image ]
    [ "${lines[3]}" = "$HOME_DIR" ]
    # CSCS's check, from inside the container.
    run slipway container exec "$PID" -- pgrep --list-full --uid "$UID_" --full \
        "^/opt/oci-hooks/ssh/dropbear/bin/dropbear.*-p 15301.*$"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^[0-9]+\ /opt/oci-hooks/ssh/dropbear/bin/dropbear.*-p\ 15301 ]]
    server=$(dropbears)
    [ "$(cat "$HOME_DIR/host.pid")" = "$server" ]
    [ "$(slipway container exec "$PID" -- cat /opt/oci-hooks/ssh/dropbear/dropbear.pid)" = "$server" ]
    # A session still open when the container stops goes with it.
    as_user ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
        -i "$KEYS/id_ed25519" -p 15301 localhost 'sleep 600' </dev/null >/dev/null 2>&1 3>&- &
    for i in $(seq 50); do pgrep -u "$UID_" -x sleep >/dev/null && break; sleep 0.1; done
    pgrep -u "$UID_" -x sleep
    run slipway container stop "$DIR"
    [ "$status" -eq 0 ]
    [ -z "$(dropbears)" ]
    [ -z "$(pgrep -u "$UID_" -x sleep)" ]
    [ ! -e "$HOME_DIR/host.pid" ]
    wait
}

@test "sessions get the container's environment; login shells too, after /etc/profile reset PATH" {
    start 15302
    # A command: variables quoted as they were, PATH the container's.
    run host_ssh 15302 "$KEYS/id_ed25519" 'echo "$VISIBLE"; echo "$PATH"'
    echo "$output"
    [ "${lines[0]}" = "say \"hi\" it's \$HOME" ]
    # The shipped Slurm hook (on by default) puts its directory first where the host has Slurm.
    [ "${lines[1]#/opt/slipway/slurm/bin:}" = /bin:/usr/bin:/opt/tools/bin ]
    # No command: a login shell (here reading its commands from stdin).
    run host_ssh 15302 "$KEYS/id_ed25519" <<< 'echo "login:$PATH:$IMAGE_VAR"; echo "ssh:${SSH_CONNECTION:+yes}"'
    echo "$output"
    [ "${lines[0]/login:\/opt\/slipway\/slurm\/bin:/login:}" = "login:/bin:/usr/bin:/opt/tools/bin:image" ]
    [ "${lines[1]}" = "ssh:yes" ]
    # ~/.ssh is the hook's own; the host's is untouched.
    [ ! -e "$HOME_DIR/.ssh" ]
    run slipway container exec "$PID" -- ls "$HOME_DIR/.ssh"
    [[ "$output" == *authorized_keys* ]]
    run slipway container stop "$DIR"
    [ "$status" -eq 0 ]
}

@test "authorize_ssh_key lets a host OpenSSH key in; the container's ssh reaches the server" {
    as_user ssh-keygen -q -t ed25519 -N '' -f "$HOME_DIR/mykey"
    start 15303 com.hooks.ssh.authorize_ssh_key="$HOME_DIR/mykey.pub"
    run host_ssh 15303 "$HOME_DIR/mykey" 'head -n1 /etc/os-release'
    echo "$output"
    [ "$output" = 'NAME="Slipway SSH Linux"' ]
    # ssh inside the container: dropbear's client on the hook's port with the user's key.
    run slipway container exec "$PID" -- ssh localhost 'echo inside:$(id -u)'
    echo "$output"
    [ "${lines[-1]}" = "inside:$UID_" ]
    run slipway container stop "$DIR"
    rm -f "$HOME_DIR"/mykey*
}

@test "slipway run --readonly: the server works while the command runs and is gone after" {
    run slipway run --readonly --image "$T/img.sqsh" --annotation com.hooks.ssh.enabled=true \
        --annotation com.hooks.ssh.port=15304 -- sh -c \
        'pgrep --list-full --uid '"$UID_"' --full "^/opt/oci-hooks/ssh/dropbear/bin/dropbear.*-p 15304"; touch /x; ssh localhost echo session-ok 2>/dev/null'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" =~ ^[0-9]+\ /opt/oci-hooks/ssh/dropbear/bin/dropbear\  ]]
    [ "$(grep -c /opt/oci-hooks <<< "$output")" -eq 1 ]
    [[ "$output" == *"Read-only file system"* ]]
    [ "${lines[-1]}" = session-ok ]
    [ -z "$(dropbears)" ]
}

@test "a taken port fails the start with the hook file and dropbear's own words" {
    start 15305
    first=$DIR
    run slipway container start --image "$T/img.sqsh" --annotation com.hooks.ssh.enabled=true \
        --annotation com.hooks.ssh.port=15305
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"80-ssh.json (createContainer) failed"* ]]
    [[ "$output" == *"Failed listening on '15305': Error listening: Address in use"* ]]
    run slipway container start --image "$T/img.sqsh" --annotation com.hooks.ssh.enabled=true \
        --annotation com.hooks.ssh.port=99999
    [[ "$output" == *"com.hooks.ssh.port: '99999' is not a TCP port (1 to 65535)"* ]]
    run slipway container stop "$first"
    [ -z "$(dropbears)" ]
}

@test "a start that a later hook fails leaves no server behind" {
    for cmd in "container start" "run"; do
        run as_user env SLIPWAY_CONFIG="$T/fail.toml" "$SLIPWAY" $cmd --image "$T/img.sqsh" \
            --annotation com.hooks.ssh.enabled=true --annotation com.hooks.ssh.port=15306 \
            $([ "$cmd" = run ] && echo -- true)
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"90-fail.json (createContainer) failed with exit status 3"* ]]
        [ -z "$(dropbears)" ]
    done
}

@test "srun --environment with ssh.enabled: CSCS's pgrep check passes; nothing is left after the step" {
    edf=$(spank_edf ssh "image = \"$T/img.sqsh\"" "[annotations.com.hooks]" 'ssh.enabled = "true"')
    run_srun --environment="$edf" pgrep --list-full --uid "$UID_" --full \
        "^/opt/oci-hooks/ssh/dropbear/bin/dropbear.*-p 15263.*$"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" =~ ^[0-9]+\ /opt/oci-hooks/ssh/dropbear/bin/dropbear.*-p\ 15263.*$ ]]
    spank_no_leftovers
}

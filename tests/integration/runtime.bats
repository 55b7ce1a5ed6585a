#!/usr/bin/env bats
# The container runtime and `slipway run`, driven as an unprivileged user with real squashfuse and
# overlay mounts. Builds its own busybox image, configuration and hooks under a temporary
# directory, and removes them at the end.

bats_require_minimum_version 1.5.0

SLIPWAY="$BATS_TEST_DIRNAME/../../build/bin/slipway"
HELPERS="$BATS_TEST_DIRNAME/../../build/libexec/slipway"
TUSER=slipwaytest

setup_file() {
    export T=$(mktemp -d /tmp/slipway-runtime-test.XXXXXX)
    chmod 0755 "$T"
    [ -x "$SLIPWAY" ] || { echo "build first: make" >&2; return 1; }
    chmod 0666 /dev/fuse
    id "$TUSER" >/dev/null 2>&1 || useradd -m "$TUSER"
    runuser -u "$TUSER" -- test -x "$SLIPWAY" || { echo "$SLIPWAY must be reachable by $TUSER" >&2; return 1; }

    # A busybox image, with and without an image configuration beside it.
    local root="$T/rootfs"
    mkdir -p "$root"/{bin,etc,proc,dev,sys,tmp,root,srv,opt/app}
    cp "$(command -v busybox)" "$root/bin/busybox"
    for applet in $("$root/bin/busybox" --list); do
        [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    printf 'NAME="Slipway Test Linux"\nID=slipwaytest\n' > "$root/etc/os-release"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
    printf '#!/bin/sh\necho "entrypoint:$*"\n' > "$root/opt/app/ep"
    printf '#!/bin/sh\nexport FROM_ENTRYPOINT=yes\nexec "$@"\n' > "$root/opt/app/ep-exec"
    printf '#!/bin/sh\necho "entrypoint failing on purpose" >&2\nexit 1\n' > "$root/opt/app/ep-fail"
    printf '#!/bin/sh\n"$@"\n' > "$root/opt/app/ep-fork"
    chmod 0755 "$root"/opt/app/ep*
    ln -s "$T/outside" "$root/link"
    ln -s ../../../../srv "$root/up"
    mksquashfs "$root" "$T/bare.sqsh" -noappend -quiet -no-progress -all-root >/dev/null
    cp "$T/bare.sqsh" "$T/img.sqsh"
    cat > "$T/img.sqsh.json" <<JSON
{"env": ["PATH=/bin", "IMAGE_VAR=image", "SHARED=image", "EDF_OVER=image", "EDF_UNSET=image"],
 "entrypoint": ["/opt/app/ep"], "cmd": ["default-cmd"], "workingDir": "/srv/work", "user": null, "labels": {}}
JSON

    # Kept containers: entrypoints that exec "$@", fail, or fork "$@"; an image without a shell.
    for ep in exec fail fork; do
        cp "$T/bare.sqsh" "$T/ep-$ep.sqsh"
        cat > "$T/ep-$ep.sqsh.json" <<JSON
{"env": ["PATH=/bin", "IMAGE_VAR=image"], "entrypoint": ["/opt/app/ep-$ep"], "cmd": ["default-cmd"],
 "workingDir": "/srv/work", "user": null, "labels": {}}
JSON
    done
    mkdir -p "$T/nosh/etc"
    printf 'NAME="No Shell"\n' > "$T/nosh/etc/os-release"
    mksquashfs "$T/nosh" "$T/nosh.sqsh" -noappend -quiet -no-progress -all-root >/dev/null

    # Host directories to mount, and a hooks directory per scenario.
    mkdir -p "$T/data" "$T/out" "$T/hooks" "$T/hooks-fail" "$T/hooks-when" "$T/sysconf/hooks.d" "$T/userconf/hooks.d"
    echo hello > "$T/data/file"
    cp "$BATS_TEST_DIRNAME/../fixtures/runtime/record-hook.sh" "$T/record-hook.sh"
    for stage in prestart createRuntime createContainer startContainer poststart poststop; do
        cat > "$T/hooks/10-$stage.json" <<JSON
{"version": "1.0.0", "hook": {"path": "$T/record-hook.sh", "args": ["record-hook.sh", "$T/out", "$stage"],
 "env": ["PATH=/usr/bin:/bin"], "timeout": 20}, "when": {"always": true}, "stages": ["$stage"]}
JSON
    done
    cat > "$T/hooks-fail/20-broken.json" <<JSON
{"version": "1.0.0", "hook": {"path": "$T/record-hook.sh", "args": ["x", "$T/out", "broken", "fail"]},
 "when": {"always": true}, "stages": ["createRuntime"]}
JSON
    cat > "$T/hooks-when/30-gated.json" <<JSON
{"version": "1.0.0", "hook": {"path": "$T/record-hook.sh", "args": ["x", "$T/out", "gated"]},
 "when": {"annotations": {"^com\\\\.example\\\\.enabled\$": "^true\$"}, "commands": [".*sh"]},
 "stages": ["createRuntime"]}
JSON
    cat > "$T/userconf/hooks.d/50-test.sh" <<'SH'
#!/bin/sh
echo "FROM_SHELL_HOOK=pid-$ENROOT_PID" >> "$ENROOT_ENVIRON"
echo "$SHELL_HOOK_SRC /hookmount none x-create=dir,rbind,ro" >> "$ENROOT_MOUNTS"
test -d "$ENROOT_ROOTFS/etc" || { echo "no rootfs at $ENROOT_ROOTFS" >&2; exit 1; }
SH
    chmod 0755 "$T/userconf/hooks.d/50-test.sh"
    printf 'hooks_dirs = []\nenroot_sysconf_path = "%s/sysconf"\n' "$T" > "$T/none.toml"
    for h in hooks hooks-fail hooks-when; do
        printf 'hooks_dirs = ["%s/%s"]\nenroot_sysconf_path = "%s/sysconf"\n' "$T" "$h" "$T" > "$T/$h.toml"
    done
    chmod -R a+rX "$T"
    mkdir -p "$T/rt"
    chown "$TUSER" "$T/out" "$T/data" "$T/rt"
}

teardown_file() {
    [ -n "${T:-}" ] && rm -rf "$T"
}

setup() {
    rm -f "$T"/out/*
    CONF="$T/none.toml"
    KDIR=
}

teardown() {
    if [ -n "$KDIR" ] && [ -d "$KDIR" ]; then
        ksw container stop "$KDIR" || true
    fi
}

# Runs slipway as the test user with a small, known host environment.
sw() {
    runuser -u "$TUSER" -- env -i PATH=/usr/bin:/bin HOME="/home/$TUSER" USER="$TUSER" HOST_ONLY=host \
        SHARED=host EDF_OVER=host SLIPWAY_CONFIG="$CONF" ENROOT_CONFIG_PATH="$T/emptyconf" ${EXTRA_ENV:-} \
        "$SLIPWAY" "$@"
}

# slipway for kept containers, with runtime directories under $T/rt.
ksw() {
    EXTRA_ENV="ENROOT_RUNTIME_PATH=$T/rt ${EXTRA_ENV:-}" sw "$@"
}

# Starts a kept container as the test user; sets KPID and KDIR from the JSON line it prints.
kstart() {
    run ksw container start "$@"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    KPID=$(jq -r .pid <<<"${lines[-1]}")
    KDIR=$(jq -r .runtimeDir <<<"${lines[-1]}")
    [ "$(jq -r .id <<<"${lines[-1]}")" = "$(basename "$KDIR")" ]
}

# Live processes of the test user from this file's kept containers: their command line names a
# file under $T (helpers, FUSE daemons), or their environment came from ksw (entrypoints, keepers).
leftovers() {
    local pid
    for pid in $(pgrep -u "$TUSER"); do
        if tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$T/" ||
            tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qxF "ENROOT_RUNTIME_PATH=$T/rt"; then
            ps -o pid=,stat=,args= -p "$pid"
        fi
    done
}

edf() {
    cat > "$T/$1.toml"
    chmod a+r "$T/$1.toml"
}

@test "the container sees the image's os-release, as the calling user" {
    run sw run --image "$T/bare.sqsh" -- sh -c 'cat /etc/os-release; id -u; id -un; echo $HOME $USER $LOGNAME'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [[ "$output" == *'NAME="Slipway Test Linux"'* ]]
    [[ "$output" == *"$(id -u $TUSER)"* ]]
    [[ "$output" == *"$TUSER"* ]]
    [[ "$output" == *"/home/$TUSER $TUSER $TUSER"* ]]
}

@test "the exit status is the command's; a missing command is 127; a signal gives 128+N" {
    run sw run --image "$T/bare.sqsh" -- sh -c 'exit 7'
    [ "$status" -eq 7 ]
    run -127 sw run --image "$T/bare.sqsh" -- no-such-command
    [ "$status" -eq 127 ]
    run sw run --image "$T/bare.sqsh" -- sh -c 'kill -KILL $$'
    [ "$status" -eq 137 ]
}

@test "SIGTERM sent to slipway reaches the container process" {
    runuser -u "$TUSER" -- env -i PATH=/usr/bin:/bin SLIPWAY_CONFIG="$CONF" "$SLIPWAY" run --image "$T/bare.sqsh" \
        --mount "$T/out:/out" -- \
        sh -c 'trap "echo got-term > /out/term; exit 42" TERM; touch /out/ready; while :; do sleep 0.1; done' 3>&- &
    local runner=$!
    for _ in $(seq 150); do [ -e "$T/out/ready" ] && break; sleep 0.1; done
    [ -e "$T/out/ready" ]
    kill -TERM "$(pgrep -P "$runner")"
    local code=0
    wait "$runner" || code=$?
    [ "$code" -eq 42 ]
    [ "$(cat "$T/out/term")" = got-term ]
}

@test "Ctrl-C on a terminal reaches the command once and leaves its root filesystem served" {
    run "$BATS_TEST_DIRNAME/../fixtures/runtime/ctrl-c.py" setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups \
        env -i PATH=/usr/bin:/bin HOME="/home/$TUSER" SLIPWAY_CONFIG="$T/none.toml" "$SLIPWAY" run \
        --image "$T/bare.sqsh" -- sh -c 'trap "echo INT" INT; echo ready; i=0; while [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; echo done'
    echo "$output"
    [ "$(grep -c 'INT$' <<<"${output//$'\r'/}")" -eq 1 ]
    # The FUSE daemons are out of the terminal's foreground group: the loop kept running.
    [[ "$output" == *done* ]]
    [[ "$output" != *"Bus error"* ]]
}

@test "--readonly makes the root read-only; --writable changes vanish at exit" {
    run sw run --readonly --image "$T/bare.sqsh" -- touch /newfile
    [ "$status" -ne 0 ]
    [[ "$output" == *"Read-only file system"* ]]
    run sw run --writable --image "$T/bare.sqsh" -- sh -c 'touch /newfile && echo made > /etc/made && cat /etc/made'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = made ]
    run sw run --writable --image "$T/bare.sqsh" -- test -e /etc/made
    [ "$status" -eq 1 ]
}

@test "ENROOT_NATIVE_OVERLAYFS=no uses fuse-overlayfs and stays writable" {
    EXTRA_ENV="ENROOT_NATIVE_OVERLAYFS=no" run sw run --writable --image "$T/bare.sqsh" -- sh -c \
        'touch /x && grep " / " /proc/self/mountinfo'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [[ "$output" == *fuse* ]]
}

@test "system mounts: /proc, /dev nodes, /dev/shm, read-only /sys, tmpfs /tmp, host hosts file" {
    run sw run --image "$T/bare.sqsh" -- sh -c 'ls /proc/self/status /dev/null /dev/zero /dev/urandom /dev/shm >/dev/null &&
        grep -E " /sys ro," /proc/self/mountinfo >/dev/null && grep " /tmp .* tmpfs" /proc/self/mountinfo >/dev/null &&
        touch /tmp/ok && cmp /etc/hosts /etc/hosts && echo fine'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "${lines[-1]}" = fine ]
}

@test "mount flags: ro and rw" {
    run sw run --image "$T/bare.sqsh" --mount "$T/data:/data:ro" -- sh -c 'cat /data/file; touch /data/new'
    [ "$status" -ne 0 ]
    [[ "$output" == *hello* ]]
    run sw run --image "$T/bare.sqsh" --mount "$T/data:/data:rw" -- sh -c 'touch /data/new && echo ok'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ -e "$T/data/new" ]
}

@test "mount flags: nosuid, nodev, noexec show in the mount options" {
    run sw run --image "$T/bare.sqsh" --mount "$T/data:/data:nosuid+nodev+noexec" -- grep " /data " /proc/self/mountinfo
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [[ "$output" == *nosuid* ]]
    [[ "$output" == *nodev* ]]
    [[ "$output" == *noexec* ]]
}

@test "mount flags: bind, rbind and propagation flags are accepted; missing destinations are created" {
    for flags in bind rbind private rprivate slave rslave shared rshared; do
        run sw run --image "$T/bare.sqsh" --mount "$T/data:/deep/new/dir:$flags" -- cat /deep/new/dir/file
        [ "$status" -eq 0 ] || { echo "flag $flags: $output"; return 1; }
        [ "$output" = hello ]
    done
    run sw run --image "$T/bare.sqsh" --mount "$T/data/file:/etc/newfile" -- cat /etc/newfile
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = hello ]
}

@test "a missing mount source is an error naming the mount" {
    run sw run --image "$T/bare.sqsh" --mount "$T/nope:/data" -- true
    [ "$status" -eq 1 ]
    [[ "$output" == *"$T/nope:/data"* ]]
    [[ "$output" == *"does not exist"* ]]
}

@test "a missing mount source written in an EDF names the EDF file, line and field" {
    printf 'image = "%s"\nmounts = [\n  "%s/data:/data",\n  "%s/nope:/nope:ro",\n]\n' "$T/bare.sqsh" "$T" "$T" | edf missing-src
    run sw run --environment="$T/missing-src.toml" -- true
    [ "$status" -eq 1 ]
    [[ "$output" == *"$T/missing-src.toml:4:"*"mounts[2]: EDF mount '$T/nope:/nope:ro': source $T/nope does not exist"* ]] || { echo "$output"; false; }
}

@test "a symlink in the image cannot lead a mount destination out of the root" {
    # /up -> ../../../../srv resolves inside the root, to the image's /srv (root-owned in the
    # image, so the user is remapped to root to create the mount point there).
    EXTRA_ENV="ENROOT_REMAP_ROOT=y" run sw run --image "$T/bare.sqsh" --mount "$T/data:/up/sub" -- cat /srv/sub/file
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = hello ]
    [ ! -e /srv/sub ]
    # /link -> $T/outside, which exists on the host only: the mount fails instead of escaping.
    mkdir -p "$T/outside"
    run sw run --image "$T/bare.sqsh" --mount "$T/data:/link/sub" -- true
    [ "$status" -ne 0 ]
    [ ! -e "$T/outside/sub" ]
}

@test "environment: host, then image (wins), then EDF (wins), EDF empty unsets; \${VAR} sees the image env" {
    edf envtest <<TOML
image = "$T/img.sqsh"
entrypoint = false
[env]
EDF_OVER = "edf"
EDF_UNSET = ""
FROM_IMAGE = "\${IMAGE_VAR}"
TOML
    run sw run --environment "$T/envtest.toml" -- sh -c 'echo "$HOST_ONLY $SHARED $IMAGE_VAR $EDF_OVER ${EDF_UNSET-unset} $FROM_IMAGE"'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = "host image image edf unset image" ]
    run sw run --environment "$T/envtest.toml" --env EDF_OVER=cli --env HOST_ONLY= -- sh -c 'echo "$EDF_OVER ${HOST_ONLY-unset}"'
    [ "$output" = "cli unset" ]
}

@test "workdir: EDF workdir (created), else the image WorkingDir (created), else /" {
    edf wd <<TOML
image = "$T/img.sqsh"
workdir = "/scratch/here"
TOML
    run sw run --environment "$T/wd.toml" --no-entrypoint -- pwd
    [ "$output" = /scratch/here ]
    run sw run --image "$T/img.sqsh" --no-entrypoint -- pwd
    [ "$output" = /srv/work ]
    run sw run --image "$T/bare.sqsh" -- pwd
    [ "$output" = / ]
    run sw run --image "$T/bare.sqsh" --workdir /w/x -- pwd
    [ "$output" = /w/x ]
}

@test "unchanged configuration and EDF files come from the user's parsed-file cache, without the parser; edits show at once" {
    local cache="/home/$TUSER/.cache/slipway"
    rm -f "$cache"/parsed-*
    edf pc <<TOML
image = "$T/img.sqsh"
workdir = "/one"
TOML
    sleep 2.1   # files changed in the last 2 s are not kept
    run sw run --environment "$T/pc.toml" --no-entrypoint -- pwd
    [ "$output" = /one ]
    [ "$(stat -c %a "$cache"/parsed-edf-*.json)" = 600 ]
    [ "$(stat -c %a "$cache"/parsed-config-*.json)" = 600 ]
    EXTRA_ENV="SLIPWAY_JAVA_OPTS=-Xlog:class+load=info:file=$T/out/classes.log" \
        run sw run --environment "$T/pc.toml" --no-entrypoint -- pwd
    [ "$output" = /one ]
    grep -q 'io.slipway.edf.Edfs ' "$T/out/classes.log"
    run grep -c 'org.tomlj' "$T/out/classes.log"
    [ "$output" = 0 ]
    sed -i 's|/one|/two|' "$T/pc.toml"
    run sw run --environment "$T/pc.toml" --no-entrypoint -- pwd
    [ "$output" = /two ]
    rm -f "$cache"/parsed-*
}

@test "entrypoint on runs the image Entrypoint with the command (or the image Cmd); off runs the command" {
    run sw run --image "$T/img.sqsh" -- a b
    [ "$output" = "entrypoint:a b" ]
    run sw run --image "$T/img.sqsh"
    [ "$output" = "entrypoint:default-cmd" ]
    run sw run --image "$T/img.sqsh" --no-entrypoint -- echo direct
    [ "$output" = direct ]
    edf epoff <<TOML
image = "$T/img.sqsh"
entrypoint = false
TOML
    run sw run --environment "$T/epoff.toml" -- echo direct
    [ "$output" = direct ]
}

@test "EDF mounts and devices are applied" {
    edf mnt <<TOML
image = "$T/bare.sqsh"
mounts = ["$T/data:/edfdata:ro"]
devices = ["/dev/null:/dev/edfnull"]
TOML
    run sw run --environment "$T/mnt.toml" -- sh -c 'cat /edfdata/file; test -c /dev/edfnull && echo dev'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = "hello
dev" ]
}

@test "remap-root (ENROOT_REMAP_ROOT) makes the user root inside" {
    EXTRA_ENV="ENROOT_REMAP_ROOT=y" run sw run --image "$T/bare.sqsh" -- sh -c 'id -u; echo $HOME'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = "0
/root" ]
}

@test "root can run containers too" {
    run env SLIPWAY_CONFIG="$CONF" "$SLIPWAY" run --image "$T/bare.sqsh" -- sh -c 'id -u; cat /etc/os-release'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [[ "$output" == *"Slipway Test Linux"* ]]
}

@test "nothing is left behind: no FUSE daemons, no runtime directories" {
    run sw run --image "$T/bare.sqsh" --writable -- true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    sleep 0.5
    run sh -c "ps -u $TUSER -o stat=,args= | grep -v '^Z' | grep -E 'squashfuse|fuse-overlayfs'"
    [ "$status" -eq 1 ]
    # Only what hooks keep between starts (the Slurm hook's facts about the host) may stay.
    run sh -c "ls -A /tmp/slipway-$(id -u $TUSER) | grep -v '^\\.slipway-hook-'"
    [ "$output" = "" ]
}

@test "Enroot shell hooks run inside the namespaces; their environ and mounts lines take effect" {
    mkdir -p "$T/hooksrc"
    echo from-hook > "$T/hooksrc/f"
    chmod -R a+rX "$T/hooksrc"
    EXTRA_ENV="ENROOT_CONFIG_PATH=$T/userconf SHELL_HOOK_SRC=$T/hooksrc" run sw run --image "$T/bare.sqsh" -- \
        sh -c 'echo $FROM_SHELL_HOOK; cat /hookmount/f'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [[ "${lines[0]}" == pid-* ]]
    [ "${lines[1]}" = from-hook ]
}

@test "a failing shell hook aborts the start, naming the hook" {
    printf '#!/bin/sh\necho "hook says no" >&2\nexit 4\n' > "$T/userconf/hooks.d/60-fail.sh"
    chmod 0755 "$T/userconf/hooks.d/60-fail.sh"
    EXTRA_ENV="ENROOT_CONFIG_PATH=$T/userconf SHELL_HOOK_SRC=$T/data" run sw run --image "$T/bare.sqsh" -- echo never
    rm -f "$T/userconf/hooks.d/60-fail.sh"
    [ "$status" -eq 1 ]
    [[ "$output" == *"hook says no"* ]]
    [[ "$output" == *"60-fail.sh exited with status 4"* ]]
    [[ "$output" != *never* ]]
}

@test "OCI hooks run at every stage with the state on stdin and the bundle config" {
    CONF="$T/hooks.toml"
    run sw run --image "$T/bare.sqsh" --annotation com.example.note=hi --mount "$T:$T" -- sh -c 'echo $$ > '"$T/out/pid"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    for stage in prestart createRuntime createContainer startContainer poststart poststop; do
        [ -s "$T/out/$stage.state" ] || { echo "no state for $stage"; return 1; }
        grep -q '"annotations":{"com.example.note":"hi"}' "$T/out/$stage.state"
        grep -q '"ociVersion":"1.0.2"' "$T/out/$stage.state"
    done
    grep -q '"status":"creating"' "$T/out/createRuntime.state"
    grep -q '"status":"created"' "$T/out/startContainer.state"
    grep -q '"status":"running"' "$T/out/poststart.state"
    grep -q '"status":"stopped"' "$T/out/poststop.state"
    # The state's pid is the container process itself.
    grep -q "\"pid\":$(cat "$T/out/pid")," "$T/out/createRuntime.state"
    # Host stages run in the host's mount namespace, the container ones in the container's.
    [ "$(cat "$T/out/createRuntime.mntns")" = "$(readlink /proc/self/ns/mnt)" ]
    [ "$(cat "$T/out/createContainer.mntns")" != "$(readlink /proc/self/ns/mnt)" ]
    # The bundle config describes the container.
    grep -q '"path" : ".*/rootfs"' "$T/out/prestart.config.json"
    grep -q '"com.example.note" : "hi"' "$T/out/prestart.config.json"
    grep -q '"destination" : "/proc"' "$T/out/prestart.config.json"
    grep -q '"cwd" : "/"' "$T/out/prestart.config.json"
    grep -q "\"uid\" : $(id -u $TUSER)" "$T/out/prestart.config.json"
    grep -q '"createContainer" : \[' "$T/out/prestart.config.json"
}

@test "OCI hook when conditions: annotations and commands must all match" {
    CONF="$T/hooks-when.toml"
    run sw run --image "$T/bare.sqsh" -- sh -c true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ ! -e "$T/out/gated.state" ]
    run sw run --image "$T/bare.sqsh" --annotation com.example.enabled=true -- true
    [ ! -e "$T/out/gated.state" ]
    run sw run --image "$T/bare.sqsh" --annotation com.example.enabled=true -- sh -c true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ -e "$T/out/gated.state" ]
}

@test "a failing OCI hook aborts the start with its stderr and file name" {
    CONF="$T/hooks-fail.toml"
    run sw run --image "$T/bare.sqsh" -- echo never
    [ "$status" -eq 1 ]
    [[ "$output" == *"20-broken.json"* ]]
    [[ "$output" == *"failing on purpose in broken"* ]]
    [[ "$output" != *never* ]]
}

@test "a hook file another user could change is refused, naming it" {
    mkdir -p "$T/hooks-open"
    cp "$T/hooks/10-createRuntime.json" "$T/hooks-open/"
    chmod 0666 "$T/hooks-open/10-createRuntime.json"
    printf 'hooks_dirs = ["%s/hooks-open"]\nenroot_sysconf_path = "%s/sysconf"\n' "$T" "$T" > "$T/open.toml"
    chmod a+r "$T/open.toml"
    CONF="$T/open.toml"
    run sw run --image "$T/bare.sqsh" -- echo never
    [ "$status" -eq 1 ]
    [[ "$output" == *"hooks-open/10-createRuntime.json: the hook file is writable by all users (mode 0666)"* ]] || { echo "$output"; false; }
    [[ "$output" != *never* ]]
    chmod 0644 "$T/hooks-open/10-createRuntime.json"
    run sw run --image "$T/bare.sqsh" -- echo fine
    [ "$status" -eq 0 ] && [[ "$output" == *fine* ]]
}

@test "slipway hooks lists the hooks in order with stages and conditions" {
    CONF="$T/hooks.toml"
    run sw hooks
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [[ "${lines[1]}" == 10-createContainer* ]]
    [[ "$output" == *"startContainer"*"always=true"* ]]
}

@test "container start: a stopped keeper with the image, the final environment and working directory" {
    edf kept <<TOML
image = "$T/img.sqsh"
entrypoint = false
[env]
EDF_OVER = "edf"
TOML
    kstart --environment "$T/kept.toml"
    grep -q '^State:.*T (stopped)' "/proc/$KPID/status"
    # Its own session; none of slipway's streams (under Slurm, pipes a keeper must not hold).
    [ "$(ps -o sid= -p "$KPID" | tr -d ' ')" = "$KPID" ]
    [ "$(readlink "/proc/$KPID/fd/0")" = /dev/null ]
    [ "$(readlink "/proc/$KPID/fd/1")" = "$KDIR/container.log" ]
    [ "$(readlink "/proc/$KPID/fd/2")" = "$KDIR/container.log" ]
    run runuser -u "$TUSER" -- "$HELPERS/slipway-nsexec" "$KPID" -- cat /etc/os-release
    [[ "$output" == *'NAME="Slipway Test Linux"'* ]] || { echo "$output"; false; }
    local env
    env=$(tr '\0' '\n' < "/proc/$KPID/environ")
    for v in IMAGE_VAR=image SHARED=image EDF_OVER=edf HOST_ONLY=host "HOME=/home/$TUSER" PATH=/bin; do
        grep -qx "$v" <<<"$env" || { echo "no $v in: $env"; false; }
    done
    [ "$(readlink "/proc/$KPID/cwd")" = /srv/work ]
    for f in state.json config.json passwd group; do [ -s "$KDIR/$f" ]; done
    # What a Slurm task does: join, enter the keeper's directory, take its environment.
    run ksw container exec "$KPID" -- sh -c 'pwd; echo $IMAGE_VAR $EDF_OVER; grep NAME= /etc/os-release'
    [ "$output" = '/srv/work
image edf
NAME="Slipway Test Linux"' ] || { echo "$output"; false; }
    ksw container stop "$KDIR"

    kstart --image "$T/img.sqsh" --no-entrypoint --workdir /scratch/here
    [ "$(readlink "/proc/$KPID/cwd")" = /scratch/here ]
}

@test "container start with the entrypoint: it execs the keeper, and its environment shows" {
    kstart --image "$T/ep-exec.sqsh"
    grep -q '^State:.*T (stopped)' "/proc/$KPID/status"
    tr '\0' '\n' < "/proc/$KPID/environ" | grep -qx FROM_ENTRYPOINT=yes
    tr '\0' '\n' < "/proc/$KPID/environ" | grep -qx IMAGE_VAR=image
    [ "$(readlink "/proc/$KPID/cwd")" = /srv/work ]
    # The keeper is reached through a descriptor: nothing was added to the container's root.
    [ "$(tr '\0' ' ' < "/proc/$KPID/cmdline")" = "/proc/self/fd/77 " ]
    run runuser -u "$TUSER" -- "$HELPERS/slipway-nsexec" "$KPID" -- sh -c 'ls -A / | tr "\n" " "'
    [ "$output" = "bin dev etc link opt proc root srv sys tmp up " ] || { echo "$output"; false; }
}

@test "container start: an image without a shell works with the entrypoint off" {
    kstart --image "$T/nosh.sqsh" --no-entrypoint
    grep -q '^State:.*T (stopped)' "/proc/$KPID/status"
    grep -q 'No Shell' "/proc/$KPID/root/etc/os-release"
    [ ! -e "/proc/$KPID/root/bin/sh" ]
    [ "$(readlink "/proc/$KPID/cwd")" = / ]
}

@test "a failing kept start says why, with the container's output, and leaves nothing behind" {
    run ksw container start --image "$T/ep-fail.sqsh"
    [ "$status" -eq 1 ]
    [[ "$output" == *"failed to start (exit status 1)"* ]] || { echo "$output"; false; }
    [[ "$output" == *"entrypoint failing on purpose"* ]]
    run ksw container start --image "$T/ep-fork.sqsh"
    [ "$status" -eq 1 ]
    [[ "$output" == *"instead of exec'ing it"* ]] || { echo "$output"; false; }
    # A helper's own error (a mount destination escaping through a symlink) is in the output too.
    run ksw container start --image "$T/bare.sqsh" --mount "$T/data:/link/sub"
    [ "$status" -eq 1 ]
    [[ "$output" == *"slipway-mount"* ]] || { echo "$output"; false; }
    run ksw container start --image "$T/bare.sqsh" --mount "$T/nope:/data"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$T/nope:/data"*"does not exist"* ]]
    [ -z "$(ls -A "$T/rt")" ]
    sleep 0.2
    [ -z "$(leftovers)" ] || { leftovers; false; }
}

@test "container stop ends the keeper and its FUSE daemons, runs poststop hooks, removes the runtime dir" {
    CONF="$T/hooks.toml"
    EXTRA_ENV="ENROOT_NATIVE_OVERLAYFS=no" kstart --image "$T/bare.sqsh" --writable --annotation com.example.note=kept \
        --mount "$T:$T"
    for stage in prestart createRuntime createContainer startContainer poststart; do
        grep -q "\"pid\":$KPID," "$T/out/$stage.state" || { echo "no state for $stage"; false; }
    done
    grep -q '"status":"running"' "$T/out/poststart.state"
    [ ! -e "$T/out/poststop.state" ]
    ps -o args= -s "$KPID" | grep -q fuse-overlayfs
    ksw container stop "$KDIR"
    grep -q '"status":"stopped"' "$T/out/poststop.state"
    grep -q '"com.example.note":"kept"' "$T/out/poststop.state"
    [ ! -e "$KDIR" ]
    [ "$(ps -o stat= -p "$KPID" | cut -c1)" = Z ] || ! kill -0 "$KPID" 2>/dev/null
    sleep 0.2
    [ -z "$(leftovers)" ] || { leftovers; false; }
    # Again: a no-op.
    run ksw container stop "$KDIR"
    [ "$status" -eq 0 ]
}

@test "a keeper resumed with SIGCONT stays until stopped; stop refuses a directory that is not a container's" {
    kstart --image "$T/bare.sqsh"
    kill -CONT "$KPID"
    sleep 0.5
    grep -q '^State:.*S (sleeping)' "/proc/$KPID/status"
    run ksw container exec "$KPID" -- cat /etc/os-release
    [[ "$output" == *"Slipway Test Linux"* ]]
    grep -q '^State:.*S (sleeping)' "/proc/$KPID/status"
    ksw container stop "$KDIR"
    [ ! -e "$KDIR" ]
    run ksw container stop "$T/data"
    [ "$status" -eq 1 ]
    [[ "$output" == *"not a kept container's runtime directory"* ]]
    [ -e "$T/data/file" ]
}

@test "built-in hooks: the shipped timestamp hooks log to TIMESTAMP_HOOK_LOGFILE; enabled=false turns one off" {
    printf 'hooks_dirs = ["%s"]\nenroot_sysconf_path = "%s/sysconf"\n' \
        "$(cd "$BATS_TEST_DIRNAME/../../build/etc/slipway/hooks.d" && pwd)" "$T" > "$T/shipped.toml"
    CONF="$T/shipped.toml"
    run sw run --image "$T/bare.sqsh" -- true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ ! -e "$T/out/ts.log" ]
    EXTRA_ENV="TIMESTAMP_HOOK_LOGFILE=$T/out/ts.log" run sw run --image "$T/bare.sqsh" -- true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    cat "$T/out/ts.log"
    [ "$(wc -l < "$T/out/ts.log")" -eq 2 ]
    grep -Eq '^\[[0-9]+\.[0-9]{9}\] \[[^]]+-[0-9]+\] \[hook\] \[INFO\] Timestamp hook: Before-hooks$' "$T/out/ts.log"
    grep -Eq '^\[[0-9]+\.[0-9]{9}\] \[[^]]+-[0-9]+\] \[hook\] \[INFO\] Timestamp hook: After-hooks$' "$T/out/ts.log"
    [ "$(stat -c %U "$T/out/ts.log")" = "$TUSER" ]
    rm "$T/out/ts.log"
    EXTRA_ENV="TIMESTAMP_HOOK_LOGFILE=$T/out/ts.log" run sw run --image "$T/bare.sqsh" \
        --annotation com.hooks.timestamp.enabled=false -- true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ ! -e "$T/out/ts.log" ]
}

@test "built-in hooks run through the slipway-hook launcher by another runtime, in the container's namespace" {
    mkdir -p "$T/hooks-launcher"
    # Any path but .../slipway-hook is run as a program, as podman or runc would.
    printf '#!/bin/sh\nexec %s/slipway-hook "$@"\n' "$(cd "$HELPERS" && pwd)" > "$T/launch.sh"
    chmod 0755 "$T/launch.sh"
    cat > "$T/hooks-launcher/10-ts.json" <<JSON
{"version": "1.0.0", "hook": {"path": "$T/launch.sh", "args": ["launch.sh", "timestamp"],
 "env": ["TIMESTAMP_HOOK_MESSAGE=via-launcher", "PATH=/usr/bin:/bin"]}, "when": {"always": true}, "stages": ["createContainer"]}
JSON
    chmod -R a+rX "$T/hooks-launcher"
    printf 'hooks_dirs = ["%s/hooks-launcher"]\nenroot_sysconf_path = "%s/sysconf"\n' "$T" "$T" > "$T/launcher.toml"
    CONF="$T/launcher.toml"
    EXTRA_ENV="TIMESTAMP_HOOK_LOGFILE=$T/out/ts.log" run sw run --image "$T/bare.sqsh" -- true
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    grep -q 'Timestamp hook: via-launcher$' "$T/out/ts.log"
}

#!/usr/bin/env bats
# Containerfile builds (EDF `containerfile`, `slipway image import --containerfile`) with rootless
# buildah, as an unprivileged user with subordinate ids (useradd gives them): a base image from a
# loopback registry listed in insecure_registries, a RUN step (chroot isolation), files owned by
# a subordinate id (the build tree needs `buildah unshare` to go), one build for concurrent
# callers, reuse of the built file by slipway run and srun --environment, a failing build leaving
# nothing behind, and a build as root.
#
# Run: bats tests/integration/containerfile.bats (as root, after `make`; tests/setup/install-deps.sh).

bats_require_minimum_version 1.5.0
SLURM_TEST_USER=slipbuild
load lib/spank

setup_file() {
    [ -x "$SPANK_REPO/build/bin/slipway" ] || { echo "build first: make" >&2; return 1; }
    export T REPO=$SPANK_REPO
    T=$(mktemp -d /tmp/slipway-containerfile-test.XXXXXX)
    export WORK=$T
    chmod 0755 "$T"
    chmod 0666 /dev/fuse
    slurm_user_setup
    # Rootless buildah maps the image's other ids onto the user's subordinate ids; useradd gives
    # ranges on Debian 12, but not where /etc/subuid was missing.
    grep -q "^$SLURM_TEST_USER:" /etc/subuid /etc/subgid 2>/dev/null \
        || usermod --add-subuids 1900000000-1900065535 --add-subgids 1900000000-1900065535 "$SLURM_TEST_USER"
    # A user without subordinate ids, for the error an administrator must act on.
    export NOSUB_USER=slipnosub
    id "$NOSUB_USER" >/dev/null 2>&1 || useradd -m -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$NOSUB_USER"
    chmod -R a+rX "$REPO/build"

    start_registry plain
    export PORT
    PORT=$(registry_port plain)
    new_image base
    spank_busybox_rootfs "$WORK/bundle-base/rootfs" "Slipway Base Linux"
    commit_layer base
    push_image base "$PORT" test/busybox:1
    rm -rf "$WORK/bundle-base" "$WORK/oci"

    mkdir -p "$T/recipe" "$T/bad"
    # RUN needs chroot isolation; /owned belongs to a subordinate id, closed to the user outside.
    cat > "$T/recipe/Containerfile" <<EOF2
FROM 127.0.0.1:$PORT/test/busybox:1
RUN echo "made by RUN" > /built && mkdir /owned && touch /owned/f && chown -R 1000:1000 /owned && chmod 0500 /owned
ENV BUILT_VAR=from-containerfile
EOF2
    printf 'FROM 127.0.0.1:%s/test/busybox:1\nRUN echo failing on purpose; exit 3\n' "$PORT" > "$T/bad/Containerfile"
    export CONF=$T/slipway.toml
    printf 'insecure_registries = ["127.0.0.1:%s"]\n' "$PORT" > "$CONF"
    echo "required $REPO/build/lib/slurm/spank_slipway.so config=$CONF" > "$T/plugstack.conf"
    chmod -R a+rX "$T"
    slurm_up --plugstack "$T/plugstack.conf"
}

teardown_file() {
    slurm_down
    stop_registry plain
    stop_registry tls
    [ -n "${T:-}" ] && rm -rf "$T"
}

setup() {
    # Each test's images and temporary files, owned by the user.
    OUT=$T/out-$BATS_TEST_NUMBER
    mkdir -p "$OUT/tmp"
    chown -R "$SLURM_TEST_USER" "$OUT"
}

teardown() {
    spank_no_leftovers
}

# slipway as the test user, with this suite's configuration and TMPDIR
sw() {
    as_user env SLIPWAY_CONFIG="$CONF" TMPDIR="$OUT/tmp" "$REPO/build/bin/slipway" "$@"
}

# nothing_left DIR: no build tree in DIR/tmp, no temporary squashfs beside the images
nothing_left() {
    run ls -A "$1/tmp"
    [ -z "$output" ] || { echo "left in $1/tmp: $output"; return 1; }
    ! ls -A "$1" | grep -q '\.tmp-'
}

# built_from_recipe FILE: the import just run printed FILE last, ran the recipe's RUN, wrote the
# squashfs with the RUN's file and the configuration with its ENV, and left nothing behind
built_from_recipe() {
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "$1" ]
    [[ "$output" == *"STEP 2/3: RUN"* ]]
    [ "$(unsquashfs -cat "$1" built)" = "made by RUN" ]
    grep -q 'BUILT_VAR=from-containerfile' "$1.json"
    nothing_left "$OUT"
}

@test "slipway image import --containerfile builds with RUN and writes the squashfs and its configuration" {
    run sw image import --containerfile "$T/recipe/Containerfile" -o "$OUT/built.sqsh"
    built_from_recipe "$OUT/built.sqsh"
}

@test "image_builder = podman builds the same way (build, then push into the layout)" {
    printf 'insecure_registries = ["127.0.0.1:%s"]\nimage_builder = "podman"\n' "$PORT" > "$OUT/podman.toml"
    chmod 0644 "$OUT/podman.toml"
    run as_user env SLIPWAY_CONFIG="$OUT/podman.toml" TMPDIR="$OUT/tmp" "$REPO/build/bin/slipway" image import \
        --containerfile "$T/recipe/Containerfile" -o "$OUT/podman.sqsh"
    built_from_recipe "$OUT/podman.sqsh"
}

@test "slipway run builds the EDF's missing image once; the next run uses the file" {
    printf 'image = "%s"\ncontainerfile = "%s"\n' "$OUT/env.sqsh" "$T/recipe/Containerfile" > "$OUT/env.toml"
    run sw run --environment="$OUT/env.toml" -- sh -c 'cat /built; echo $BUILT_VAR'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"building $OUT/env.sqsh from $T/recipe/Containerfile with buildah"* ]]
    [ "${lines[-2]}" = "made by RUN" ]
    [ "${lines[-1]}" = "from-containerfile" ]
    local built; built=$(stat -c %Y.%i "$OUT/env.sqsh")
    run sw run --environment="$OUT/env.toml" -- cat /built
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "made by RUN" ]
    [ "$(stat -c %Y.%i "$OUT/env.sqsh")" = "$built" ]
    nothing_left "$OUT"
}

@test "concurrent callers run one build and all use its image" {
    local i pids=()
    for i in 1 2 3; do
        sw image import --containerfile "$T/recipe/Containerfile" -o "$OUT/shared.sqsh" > "$OUT/log-$i" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    cat "$OUT"/log-*
    [ "$(cat "$OUT"/log-* | grep -c '^STEP 1/3')" -eq 1 ]
    [ "$(grep -h -x "$OUT/shared.sqsh" "$OUT"/log-* | wc -l)" -eq 3 ]
    [ "$(unsquashfs -cat "$OUT/shared.sqsh" built)" = "made by RUN" ]
    nothing_left "$OUT"
}

@test "a failing build names the Containerfile and the exit status and leaves nothing" {
    printf 'image = "%s"\ncontainerfile = "%s"\n' "$OUT/bad.sqsh" "$T/bad/Containerfile" > "$OUT/bad.toml"
    run sw run --environment="$OUT/bad.toml" -- true
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"failing on purpose"* ]]
    [[ "$output" == *"building $T/bad/Containerfile failed: buildah build exited with status"* ]]
    [ ! -e "$OUT/bad.sqsh" ] && [ ! -e "$OUT/bad.sqsh.json" ]
    nothing_left "$OUT"
    run sw image import --containerfile "$T/nowhere/Containerfile" -o "$OUT/none.sqsh"
    [ "$status" -ne 0 ]
    [[ "$output" == *"containerfile $T/nowhere/Containerfile (the recipe for $OUT/none.sqsh) does not exist"* ]]
}

@test "Ctrl-C during a build leaves nothing; the next build succeeds" {
    mkdir -p "$OUT/slow"
    printf 'FROM 127.0.0.1:%s/test/busybox:1\nRUN echo sleeping; sleep 600\n' "$PORT" > "$OUT/slow/Containerfile"
    chmod -R a+rX "$OUT/slow"
    setsid bash -c "$(declare -f as_user slurm_user_home sw); SLURM_TEST_USER=$SLURM_TEST_USER \
        SLURM_CONF=$SLURM_CONF CONF=$CONF OUT=$OUT REPO=$REPO \
        sw image import --containerfile $OUT/slow/Containerfile -o $OUT/slow.sqsh" > "$OUT/log" 2>&1 &
    local pid=$!
    until grep -q '^sleeping' "$OUT/log"; do
        kill -0 "$pid" || { cat "$OUT/log"; return 1; }
        sleep 0.2
    done
    kill -INT -- "-$pid"
    wait "$pid" || true
    cat "$OUT/log"
    [ ! -e "$OUT/slow.sqsh" ]
    nothing_left "$OUT"
    printf 'FROM 127.0.0.1:%s/test/busybox:1\nRUN echo quick\n' "$PORT" > "$OUT/slow/Containerfile"
    run sw image import --containerfile "$OUT/slow/Containerfile" -o "$OUT/slow.sqsh"
    [ "$status" -eq 0 ]
    [ -f "$OUT/slow.sqsh" ]
    nothing_left "$OUT"
}

@test "srun --environment builds the missing image on the node, then reuses it" {
    local home; home=$(slurm_user_home)
    printf 'image = "%s"\ncontainerfile = "%s"\n' "$OUT/srun.sqsh" "$T/recipe/Containerfile" > "$home/cf.toml"
    chown "$SLURM_TEST_USER" "$home/cf.toml"
    run as_user timeout 120 srun --environment=./cf.toml sh -c 'cat /built; echo $BUILT_VAR'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"STEP 2/3: RUN"* ]]
    [[ "$output" == *"made by RUN"*"from-containerfile"* ]]
    local built; built=$(stat -c %Y.%i "$OUT/srun.sqsh")
    run as_user timeout 60 srun --environment=./cf.toml cat /built
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$output" = "made by RUN" ]
    [ "$(stat -c %Y.%i "$OUT/srun.sqsh")" = "$built" ]
    rm -f "$home/cf.toml"
    # The step's TMPDIR is /tmp.
    [ -z "$(find /tmp -maxdepth 1 -name 'slipway-build-*' -user "$SLURM_TEST_USER")" ]
    nothing_left "$OUT"
}

@test "without subordinate ids, RUN fails with what the administrator must add" {
    ! grep -q "^$NOSUB_USER:" /etc/subuid
    chown "$NOSUB_USER" "$OUT" "$OUT/tmp"
    run runuser -u "$NOSUB_USER" -- env -i PATH=/usr/bin:/bin HOME="/home/$NOSUB_USER" USER="$NOSUB_USER" \
        SLIPWAY_CONFIG="$CONF" TMPDIR="$OUT/tmp" "$REPO/build/bin/slipway" image import \
        --containerfile "$T/recipe/Containerfile" -o "$OUT/nosub.sqsh"
    echo "$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"warning: no subordinate ids for $NOSUB_USER in /etc/subuid and /etc/subgid"* ]]
    [[ "$output" == *"exited with status"*"usermod --add-subuids"* ]]
    [ ! -e "$OUT/nosub.sqsh" ]
    nothing_left "$OUT"
}

@test "a base behind TLS with a private CA and basic auth: image_ca_file and the user's Enroot credentials reach the build" {
    start_tls_registry
    local tport; tport=$(registry_port tls)
    skopeo copy -q --src-tls-verify=false --dest-creds alice:s3cr3t-pw --dest-tls-verify=false \
        "docker://127.0.0.1:$PORT/test/busybox:1" "docker://127.0.0.1:$tport/private/busybox:1"
    printf 'image_ca_file = "%s"\n' "$WORK/cert.pem" > "$OUT/tls.toml"
    mkdir -p "$OUT/private"
    printf 'FROM 127.0.0.1:%s/private/busybox:1\nRUN echo private > /built\n' "$tport" > "$OUT/private/Containerfile"
    local home creds; home=$(slurm_user_home); creds=$home/.config/enroot/.credentials
    runuser -u "$SLURM_TEST_USER" -- mkdir -p "$(dirname "$creds")"
    printf 'machine 127.0.0.1:%s login alice password s3cr3t-pw\n' "$tport" > "$creds"
    chown "$SLURM_TEST_USER" "$creds" && chmod 0600 "$creds"
    chmod -R a+rX "$OUT/tls.toml" "$OUT/private"
    run as_user env SLIPWAY_CONFIG="$OUT/tls.toml" TMPDIR="$OUT/tmp" "$REPO/build/bin/slipway" image import \
        --containerfile "$OUT/private/Containerfile" -o "$OUT/private.sqsh"
    rm -f "$creds"
    stop_registry tls
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(unsquashfs -cat "$OUT/private.sqsh" built)" = private ]
    [[ "$output" != *s3cr3t* ]]
    nothing_left "$OUT"
}

@test "root builds too" {
    run env SLIPWAY_CONFIG="$CONF" TMPDIR="$OUT/tmp" "$REPO/build/bin/slipway" image import \
        --containerfile "$T/recipe/Containerfile" -o "$OUT/root.sqsh"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(unsquashfs -cat "$OUT/root.sqsh" built)" = "made by RUN" ]
    nothing_left "$OUT"
}

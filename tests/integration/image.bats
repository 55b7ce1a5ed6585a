#!/usr/bin/env bats
# Image import against real loopback docker-registry instances, as an unprivileged user:
# plain HTTP (insecure_registries), TLS + htpasswd basic auth with a generated CA, multi-layer
# images with whiteouts / hard links / symlinks / long names / a file replaced by a directory,
# a multi-arch index, 16 concurrent imports doing one pull, a killed import leaving nothing, and
# layers that restart or fail verification while the merge follows their download
# (fixtures/image/fault-proxy.py).

bats_require_minimum_version 1.5.0
TEST_USER=slipimg

setup_file() {
    export REPO=$BATS_TEST_DIRNAME/../..
    export WORK=$(mktemp -d /tmp/slipway-image-bats.XXXXXX)
    chmod 0755 "$WORK"
    id "$TEST_USER" >/dev/null 2>&1 || useradd -m "$TEST_USER"
    source "$BATS_TEST_DIRNAME/lib/registry.bash"
    start_registry plain
    local port; port=$(registry_port plain)

    # tiny: busybox, one layer, with a config
    new_image tiny
    busybox_rootfs "$WORK/bundle-tiny/rootfs"
    commit_layer tiny
    umoci config --image "$WORK/oci:tiny" --config.env FOO=bar --config.entrypoint /bin/echo --config.cmd hello \
        --config.workingdir /tmp >/dev/null
    push_image tiny "$port" library/tiny:1.0

    # multi: four layers exercising whiteouts and the like
    new_image multi
    local r=$WORK/bundle-multi/rootfs
    busybox_rootfs "$r"
    mkdir -p "$r/data/dir" "$r/opq"; echo old > "$r/data/gone"; echo keep > "$r/data/keep"
    echo x > "$r/data/dir/inner"; echo file > "$r/data/becomes-dir"; echo o > "$r/opq/old"
    echo target > "$r/data/hl-target"; ln "$r/data/hl-target" "$r/data/hl-link"
    ln -s ../etc/passwd "$r/data/sym"
    long=$(printf 'n%.0s' $(seq 200)); echo long > "$r/data/$long"
    commit_layer multi
    rm "$r/data/gone"; rm -r "$r/data/dir"; rm "$r/data/becomes-dir"; mkdir "$r/data/becomes-dir"
    echo child > "$r/data/becomes-dir/child"
    commit_layer multi
    rm -r "$r/opq"; mkdir "$r/opq"; echo n > "$r/opq/new"; echo v2 > "$r/data/keep"
    commit_layer multi
    push_image multi "$port" team/multi:1

    # big: a 120 MB incompressible layer, slow enough to kill mid-import
    new_image big
    busybox_rootfs "$WORK/bundle-big/rootfs"
    head -c 120000000 /dev/urandom > "$WORK/bundle-big/rootfs/blob"
    commit_layer big
    push_image big "$port" team/big:1

    write_config "$WORK/slipway.toml" "$port"
    chmod -R a+rX "$WORK"
    export PORT=$port
}

teardown_file() {
    source "$BATS_TEST_DIRNAME/lib/registry.bash"
    for r in plain tls token gone; do stop_registry "$r"; done
    [ -f "$WORK/tok.pid" ] && kill "$(cat "$WORK/tok.pid")" 2>/dev/null || true
    rm -rf "$WORK"
}

setup() {
    source "$BATS_TEST_DIRNAME/lib/registry.bash"
    STORE=$WORK/store-$BATS_TEST_NUMBER
    mkdir -p "$STORE" && chown "$TEST_USER" "$STORE"
}

# slipway as the test user, with the store of this test
sw() {
    runuser -u "$TEST_USER" -- env HOME="/home/$TEST_USER" SLIPWAY_CONFIG="${CONFIG:-$WORK/slipway.toml}" \
        EDF_IMAGESTORE="$STORE" "$REPO/build/bin/slipway" "$@"
}

kill_tree() { # SIGKILL a process and all its descendants
    local p
    for p in $(ps -o pid= --ppid "$1"); do kill_tree "$p"; done
    kill -KILL "$1" 2>/dev/null || true
}

blob_gets() { # blob_gets DIGEST-PREFIX: how many GETs of that blob the registry served
    grep -c "\"GET /v2/[^ ]*/blobs/sha256:$1" "$WORK/reg-plain/log" || true
}

@test "import prints the squashfs path last and keeps the image configuration beside it" {
    run sw image import "127.0.0.1:$PORT#library/tiny:1.0"
    [ "$status" -eq 0 ]
    path=${lines[-1]}
    [[ "$path" == "$STORE"/x86/sha256-*.sqsh ]]
    unsquashfs -l "$path" | grep -q 'squashfs-root/bin/busybox'
    grep -q '"FOO=bar"' "$path.json"
    grep -q '"/tmp"' "$path.json"
    # docker form, same image: a cache hit on the same file, silent on stderr
    run --separate-stderr sw image import "127.0.0.1:$PORT/library/tiny:1.0"
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "$path" ]
    [ -z "$stderr" ]
    run sw image ls
    [[ "$output" == *"127.0.0.1:$PORT#library/tiny:1.0"* ]]
}

@test "layers are merged with whiteouts, opaque dirs, hard links, symlinks and long names" {
    run sw image import "127.0.0.1:$PORT/team/multi:1"
    [ "$status" -eq 0 ]
    listing=$(unsquashfs -lls "${lines[-1]}")
    ! grep -q 'data/gone' <<<"$listing"
    ! grep -q 'data/dir' <<<"$listing"
    ! grep -q 'opq/old' <<<"$listing"
    ! grep -q '\.wh\.' <<<"$listing"
    grep -q '^d.*data/becomes-dir$' <<<"$listing"
    grep -q 'data/becomes-dir/child' <<<"$listing"
    grep -q 'opq/new' <<<"$listing"
    grep -q 'data/sym -> ../etc/passwd' <<<"$listing"
    grep -q "data/nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn" <<<"$listing"
    grep -q 'data/hl-link' <<<"$listing"
    d=$(mktemp -d); unsquashfs -q -d "$d/r" "${lines[-1]}" data/keep data/hl-link >/dev/null
    [ "$(cat "$d/r/data/keep")" = v2 ]
    [ "$(cat "$d/r/data/hl-link")" = target ]
    rm -rf "$d"
}

@test "-o FILE writes the squashfs and its configuration there" {
    out=/home/$TEST_USER/tiny.sqsh
    run sw image import -o "$out" "127.0.0.1:$PORT#library/tiny:1.0"
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "$out" ]
    [ -f "$out" ] && [ -f "$out.json" ]
    run sw image import -o "$out" "127.0.0.1:$PORT#library/tiny:1.0"
    [ "$status" -eq 1 ]
    [[ "$output" == *"already exists"* ]]
    rm -f "$out" "$out.json"
}

@test "an OCI layout directory is imported like a registry image" {
    run sw image import "oci:$WORK/oci:tiny"
    [ "$status" -eq 0 ]
    unsquashfs -l "${lines[-1]}" | grep -q bin/busybox
}

@test "docker-archive (docker save) and oci-archive tarballs import like the registry image, whiteouts applied" {
    skopeo copy -q "oci:$WORK/oci:multi" "docker-archive:$WORK/multi-docker.tar:team/multi:1"
    skopeo copy -q "oci:$WORK/oci:multi" "oci-archive:$WORK/multi-oci.tar:multi"
    chmod a+r "$WORK"/multi-*.tar
    run sw image import "127.0.0.1:$PORT/team/multi:1"
    [ "$status" -eq 0 ]
    from_registry=$(unsquashfs -lls "${lines[-1]}" | awk '{print $1, $NF}' | sort)
    for src in "docker-archive:$WORK/multi-docker.tar" "docker-archive:$WORK/multi-docker.tar:team/multi:1" \
        "oci-archive:$WORK/multi-oci.tar" "oci-archive:$WORK/multi-oci.tar:multi"; do
        run sw image import "$src"
        [ "$status" -eq 0 ] || { echo "$src: $output"; false; }
        # Same tree (names, types, modes) as the registry's, whatever the packaging.
        [ "$(unsquashfs -lls "${lines[-1]}" | awk '{print $1, $NF}' | sort)" = "$from_registry" ] || { echo "$src differs"; false; }
    done
    # A tag the archive does not hold is named with the ones it does.
    run sw image import "docker-archive:$WORK/multi-docker.tar:team/other:9"
    [ "$status" -eq 1 ]
    [[ "$output" == *"team/other:9"* ]] || { echo "$output"; false; }
    run sw image import "oci-archive:$WORK/none.tar"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$WORK/none.tar"* ]] || { echo "$output"; false; }
}

@test "a registry that stops answering fails the import after the configured attempts, naming it" {
    start_registry gone
    local gport; gport=$(registry_port gone)
    skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci:tiny" "docker://127.0.0.1:$gport/library/tiny:1"
    stop_registry gone
    sleep 0.5
    printf 'insecure_registries = ["127.0.0.1:%s"]\nimage_transfer_attempts = 2\n' "$gport" > "$WORK/gone.toml"
    chmod a+r "$WORK/gone.toml"
    CONFIG=$WORK/gone.toml run sw image import "127.0.0.1:$gport/library/tiny:1"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"127.0.0.1:$gport"* ]]
    [ -z "$(ls -A "$STORE/x86" 2>/dev/null | grep -v '^\.' || true)" ]
}

@test "a multi-arch index picks the node's platform and lists the platforms when none fits" {
    # an index of two manifests: the tiny image as amd64 and the multi image as arm64
    # both images pushed into the index's repository, then an index naming them
    skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci:tiny" "docker://127.0.0.1:$PORT/team/arch:amd64"
    skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci:multi" "docker://127.0.0.1:$PORT/team/arch:arm64"
    accept='Accept: application/vnd.oci.image.manifest.v1+json'
    curl -sf -H "$accept" -o "$WORK/m1" "http://127.0.0.1:$PORT/v2/team/arch/manifests/amd64"
    curl -sf -H "$accept" -o "$WORK/m2" "http://127.0.0.1:$PORT/v2/team/arch/manifests/arm64"
    d1=sha256:$(sha256sum < "$WORK/m1" | cut -d' ' -f1); s1=$(stat -c %s "$WORK/m1")
    d2=sha256:$(sha256sum < "$WORK/m2" | cut -d' ' -f1); s2=$(stat -c %s "$WORK/m2")
    index='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":['
    index+="{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$d2\",\"size\":$s2,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
    index+="{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$d1\",\"size\":$s1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}"
    curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "$index" \
        "http://127.0.0.1:$PORT/v2/team/arch/manifests/multi"
    run sw image import "127.0.0.1:$PORT/team/arch:multi"
    [ "$status" -eq 0 ]
    [[ "${lines[-1]}" == *"${d1#sha256:}.sqsh" ]]
    run sw image import --platform linux/arm64 "127.0.0.1:$PORT/team/arch:multi"
    [ "$status" -eq 0 ]
    [[ "${lines[-1]}" == *"/aarch64/sha256-${d2#sha256:}.sqsh" ]]
    run sw image import --platform linux/s390x "127.0.0.1:$PORT/team/arch:multi"
    [ "$status" -eq 1 ]
    [[ "$output" == *"available platforms: linux/arm64/v8, linux/amd64"* ]]
}

@test "16 concurrent imports of one image pull each layer once" {
    sleep 1 # the registry's access log is written asynchronously
    before=$(blob_gets "")
    for i in $(seq 16); do
        sw image import "127.0.0.1:$PORT/team/multi:1" > "$WORK/conc.$i" 2>&1 &
    done
    wait
    first=$(tail -n1 "$WORK/conc.1")
    for i in $(seq 16); do [ "$(tail -n1 "$WORK/conc.$i")" = "$first" ]; done
    sleep 1
    after=$(blob_gets "")
    # every layer and the config blob, exactly once
    blobs=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://127.0.0.1:$PORT/v2/team/multi/manifests/1" | grep -o '"digest"' | wc -l)
    echo "blob GETs: $((after - before)), blobs: $blobs"
    [ $((after - before)) -eq "$blobs" ]
    [ "$(ls "$STORE"/blobs/sha256 | wc -l)" -eq "$blobs" ]
    [ "$(ls "$STORE"/x86/*.sqsh | wc -l)" -eq 1 ]
}

@test "a killed import leaves no partial image and the next one succeeds" {
    sw image import "127.0.0.1:$PORT/team/big:1" >/dev/null 2>&1 &
    pid=$!
    # kill it while it squashes (its hidden temporary exists)
    for _ in $(seq 200); do
        ls -A "$STORE/x86" 2>/dev/null | grep -q '^\.tmp-' && break
        sleep 0.05
    done
    kill_tree "$pid"
    wait "$pid" 2>/dev/null || true
    sleep 0.5
    [ -z "$(ls "$STORE"/x86/*.sqsh 2>/dev/null)" ]
    run sw image import "127.0.0.1:$PORT/team/big:1"
    [ "$status" -eq 0 ]
    [ -f "${lines[-1]}" ]
    [ -z "$(ls -A "$STORE"/x86 | grep '^\.tmp-')" ]
}

big_layer() { # the digest of team/big:1's only layer
    curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$PORT/v2/team/big/manifests/1" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["layers"][-1]["digest"])'
}

# start_fault_proxy MODE: a faulty registry in front of the plain one (fixtures/image/fault-proxy.py)
# at 127.0.0.1:$FPORT, configured in $WORK/fault-MODE.toml
start_fault_proxy() {
    FPORT=$(free_port)
    python3 "$BATS_TEST_DIRNAME/../fixtures/image/fault-proxy.py" "$FPORT" "$PORT" "$(big_layer)" "$1" \
        "$WORK/fault-$1.log" &
    echo $! > "$WORK/fault-$1.pid"
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$FPORT/v2/" && break; sleep 0.1; done
    printf 'insecure_registries = ["127.0.0.1:%s", "127.0.0.1:%s"]\n' "$FPORT" "$PORT" > "$WORK/fault-$1.toml"
    chmod a+r "$WORK/fault-$1.toml"
}

import_through_fault() { # import_through_fault MODE: team/big:1 through a fault proxy, as `run`
    start_fault_proxy "$1"
    CONFIG=$WORK/fault-$1.toml run sw image import "127.0.0.1:$FPORT/team/big:1"
    kill "$(cat "$WORK/fault-$1.pid")"
    echo "$output"; cat "$WORK/fault-$1.log"
}

@test "a layer download starting again from zero while the merge follows it is squashed again from the verified file" {
    import_through_fault restart
    [ "$status" -eq 0 ]
    # the fault happened: half a layer, then a whole one despite Range
    grep -q 'connection dropped' "$WORK/fault-restart.log"
    grep -q 'Range ignored' "$WORK/fault-restart.log"
    # the image holds the layer's content, whole
    unsquashfs -cat "${lines[-1]}" blob | cmp - "$WORK/bundle-big/rootfs/blob"
    [ -z "$(ls -A "$STORE"/x86 "$STORE"/blobs/sha256 | grep '\.tmp-' || true)" ]
}

@test "a layer failing verification while the merge follows it leaves no image, and the next import succeeds" {
    import_through_fault corrupt
    [ "$status" -eq 1 ]
    grep -q 'one byte changed' "$WORK/fault-corrupt.log"
    [[ "$output" == *"$(big_layer) failed verification"* ]]
    layer=$(big_layer)
    [ -z "$(ls -A "$STORE"/x86 "$STORE"/blobs/sha256 2>/dev/null | grep -e '\.sqsh' -e '\.tmp-' -e "${layer#sha256:}" || true)" ]
    # the same image from the registry itself: verified, squashed, published
    run sw image import "127.0.0.1:$PORT/team/big:1"
    [ "$status" -eq 0 ]
    unsquashfs -cat "${lines[-1]}" blob | cmp - "$WORK/bundle-big/rootfs/blob"
}

@test "rm removes an image and prune drops its layers" {
    run sw image import "127.0.0.1:$PORT#library/tiny:1.0"
    path=${lines[-1]}
    run sw image rm "127.0.0.1:$PORT#library/tiny:1.0"
    [ "$status" -eq 0 ]
    [ ! -e "$path" ]
    run sw image prune
    [ "$status" -eq 0 ]
    [ -z "$(ls "$STORE"/blobs/sha256/ 2>/dev/null)" ]
    run sw image rm "127.0.0.1:$PORT#library/tiny:1.0"
    [ "$status" -eq 1 ]
}

@test "TLS with a private CA and basic auth from the Enroot credentials file" {
    start_tls_registry
    tport=$(registry_port tls)
    skopeo copy -q --dest-creds alice:s3cr3t-pw --dest-cert-dir "$WORK/certs-none" --dest-tls-verify=false \
        "oci:$WORK/oci:tiny" "docker://127.0.0.1:$tport/private/tiny:1"
    printf 'image_ca_file = "%s"\n' "$WORK/cert.pem" > "$WORK/tls.toml"
    export CONFIG=$WORK/tls.toml
    # no credentials: a clear refusal
    rm -f "/home/$TEST_USER/.config/enroot/.credentials"
    run sw image import "127.0.0.1:$tport/private/tiny:1"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"no credentials were found for 127.0.0.1:$tport"* ]]
    creds=/home/$TEST_USER/.config/enroot/.credentials
    rm -f "$creds"
    runuser -u "$TEST_USER" -- mkdir -p "$(dirname "$creds")"
    echo "machine 127.0.0.1 login alice password s3cr3t-pw" > "$creds"; chown "$TEST_USER" "$creds"; chmod 644 "$creds"
    run sw image import "127.0.0.1:$tport/private/tiny:1"
    [ "$status" -eq 0 ]
    [[ "$output" == *"readable by other users"* ]]
    [[ "$output" != *"s3cr3t-pw"* ]]
    unsquashfs -l "${lines[-1]}" | grep -q bin/busybox
    # a wrong password names the login, never the secret
    chmod 600 "$creds"; echo "machine 127.0.0.1 login alice password wrong-pw" > "$creds"
    run sw image import "127.0.0.1:$tport/private/tiny:1"
    [ "$status" -eq 1 ]
    [[ "$output" == *"access denied for login 'alice'"* ]]
    [[ "$output" != *"wrong-pw"* ]]
    rm -f "$creds"
    # the system trust store alone does not trust the private CA
    unset CONFIG
    run sw image import "127.0.0.1:$tport/private/tiny:1"
    [ "$status" -eq 1 ]
}

@test "Bearer tokens from a real token server: the scope is asked with the user's login, never logged" {
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=slipway-token -keyout "$WORK/tok-key.pem" \
        -out "$WORK/tok-cert.pem" 2>/dev/null
    local tokport; tokport=$(free_port)
    "$BATS_TEST_DIRNAME/../fixtures/image/token-server.py" "$tokport" "$WORK/tok-key.pem" "$WORK/tok-cert.pem" \
        bob t0ken-s3cret "$WORK/tok.log" 3>&- &
    echo $! > "$WORK/tok.pid"
    start_registry token "auth: {token: {realm: \"http://127.0.0.1:$tokport/token\", service: slipway-registry, issuer: slipway-test, rootcertbundle: $WORK/tok-cert.pem}}"
    local rport; rport=$(registry_port token)
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$tokport/token" && break; sleep 0.1; done
    skopeo copy -q --dest-tls-verify=false --dest-creds bob:t0ken-s3cret "oci:$WORK/oci:tiny" \
        "docker://127.0.0.1:$rport/private/tiny:1"
    write_config "$WORK/token.toml" "$rport"
    chmod a+r "$WORK/token.toml"
    creds=/home/$TEST_USER/.config/enroot/.credentials
    runuser -u "$TEST_USER" -- mkdir -p "$(dirname "$creds")"
    rm -f "$creds"
    : > "$WORK/tok.log"
    # Anonymous: the token grants nothing and the registry's refusal reaches the user.
    CONFIG=$WORK/token.toml run sw image import "127.0.0.1:$rport/private/tiny:1"
    echo "$output"
    [ "$status" -eq 1 ]
    grep -q "^anonymous repository:private/tiny:pull" "$WORK/tok.log"
    # With the login: the token server sees it, the import works, the secret shows nowhere.
    echo "machine 127.0.0.1 login bob password t0ken-s3cret" > "$creds"; chown "$TEST_USER" "$creds"; chmod 600 "$creds"
    CONFIG=$WORK/token.toml run sw image import "127.0.0.1:$rport/private/tiny:1"
    kill "$(cat "$WORK/tok.pid")" 2>/dev/null || true
    stop_registry token
    rm -f "$creds"
    echo "$output"
    [ "$status" -eq 0 ]
    unsquashfs -l "${lines[-1]}" | grep -q bin/busybox
    grep -q "^bob repository:private/tiny:pull" "$WORK/tok.log"
    [[ "$output" != *t0ken-s3cret* ]]
    ! grep -rq t0ken-s3cret "$STORE"
}

@test "slipway run pulls a registry image on demand and uses its configuration" {
    # entrypoint on (the default): the image's /bin/echo gets the command as arguments
    run --separate-stderr sw run --image "127.0.0.1:$PORT#library/tiny:1.0" -- from-the-entrypoint
    [ "$status" -eq 0 ]
    [ "$output" = "from-the-entrypoint" ]
    # the image is in the store now; its Env and WorkingDir apply
    run sw image ls
    [[ "$output" == *"127.0.0.1:$PORT#library/tiny:1.0"* ]]
    run --separate-stderr sw run --no-entrypoint --image "127.0.0.1:$PORT#library/tiny:1.0" -- sh -c 'echo "$FOO $(pwd)"'
    [ "$status" -eq 0 ]
    [ "$output" = "bar /tmp" ]
}

@test "an EDF naming a registry image resolves its env against the image's variables" {
    cat > "$WORK/pulled.toml" <<EDF
image = "127.0.0.1:$PORT#library/tiny:1.0"
entrypoint = false
[env]
FROM_IMAGE = "\${FOO}-edf"
EDF
    chmod a+r "$WORK/pulled.toml"
    run --separate-stderr sw run --environment="$WORK/pulled.toml" -- sh -c 'echo "$FROM_IMAGE"'
    [ "$status" -eq 0 ]
    [ "$output" = "bar-edf" ]
}

# Helpers for image tests: a loopback docker-registry on a free port, test images built with
# umoci from busybox-static, pushed with skopeo. Everything lives under $WORK.

free_port() {
    python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# start_registry NAME [extra yaml lines...]: sets REG_<NAME>_PORT / _PID; data under $WORK/reg-NAME
start_registry() {
    local name=$1; shift
    local port; port=$(free_port)
    local dir="$WORK/reg-$name"
    mkdir -p "$dir/data"
    {
        echo "version: 0.1"
        echo "log: {level: error, accesslog: {disabled: false}}"
        echo "storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}"
        echo "http:"
        echo "  addr: 127.0.0.1:$port"
        for line in "$@"; do echo "$line"; done
    } > "$dir/config.yml"
    docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
    echo $! > "$dir/pid"
    for _ in $(seq 50); do
        if curl -sk -o /dev/null "http://127.0.0.1:$port/v2/" || curl -sk -o /dev/null "https://127.0.0.1:$port/v2/"; then
            break
        fi
        sleep 0.1
    done
    echo "$port" > "$dir/port"
}

stop_registry() {
    local dir="$WORK/reg-$1"
    [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
    rm -f "$dir/pid"
}

registry_port() { cat "$WORK/reg-$1/port"; }

# start_tls_registry: the registry "tls", behind HTTPS with a self-signed certificate for
# 127.0.0.1 ($WORK/cert.pem, readable by all: tests pass it as image_ca_file) and basic auth for
# alice:s3cr3t-pw
start_tls_registry() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
    chmod a+r "$WORK/cert.pem"
    htpasswd -Bbn alice s3cr3t-pw > "$WORK/htpasswd"
    start_registry tls "  tls: {certificate: $WORK/cert.pem, key: $WORK/key.pem}" \
        "auth: {htpasswd: {realm: test, path: $WORK/htpasswd}}"
}

# busybox_rootfs DIR: a tiny rootfs with busybox and its applet links
busybox_rootfs() {
    local root=$1
    mkdir -p "$root/bin" "$root/etc" "$root/tmp"
    cp /bin/busybox "$root/bin/busybox"
    for a in sh ls cat echo true env id; do ln -sf busybox "$root/bin/$a"; done
    echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
}

# new_layout NAME: an OCI layout $WORK/oci with an empty image NAME, bundle at $WORK/bundle-NAME
new_image() {
    local name=$1
    [ -d "$WORK/oci" ] || umoci init --layout "$WORK/oci"
    umoci new --image "$WORK/oci:$name"
    rm -rf "$WORK/bundle-$name"
    umoci unpack --rootless --image "$WORK/oci:$name" "$WORK/bundle-$name" >/dev/null
}

# layer NAME: repack the bundle as a new layer of image NAME
commit_layer() {
    umoci repack --refresh-bundle --image "$WORK/oci:$1" "$WORK/bundle-$1" >/dev/null
}

push_image() { # push_image NAME PORT REPO:TAG
    skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci:$1" "docker://127.0.0.1:$2/$3"
}

write_config() { # write_config PATH insecure-port...
    local file=$1; shift
    local list=""
    for p in "$@"; do list="$list\"127.0.0.1:$p\", "; done
    echo "insecure_registries = [${list%, }]" > "$file"
}

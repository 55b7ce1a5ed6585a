#!/bin/bash
# The Slipway demo on a fresh Debian 12 machine: installs what the build needs, builds, and shows
# the EDF engine resolving the built-in example environment (conf/examples/demo.toml, which
# inherits cluster defaults), first as JSON, then as a self-contained EDF, then a located error.
set -euo pipefail
cd "$(dirname "$0")/.."

tests/setup/install-deps.sh
make >/dev/null
slipway=$PWD/build/bin/slipway
export EDF_PATH=$PWD/conf/examples

echo "== slipway edf path"
"$slipway" edf path
echo
echo "== slipway edf render demo"
"$slipway" edf render demo
echo
echo "== slipway edf render --format toml demo"
"$slipway" edf render --format toml demo
echo
echo "== an EDF with the seed documentation's trailing comma is rejected with its line"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'image = "ubuntu:24.04"\n[env]\nMY_RUN = "production",\nDEBUG = "false"\n' > "$tmp/broken.toml"
"$slipway" edf validate "$tmp/broken.toml" || echo "(exit status $?)"

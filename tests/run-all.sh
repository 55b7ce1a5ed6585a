#!/bin/bash
# Runs every Slipway test on a fresh Debian 12 machine: installs the packages, builds the C and
# Java parts, runs the unit tests, then the integration suites under tests/integration/ (which
# start and stop the services they need). Run as root; suites drop to an unprivileged test user
# where a real user would be unprivileged.
set -euo pipefail
cd "$(dirname "$0")/.."

tests/setup/install-deps.sh
make
make unit-test

# Suites with a Slurm cluster stop it in teardown_file; when bats is interrupted or dies before
# that, this stops whatever cluster is left, so no slurmctld, slurmd or munged outlives the run.
source tests/integration/lib/slurm.bash
trap slurm_down_all EXIT
trap 'exit 130' INT TERM

shopt -s nullglob
suites=(tests/integration/*.bats)
if ((${#suites[@]})); then
    bats --timing "${suites[@]}"
fi
echo "all tests passed"

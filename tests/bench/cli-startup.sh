#!/bin/bash
# Start-up time of the slipway command against a plain `java -version` measured in the same run,
# and the effect of the class-data-sharing archive. Prints medians and ratios; no assertions.
# Usage: tests/bench/cli-startup.sh [RUNS]   (after `make`)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-21}
slipway=build/bin/slipway
share=build/share/slipway
examples=$PWD/conf/examples
[ -x "$slipway" ] || { echo "run make first" >&2; exit 1; }

median_ms() {  # command... -> median wall time in ms over $runs runs
    local times=() i start end
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(((end - start) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

nocds() {  # the launcher's flags without the CDS archive
    java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto \
        -Dslipway.prefix="$PWD/build" -cp "$share/slipway.jar" io.slipway.cli.Main "$@"
}

export EDF_PATH=$examples USER=bench
base=$(median_ms java -version)
version=$(median_ms "$slipway" --version)
render=$(median_ms "$slipway" edf render demo)
render_nocds=$(median_ms nocds edf render demo)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-44s %6s ms\n' "java -version (baseline)" "$base"
printf '%-44s %6s ms  %sx baseline\n' "slipway --version" "$version" "$(ratio "$version" "$base")"
printf '%-44s %6s ms  %sx baseline\n' "slipway edf render demo" "$render" "$(ratio "$render" "$base")"
printf '%-44s %6s ms  %sx baseline\n' "slipway edf render demo, no AppCDS archive" "$render_nocds" "$(ratio "$render_nocds" "$base")"
printf '%-44s %6s x\n' "AppCDS speed-up on render" "$(ratio "$render_nocds" "$render")"

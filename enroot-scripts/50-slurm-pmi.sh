#!/bin/sh
# Inside a Slurm step, passes the job's Slurm and PMI/PMIx variables into the container and binds
# the PMIx server's directory, so MPI started by srun finds its launcher.
set -eu
[ -n "${SLURM_JOB_ID:-}" ] && [ -n "${SLURM_STEP_ID:-}" ] || exit 0
env | grep -E '^(SLURM|PMI|PMIX)_[A-Za-z0-9_]*=' >> "$ENROOT_ENVIRON" || true
if [ -n "${PMIX_RANK:-}" ] || [ -n "${PMIX_NAMESPACE:-}" ]; then
    [ -n "${PMIX_PTL_MODULE:-}" ] && [ -z "${PMIX_MCA_ptl:-}" ] && echo "PMIX_MCA_ptl=$PMIX_PTL_MODULE" >> "$ENROOT_ENVIRON"
    [ -n "${PMIX_SECURITY_MODE:-}" ] && [ -z "${PMIX_MCA_psec:-}" ] && echo "PMIX_MCA_psec=$PMIX_SECURITY_MODE" >> "$ENROOT_ENVIRON"
    [ -n "${PMIX_GDS_MODULE:-}" ] && [ -z "${PMIX_MCA_gds:-}" ] && echo "PMIX_MCA_gds=$PMIX_GDS_MODULE" >> "$ENROOT_ENVIRON"
    if [ -n "${PMIX_SERVER_TMPDIR:-}" ] && [ -d "$PMIX_SERVER_TMPDIR" ]; then
        printf '%s %s none x-create=dir,rbind,nofail\n' "$PMIX_SERVER_TMPDIR" "$PMIX_SERVER_TMPDIR" >> "$ENROOT_MOUNTS"
    fi
fi
exit 0

/**
 * Slipway: containerized user environments for Slurm. Sub-packages are cut by capability
 * ({@code edf}, {@code config}, {@code cli}, {@code posix}); this package only holds what all of
 * them share, the user-facing {@link io.slipway.SlipwayException}.
 */
package io.slipway;

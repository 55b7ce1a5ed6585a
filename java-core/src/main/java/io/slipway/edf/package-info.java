/**
 * Environment Definition Files: finding them (search path, names, paths), parsing them with
 * positions, inheriting through {@code base_environment}, expanding {@code ${VAR}} and producing
 * the immutable {@link io.slipway.edf.ResolvedEdf} the runtime consumes. It reads files and
 * environment maps it is given; it never reads the process environment itself, pulls images or
 * touches containers.
 */
package io.slipway.edf;

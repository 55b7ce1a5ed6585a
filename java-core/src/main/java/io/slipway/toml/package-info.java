/**
 * Reading TOML files (EDFs and the configuration file) with tomlj, turning every syntax or type
 * problem into a {@link io.slipway.SlipwayException} that reads {@code FILE:LINE:COL: message}.
 * It knows nothing of what the keys mean.
 */
package io.slipway.toml;

/**
 * Reading TOML files (EDFs and the configuration file) with tomlj, turning every syntax or type
 * problem into a {@link io.slipway.SlipwayException} that reads {@code FILE:LINE:COL: message}.
 * It knows nothing of what the keys mean. {@link io.slipway.toml.ParsedFileCache} keeps what a
 * file parsed to, per user, so that an unchanged file needs no parser in the next process.
 */
package io.slipway.toml;

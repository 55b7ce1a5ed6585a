/**
 * The one Slipway configuration file ({@code SLIPWAY_CONFIG}, else
 * {@code SYSCONFDIR/slipway/slipway.toml} of the installation) and where the installation lives.
 * Every key is declared once in {@link io.slipway.config.ConfigLoader}; an unknown key is an error.
 */
package io.slipway.config;

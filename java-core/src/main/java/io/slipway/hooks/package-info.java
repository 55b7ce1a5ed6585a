/**
 * Hooks around a container start: OCI hooks (JSON 1.0.0 files from {@code hooks_dirs}, their
 * {@code when} conditions, the simulated OCI bundle and state they read) and Enroot-style shell
 * hooks. It decides which hooks run and with what input; the runtime decides when and where.
 */
package io.slipway.hooks;

/**
 * The few POSIX calls the JVM does not offer, implemented in {@code spank-c/natives.c} and loaded
 * from the installation's {@code lib/slipway/libslipway.so}. Only calls that are safe in a
 * multi-threaded process belong here: namespace and mount work happens in exec'd C helpers.
 */
package io.slipway.posix;

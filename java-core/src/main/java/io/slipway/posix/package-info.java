/**
 * The few POSIX calls the JVM does not offer, implemented in {@code spank-c/natives.c} and loaded
 * from the installation's {@code lib/slipway/libslipway.so}. Only calls that are safe in a
 * multi-threaded process belong here: namespace and mount work happens in exec'd C helpers.
 * With them, the file-level pieces several capabilities share: file trees, signatures of a file's
 * version ({@link io.slipway.posix.FileSignature}), and the private files of a user's caches.
 */
package io.slipway.posix;

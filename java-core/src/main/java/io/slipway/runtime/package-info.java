/**
 * Starting containers: the container spec planned from a resolved EDF, an imported image and the
 * configuration (root filesystem, ordered mounts, identity files, environment, working directory,
 * command), and the start itself through the exec-only chain of C helpers in libexec. The JVM
 * never enters a namespace: it plans, writes plan files, and talks to the helpers over FIFOs.
 */
package io.slipway.runtime;

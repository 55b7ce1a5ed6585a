package io.slipway.runtime;

import java.nio.file.Path;

/**
 * A started container whose init waits, stopped, for tasks to join it.
 *
 * @param id the container's id (the name of its runtime directory)
 * @param pid the keeper: every container namespace, the final environment ({@code /proc/PID/environ})
 *     and working directory ({@code /proc/PID/cwd}); stopped (SIGSTOP) when returned
 * @param runtimeDir holds the root filesystem's mount points, passwd and group, config.json, the
 *     container's log and {@link KeptState#FILE}; give it to {@link ContainerStarter#stopKept}
 */
public record KeptContainer(String id, long pid, Path runtimeDir) {}

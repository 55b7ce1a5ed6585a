/**
 * What the SPANK plugin asks of the Java core. The plugin execs the JNI host, which passes one
 * JSON request to {@link io.slipway.slurm.PluginHost#handle} and returns its JSON answer: check an
 * EDF at submission, start a step's container on a node, stop it when the last task exits.
 */
package io.slipway.slurm;

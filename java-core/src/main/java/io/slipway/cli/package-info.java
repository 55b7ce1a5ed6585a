/**
 * The {@code slipway} command (picocli): one class per subcommand, parsing arguments and printing
 * results. Each command declares its picocli model in code, in a static {@code spec} method
 * ({@link io.slipway.cli.CommandSpecs}); none uses picocli's annotations, whose reading slows every
 * start. Decisions live in the capability packages; this package maps failures to exit codes
 * (0 ok, 1 user error, 2 usage error, 3 internal error).
 */
package io.slipway.cli;

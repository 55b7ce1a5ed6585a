/**
 * The {@code slipway} command (picocli): one class per subcommand, parsing arguments and printing
 * results. Decisions live in the capability packages; this package maps failures to exit codes
 * (0 ok, 1 user error, 2 usage error, 3 internal error).
 */
package io.slipway.cli;

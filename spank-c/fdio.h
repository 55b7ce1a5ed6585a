/*
 * Whole reads and writes on descriptors, retried on EINTR and short counts: what the plugin and
 * the JNI host both need for requests, answers and /proc files.
 */
#ifndef SLIPWAY_FDIO_H
#define SLIPWAY_FDIO_H

#include <stddef.h>

/* Writes all of data; a socket is written with MSG_NOSIGNAL, so a gone reader is an error, not SIGPIPE. */
int fd_write_all(int fd, const char *data, size_t len);
/* Reads fd to EOF into a malloc'ed, NUL-terminated buffer (len excludes the NUL), or NULL. */
char *fd_read_all(int fd, size_t *len);
/* The whole file at path, as fd_read_all, or NULL. */
char *file_read_all(const char *path, size_t *len);

#endif

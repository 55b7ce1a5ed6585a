/* See fdio.h. */
#define _GNU_SOURCE
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

int fd_write_all(int fd, const char *data, size_t len)
{
	int is_socket = 1;

	while (len > 0) {
		ssize_t w = is_socket ? send(fd, data, len, MSG_NOSIGNAL) : write(fd, data, len);
		if (w < 0 && errno == ENOTSOCK && is_socket) {
			is_socket = 0;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

char *fd_read_all(int fd, size_t *len)
{
	size_t cap = 65536;
	char *buf = malloc(cap);

	*len = 0;
	while (buf != NULL) {
		if (*len + 1 >= cap) {
			char *grown = realloc(buf, cap *= 2);
			if (grown == NULL)
				break;
			buf = grown;
		}
		ssize_t r = read(fd, buf + *len, cap - *len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			buf[*len] = '\0';
			return buf;
		}
		*len += (size_t)r;
	}
	free(buf);
	return NULL;
}

char *file_read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	char *data = fd_read_all(fd, len);
	int saved = errno;
	close(fd);
	errno = saved;
	return data;
}

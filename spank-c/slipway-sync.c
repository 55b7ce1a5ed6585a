/*
 * slipway-sync STATUS_FIFO CONTROL_FIFO WORD -- CMD [ARGS...]
 * Tells the Java core that the container reached WORD (with this pid) and waits for its "go"
 * before exec'ing CMD. Anything but "go" ends the start with status 125.
 */
#include "helper.h"

int main(int argc, char **argv)
{
	int next = after_dashes(argc, argv);

	helper_name = "slipway-sync";
	if (next != 5)
		die_plain("usage: slipway-sync STATUS_FIFO CONTROL_FIFO WORD -- CMD...");
	int out, in;

	sync_open(argv[1], argv[2], &out, &in);
	sync_fds(out, in, argv[3]);
	close(out);
	close(in);
	exec_next(argv + next);
}

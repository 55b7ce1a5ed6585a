/*
 * slipway natives: the JNI methods of io.slipway.posix.Posix. Only calls that are safe from a
 * multi-threaded JVM live here; anything touching namespaces or mounts is a separate exec'd helper.
 * The prototypes come from the header javac generates, so a signature change breaks the build.
 */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "io_slipway_posix_Posix.h"

JNIEXPORT jboolean JNICALL Java_io_slipway_posix_Posix_isatty0(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	return isatty(fd) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jint JNICALL Java_io_slipway_posix_Posix_getuid0(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jint)getuid();
}

JNIEXPORT jint JNICALL Java_io_slipway_posix_Posix_geteuid0(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jint)geteuid();
}

JNIEXPORT jint JNICALL Java_io_slipway_posix_Posix_getgid0(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jint)getgid();
}

JNIEXPORT jint JNICALL Java_io_slipway_posix_Posix_kill0(JNIEnv *env, jclass cls, jint pid, jint sig)
{
	(void)env;
	(void)cls;
	return kill((pid_t)pid, sig) == 0 ? 0 : errno;
}

JNIEXPORT jint JNICALL Java_io_slipway_posix_Posix_mkfifo0(JNIEnv *env, jclass cls, jstring path)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);
	int rc;

	(void)cls;
	if (p == NULL)
		return ENOMEM;
	rc = mkfifo(p, 0600) == 0 ? 0 : errno;
	(*env)->ReleaseStringUTFChars(env, path, p);
	return rc;
}

JNIEXPORT jint JNICALL Java_io_slipway_posix_Posix_pidfdOpen0(JNIEnv *env, jclass cls, jint pid)
{
	long fd = syscall(SYS_pidfd_open, (pid_t)pid, 0);

	(void)env;
	(void)cls;
	return fd >= 0 ? (jint)fd : -errno;
}

JNIEXPORT jint JNICALL Java_io_slipway_posix_Posix_pidfdSendSignal0(JNIEnv *env, jclass cls, jint pidfd, jint sig)
{
	(void)env;
	(void)cls;
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0 ? 0 : errno;
}

JNIEXPORT jint JNICALL Java_io_slipway_posix_Posix_close0(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	return close(fd) == 0 ? 0 : errno;
}

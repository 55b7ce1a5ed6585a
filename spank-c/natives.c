/*
 * slipway natives: the JNI methods of io.slipway.posix.Posix. Only calls that are safe from a
 * multi-threaded JVM live here; anything touching namespaces or mounts is a separate exec'd helper.
 * The prototypes come from the header javac generates, so a signature change breaks the build.
 */
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

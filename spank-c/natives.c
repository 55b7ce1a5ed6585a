/*
 * slipway natives: the JNI methods of io.slipway.posix.Posix and io.slipway.posix.Sha256. Only
 * calls that are safe from a multi-threaded JVM live here; anything touching namespaces or mounts
 * is a separate exec'd helper. The prototypes come from the headers javac generates, so a
 * signature change breaks the build.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "io_slipway_posix_Posix.h"
#include "io_slipway_posix_Sha256.h"

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

/*
 * A close-on-exec pipe of (at most) size bytes: fds[0] reads, fds[1] writes. A bigger pipe than
 * the default 64 KiB lets two stages of an import run apart instead of in lock-step. The size is
 * best effort (capped by /proc/sys/fs/pipe-max-size for unprivileged users).
 */
JNIEXPORT jint JNICALL Java_io_slipway_posix_Posix_pipe0(JNIEnv *env, jclass cls, jint size, jintArray out)
{
	int fds[2];
	jint values[2];

	(void)cls;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return errno;
	if (size > 0)
		(void)fcntl(fds[1], F_SETPIPE_SZ, size);
	values[0] = fds[0];
	values[1] = fds[1];
	(*env)->SetIntArrayRegion(env, out, 0, 2, values);
	return 0;
}

JNIEXPORT void JNICALL Java_io_slipway_posix_Posix_exitNow0(JNIEnv *env, jclass cls, jint status)
{
	(void)env;
	(void)cls;
	_exit(status);
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

/*
 * SHA-256 through OpenSSL's libcrypto, looked up at run time so the library needs no OpenSSL to
 * build or load: the JVMs of the CLI and the plugin compile with C1 only (for start-up time),
 * where the JDK's SHA-256 runs without its SHA-NI intrinsic at about a fifth of libcrypto's speed.
 * Java falls back to the JDK when libcrypto is missing.
 */
struct crypto {
	void *(*ctx_new)(void);
	void (*ctx_free)(void *);
	const void *(*sha256)(void);
	int (*init)(void *, const void *, void *);
	int (*update)(void *, const void *, size_t);
	int (*final)(void *, unsigned char *, unsigned int *);
};

static struct crypto crypto;
static int crypto_ok;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void crypto_load(void)
{
	static const char *const names[] = { "libcrypto.so.3", "libcrypto.so" };
	void *h = NULL;

	for (size_t i = 0; h == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return;
	*(void **)&crypto.ctx_new = dlsym(h, "EVP_MD_CTX_new");
	*(void **)&crypto.ctx_free = dlsym(h, "EVP_MD_CTX_free");
	*(void **)&crypto.sha256 = dlsym(h, "EVP_sha256");
	*(void **)&crypto.init = dlsym(h, "EVP_DigestInit_ex");
	*(void **)&crypto.update = dlsym(h, "EVP_DigestUpdate");
	*(void **)&crypto.final = dlsym(h, "EVP_DigestFinal_ex");
	crypto_ok = crypto.ctx_new && crypto.ctx_free && crypto.sha256 && crypto.init && crypto.update &&
		    crypto.final;
}

JNIEXPORT jlong JNICALL Java_io_slipway_posix_Sha256_open0(JNIEnv *env, jclass cls)
{
	void *ctx;

	(void)env;
	(void)cls;
	pthread_once(&crypto_once, crypto_load);
	if (!crypto_ok || (ctx = crypto.ctx_new()) == NULL)
		return 0;
	if (crypto.init(ctx, crypto.sha256(), NULL) != 1) {
		crypto.ctx_free(ctx);
		return 0;
	}
	return (jlong)(uintptr_t)ctx;
}

JNIEXPORT jboolean JNICALL Java_io_slipway_posix_Sha256_update0(JNIEnv *env, jclass cls, jlong ctx, jbyteArray data,
								  jint off, jint len)
{
	jbyte *bytes;
	int ok;

	(void)cls;
	bytes = (*env)->GetPrimitiveArrayCritical(env, data, NULL);
	if (bytes == NULL)
		return JNI_FALSE;
	ok = crypto.update((void *)(uintptr_t)ctx, bytes + off, (size_t)len);
	(*env)->ReleasePrimitiveArrayCritical(env, data, bytes, JNI_ABORT);
	return ok == 1 ? JNI_TRUE : JNI_FALSE;
}

/* Writes the digest into out (32 bytes) and starts the context afresh. */
JNIEXPORT jboolean JNICALL Java_io_slipway_posix_Sha256_finish0(JNIEnv *env, jclass cls, jlong ctx, jbyteArray out)
{
	unsigned char md[32];
	unsigned int n = 0;
	void *c = (void *)(uintptr_t)ctx;

	(void)cls;
	if (crypto.final(c, md, &n) != 1 || n != sizeof(md) || crypto.init(c, crypto.sha256(), NULL) != 1)
		return JNI_FALSE;
	(*env)->SetByteArrayRegion(env, out, 0, (jsize)sizeof(md), (const jbyte *)md);
	return JNI_TRUE;
}

JNIEXPORT jboolean JNICALL Java_io_slipway_posix_Sha256_reset0(JNIEnv *env, jclass cls, jlong ctx)
{
	(void)env;
	(void)cls;
	return crypto.init((void *)(uintptr_t)ctx, crypto.sha256(), NULL) == 1 ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT void JNICALL Java_io_slipway_posix_Sha256_close0(JNIEnv *env, jclass cls, jlong ctx)
{
	(void)env;
	(void)cls;
	crypto.ctx_free((void *)(uintptr_t)ctx);
}

/*
 * slipway-jvmhost LIBJVM [JVM-OPTION...]
 * The JNI host the SPANK plugin execs (never loads) to reach the Java core: reads one request
 * (JSON) from fd 0 to EOF, creates a JVM from LIBJVM with the JNI Invocation API, hands the request
 * to io.slipway.slurm.PluginHost.handle(byte[]) and writes the answer to fd 3, then exits. The
 * plugin runs it already switched to the job user, so no Java code ever runs as root. stdout is
 * pointed at stderr, so a stray print cannot corrupt the answer.
 *
 * libjvm is dlopen'ed here rather than linked, so a node without Java only fails when a step
 * actually asks for a container, with a message naming the path that was tried.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "json.h"

#define ENTRY_CLASS "io/slipway/slurm/PluginHost"
#define ANSWER_FD 3

struct job {
	int argc;
	char **argv;
	char *request;
	size_t request_len;
	char *answer;
	size_t answer_len;
	char error[1024];
};

static void fail_answer(const char *message)
{
	struct jbuf b;

	jb_init(&b);
	jb_open(&b, NULL);
	jb_bool(&b, "ok", 0);
	jb_string(&b, "error", message);
	jb_close(&b);
	if (!b.failed)
		fd_write_all(ANSWER_FD, b.data, b.len);
	jb_free(&b);
}

/* Describes a pending Java exception in one line and clears it. */
static void exception_text(JNIEnv *env, char *out, size_t size)
{
	jthrowable t = (*env)->ExceptionOccurred(env);

	(*env)->ExceptionClear(env);
	snprintf(out, size, "an unexpected Java exception (run with log_level=debug for details)");
	if (t == NULL)
		return;
	jclass object = (*env)->FindClass(env, "java/lang/Object");
	jmethodID to_string = object ? (*env)->GetMethodID(env, object, "toString", "()Ljava/lang/String;") : NULL;
	jstring text = to_string ? (*env)->CallObjectMethod(env, t, to_string) : NULL;
	if (text != NULL && !(*env)->ExceptionCheck(env)) {
		const char *chars = (*env)->GetStringUTFChars(env, text, NULL);
		if (chars != NULL) {
			snprintf(out, size, "the Java core failed: %s", chars);
			(*env)->ReleaseStringUTFChars(env, text, chars);
		}
	}
	(*env)->ExceptionClear(env);
}

static void *run_jvm(void *arg)
{
	struct job *job = arg;
	typedef jint (*create_fn)(JavaVM **, void **, void *);
	void *lib = dlopen(job->argv[1], RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL) {
		snprintf(job->error, sizeof(job->error), "cannot load the Java VM %s: %s (set libjvm= in plugstack.conf"
			 " or install a Java 17 runtime)", job->argv[1], dlerror());
		return NULL;
	}
	create_fn create = (create_fn)dlsym(lib, "JNI_CreateJavaVM");
	if (create == NULL) {
		snprintf(job->error, sizeof(job->error), "%s is not a Java VM library (no JNI_CreateJavaVM)", job->argv[1]);
		return NULL;
	}
	int count = job->argc - 2;
	JavaVMOption *options = calloc((size_t)count + 1, sizeof(JavaVMOption));
	if (options == NULL) {
		snprintf(job->error, sizeof(job->error), "out of memory");
		return NULL;
	}
	for (int i = 0; i < count; i++)
		options[i].optionString = job->argv[i + 2];
	JavaVMInitArgs init = {.version = JNI_VERSION_1_8, .nOptions = count, .options = options,
			       .ignoreUnrecognized = JNI_FALSE};
	JavaVM *vm;
	JNIEnv *env;
	jint rc = create(&vm, (void **)&env, &init);
	if (rc != JNI_OK) {
		snprintf(job->error, sizeof(job->error), "cannot create the Java VM from %s (JNI error %d; check the"
			 " java_options of the plugin)", job->argv[1], (int)rc);
		return NULL;
	}
	jclass cls = (*env)->FindClass(env, ENTRY_CLASS);
	jmethodID handle = cls ? (*env)->GetStaticMethodID(env, cls, "handle", "([B)[B") : NULL;
	if (handle == NULL) {
		exception_text(env, job->error, sizeof(job->error));
		strncat(job->error, " (is the class path the Slipway jar?)", sizeof(job->error) - strlen(job->error) - 1);
		return NULL;
	}
	jbyteArray request = (*env)->NewByteArray(env, (jsize)job->request_len);
	if (request == NULL) {
		exception_text(env, job->error, sizeof(job->error));
		return NULL;
	}
	(*env)->SetByteArrayRegion(env, request, 0, (jsize)job->request_len, (const jbyte *)job->request);
	jbyteArray answer = (*env)->CallStaticObjectMethod(env, cls, handle, request);
	if ((*env)->ExceptionCheck(env) || answer == NULL) {
		exception_text(env, job->error, sizeof(job->error));
		return NULL;
	}
	jsize len = (*env)->GetArrayLength(env, answer);
	job->answer = malloc((size_t)len + 1);
	if (job->answer == NULL) {
		snprintf(job->error, sizeof(job->error), "out of memory");
		return NULL;
	}
	(*env)->GetByteArrayRegion(env, answer, 0, len, (jbyte *)job->answer);
	job->answer_len = (size_t)len;
	return NULL;
}

int main(int argc, char **argv)
{
	struct job job = {.argc = argc, .argv = argv};
	pthread_attr_t attr;
	pthread_t thread;

	if (argc < 2) {
		fprintf(stderr, "usage: slipway-jvmhost LIBJVM [JVM-OPTION...] < request 3> answer\n");
		return 2;
	}
	if (fcntl(ANSWER_FD, F_GETFD) < 0) {
		fprintf(stderr, "slipway-jvmhost: fd %d (the answer) is not open\n", ANSWER_FD);
		return 2;
	}
	dup2(2, 1);
	job.request = fd_read_all(0, &job.request_len);
	if (job.request == NULL) {
		fail_answer("cannot read the request");
		return 1;
	}
	/*
	 * The JVM runs on a thread of its own with a known stack, as the java launcher does: HotSpot
	 * does not support the primordial thread well (its stack size and guard pages are unknown).
	 */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 8 << 20);
	if (pthread_create(&thread, &attr, run_jvm, &job) != 0) {
		fail_answer("cannot start the Java VM thread");
		return 1;
	}
	pthread_join(thread, NULL);
	if (job.answer == NULL) {
		fail_answer(job.error[0] ? job.error : "the Java core gave no answer");
		return 1;
	}
	if (fd_write_all(ANSWER_FD, job.answer, job.answer_len) < 0)
		return 1;
	/*
	 * Leave without DestroyJavaVM: it would wait for every non-daemon thread, and the answer is
	 * already out. The Java side finished its work (and cleanup) before returning it.
	 */
	fflush(stderr);
	_exit(0);
}

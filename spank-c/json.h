/*
 * The little JSON the plugin needs to talk to the Java core: a growing buffer to write one request
 * object, and a lookup of top-level members in the one-object answer. Not a general parser: the
 * answers come from our own Java code, and anything unexpected is reported as a damaged answer.
 */
#ifndef SLIPWAY_JSON_H
#define SLIPWAY_JSON_H

#include <stddef.h>

struct jbuf {
	char *data;
	size_t len, cap;
	int failed;	/* out of memory: the buffer is unusable */
	int need_comma;
};

void jb_init(struct jbuf *b);
void jb_free(struct jbuf *b);
void jb_open(struct jbuf *b, const char *key);	/* '{' as a member named key, or the root when NULL */
void jb_close(struct jbuf *b);
void jb_string(struct jbuf *b, const char *key, const char *value);	/* NULL value writes null */
void jb_number(struct jbuf *b, const char *key, long long value);
void jb_bool(struct jbuf *b, const char *key, int value);
/* Members NAME=VALUE of an environment array, as an object; entries without '=' are skipped. */
void jb_environ(struct jbuf *b, const char *key, char *const *env);
/* An array of strings. */
void jb_strings(struct jbuf *b, const char *key, char *const *values, int count);

/*
 * Finds the top-level member key of the object in json. Returns a malloc'ed, unescaped copy of a
 * string value (or the raw text of a number, true, false), NULL when absent, null or not a scalar.
 */
char *json_member(const char *json, const char *key);
/* Each string of the top-level array member key, in order, through fn; returns the count or -1. */
int json_each_string(const char *json, const char *key, void (*fn)(const char *value, void *arg), void *arg);

#endif

/*
 * Unit tests of spank-c/json.c, the plugin's request writer and answer reader. Built and run by
 * `make unit-test`; exits non-zero on the first failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../spank-c/json.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void check_member(const char *json, const char *key, const char *expected)
{
	char *value = json_member(json, key);
	if (expected == NULL) {
		CHECK(value == NULL);
	} else {
		CHECK(value != NULL && strcmp(value, expected) == 0);
		if (value != NULL && strcmp(value, expected) != 0)
			fprintf(stderr, "  %s: got [%s], expected [%s]\n", key, value, expected);
	}
	free(value);
}

static void collect(const char *value, void *arg)
{
	strcat((char *)arg, value);
	strcat((char *)arg, "|");
}

int main(void)
{
	struct jbuf b;
	char *env[] = {"A=1", "QUOTE=say \"hi\"\\now", "NL=line1\nline2", "NOEQUALS", "=bad", "EMPTY=", NULL};
	char *list[] = {"x", "y\"z"};

	jb_init(&b);
	jb_open(&b, NULL);
	jb_string(&b, "op", "start");
	jb_string(&b, "none", NULL);
	jb_number(&b, "n", -42);
	jb_bool(&b, "t", 1);
	jb_environ(&b, "env", env);
	jb_open(&b, "job");
	jb_number(&b, "job_id", 7);
	jb_close(&b);
	jb_strings(&b, "list", list, 2);
	jb_string(&b, "ctl", "\x01tab\there");
	jb_close(&b);
	CHECK(!b.failed);
	CHECK(strcmp(b.data, "{\"op\":\"start\",\"none\":null,\"n\":-42,\"t\":true,"
		  "\"env\":{\"A\":\"1\",\"QUOTE\":\"say \\\"hi\\\"\\\\now\",\"NL\":\"line1\\u000aline2\",\"EMPTY\":\"\"},"
		  "\"job\":{\"job_id\":7},\"list\":[\"x\",\"y\\\"z\"],\"ctl\":\"\\u0001tab\\u0009here\"}") == 0);

	/* What our own writer wrote, our reader reads back. */
	check_member(b.data, "op", "start");
	check_member(b.data, "none", NULL);
	check_member(b.data, "n", "-42");
	check_member(b.data, "t", "true");
	check_member(b.data, "env", NULL);
	check_member(b.data, "ctl", "\x01tab\there");
	check_member(b.data, "missing", NULL);
	char seen[256] = "";
	CHECK(json_each_string(b.data, "list", collect, seen) == 2);
	CHECK(strcmp(seen, "x|y\"z|") == 0);
	jb_free(&b);

	/* Answers as Jackson writes them: escapes, unicode, nesting before the member. */
	const char *answer = " { \"messages\" : [\"a\", \"b\\u00e9\\ud83d\\ude00\"], \"nested\": {\"ok\": false, \"x\": [1, {\"y\": \"}\"}]},"
			     " \"ok\" : true , \"error\": \"line 1\\nline 2\\t\\\"q\\\" \\/ \\\\\", \"pid\": 12345 } ";
	check_member(answer, "ok", "true");
	check_member(answer, "pid", "12345");
	check_member(answer, "error", "line 1\nline 2\t\"q\" / \\");
	check_member(answer, "nested", NULL);
	seen[0] = '\0';
	CHECK(json_each_string(answer, "messages", collect, seen) == 2);
	CHECK(strcmp(seen, "a|b\xc3\xa9\xf0\x9f\x98\x80|") == 0);

	/* Damaged input gives nothing, never a crash. */
	const char *damaged[] = {"", "[", "{", "{\"ok\"", "{\"ok\":", "{\"ok\":\"unterminated", "{\"a\":\"\\q\"}",
				 "{\"a\":[1,}", "not json", "{\"error\":\"\\u12\"}", NULL};
	for (int i = 0; damaged[i]; i++) {
		check_member(damaged[i], "ok", NULL);
		char *e = json_member(damaged[i], "error");
		CHECK(e == NULL);
		free(e);
		CHECK(json_each_string(damaged[i], "messages", collect, seen) == -1);
	}
	if (failures == 0)
		printf("json_test: all passed\n");
	return failures ? 1 : 0;
}

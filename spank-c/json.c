/* See json.h. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jb_init(struct jbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void jb_free(struct jbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void put(struct jbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *grown = realloc(b->data, cap);
		if (grown == NULL) {
			b->failed = 1;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_(struct jbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void quoted(struct jbuf *b, const char *s, size_t n)
{
	char esc[8];

	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(b, esc);
		} else {
			put(b, (const char *)&s[i], 1);
		}
	}
	put(b, "\"", 1);
}

static void key_(struct jbuf *b, const char *key)
{
	if (b->need_comma)
		put(b, ",", 1);
	b->need_comma = 1;
	if (key != NULL) {
		quoted(b, key, strlen(key));
		put(b, ":", 1);
	}
}

void jb_open(struct jbuf *b, const char *key)
{
	key_(b, key);
	put(b, "{", 1);
	b->need_comma = 0;
}

void jb_close(struct jbuf *b)
{
	put(b, "}", 1);
	b->need_comma = 1;
}

void jb_string(struct jbuf *b, const char *key, const char *value)
{
	key_(b, key);
	if (value == NULL)
		puts_(b, "null");
	else
		quoted(b, value, strlen(value));
}

void jb_number(struct jbuf *b, const char *key, long long value)
{
	char num[32];

	key_(b, key);
	snprintf(num, sizeof(num), "%lld", value);
	puts_(b, num);
}

void jb_bool(struct jbuf *b, const char *key, int value)
{
	key_(b, key);
	puts_(b, value ? "true" : "false");
}

void jb_environ(struct jbuf *b, const char *key, char *const *env)
{
	jb_open(b, key);
	for (; env != NULL && *env != NULL; env++) {
		const char *eq = strchr(*env, '=');
		if (eq == NULL || eq == *env)
			continue;
		put(b, b->need_comma ? "," : "", b->need_comma ? 1 : 0);
		b->need_comma = 1;
		quoted(b, *env, (size_t)(eq - *env));
		put(b, ":", 1);
		quoted(b, eq + 1, strlen(eq + 1));
	}
	jb_close(b);
}

void jb_strings(struct jbuf *b, const char *key, char *const *values, int count)
{
	key_(b, key);
	put(b, "[", 1);
	for (int i = 0; i < count; i++) {
		if (i > 0)
			put(b, ",", 1);
		quoted(b, values[i], strlen(values[i]));
	}
	put(b, "]", 1);
}

/* --- reading --- */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void utf8(char **out, unsigned cp)
{
	char *o = *out;
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	*out = o;
}

static int hex4(const char *p, unsigned *cp)
{
	*cp = 0;
	for (int i = 0; i < 4; i++) {
		int h = hex(p[i]);
		if (h < 0)
			return -1;
		*cp = *cp * 16 + (unsigned)h;
	}
	return 0;
}

/* Parses the string starting at the quote *p; returns the end (after the quote) or NULL. */
static const char *string_(const char *p, char **value)
{
	size_t cap = 64;
	char *buf = value ? malloc(cap) : NULL, *o = buf;

	if (*p++ != '"')
		goto bad;
	while (*p != '"') {
		if (*p == '\0')
			goto bad;
		if (value && (size_t)(o - buf) + 8 > cap) {
			size_t used = (size_t)(o - buf);
			char *grown = realloc(buf, cap *= 2);
			if (grown == NULL)
				goto bad;
			buf = grown;
			o = buf + used;
		}
		if (*p != '\\') {
			if (value)
				*o++ = *p;
			p++;
			continue;
		}
		p++;
		char c = *p++, plain = 0;
		unsigned cp;
		switch (c) {
		case '"': plain = '"'; break;
		case '\\': plain = '\\'; break;
		case '/': plain = '/'; break;
		case 'b': plain = '\b'; break;
		case 'f': plain = '\f'; break;
		case 'n': plain = '\n'; break;
		case 'r': plain = '\r'; break;
		case 't': plain = '\t'; break;
		case 'u':
			if (hex4(p, &cp) < 0)
				goto bad;
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && p[0] == '\\' && p[1] == 'u') {
				unsigned lo;
				if (hex4(p + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				}
			}
			if (value)
				utf8(&o, cp);
			continue;
		default:
			goto bad;
		}
		if (value)
			*o++ = plain;
	}
	if (value) {
		*o = '\0';
		*value = buf;
	}
	return p + 1;
bad:
	free(buf);
	return NULL;
}

/* Skips one value of any kind; returns the end or NULL. */
static const char *skip(const char *p)
{
	p = ws(p);
	if (*p == '"')
		return string_(p, NULL);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = string_(ws(p), NULL);
				if (p == NULL || *(p = ws(p)) != ':')
					return NULL;
				p++;
			}
			if ((p = skip(p)) == NULL)
				return NULL;
			p = ws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			return *p == close ? p + 1 : NULL;
		}
	}
	const char *start = p;
	while (*p && strchr(",}] \t\r\n", *p) == NULL)
		p++;
	return p > start ? p : NULL;
}

/* The start of the value of top-level member key, or NULL. */
static const char *find(const char *json, const char *key)
{
	const char *p = ws(json);

	if (*p++ != '{')
		return NULL;
	p = ws(p);
	if (*p == '}')
		return NULL;
	for (;;) {
		char *name = NULL;
		p = string_(ws(p), &name);
		if (p == NULL)
			return NULL;
		p = ws(p);
		if (*p != ':') {
			free(name);
			return NULL;
		}
		p = ws(p + 1);
		int match = strcmp(name, key) == 0;
		free(name);
		if (match)
			return p;
		if ((p = skip(p)) == NULL)
			return NULL;
		p = ws(p);
		if (*p != ',')
			return NULL;
		p++;
	}
}

char *json_member(const char *json, const char *key)
{
	const char *p = find(json, key);
	char *value = NULL;

	if (p == NULL || *p == '{' || *p == '[')
		return NULL;
	if (*p == '"')
		return string_(p, &value) ? value : NULL;
	const char *end = skip(p);
	if (end == NULL || strncmp(p, "null", 4) == 0)
		return NULL;
	return strndup(p, (size_t)(end - p));
}

int json_each_string(const char *json, const char *key, void (*fn)(const char *value, void *arg), void *arg)
{
	const char *p = find(json, key);
	int n = 0;

	if (p == NULL || *p != '[')
		return -1;
	p = ws(p + 1);
	if (*p == ']')
		return 0;
	for (;;) {
		char *value = NULL;
		if (*(p = ws(p)) != '"' || (p = string_(p, &value)) == NULL)
			return -1;
		fn(value, arg);
		free(value);
		n++;
		p = ws(p);
		if (*p == ']')
			return n;
		if (*p++ != ',')
			return -1;
	}
}

/*
 * json.h: the small JSON reader (src/json.c): a tree of values.
 */

#ifndef HINIT_JSON_H
#define HINIT_JSON_H

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct json {
	enum json_type	 type;
	char		*key;		/* a member of an object */
	char		*string;
	double		 number;
	int		 boolean;
	struct json	*child;		/* first element or member */
	struct json	*next;
};

/* An object, the whole of data; NULL if it is not one. */
struct json	*json_parse(const char *, size_t);
void		 json_free(struct json *);
struct json	*json_get(struct json *, const char *);	/* a member */
const char	*json_str(struct json *, const char *);	/* a string member */

#endif /* HINIT_JSON_H */

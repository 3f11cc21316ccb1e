/*
 * httpd.h: inside the HTTP endpoint (src/httpd.c): a request head as
 * src/httpd-parse.c reads it, and the listening sockets src/httpd-listen.c
 * opens. For the endpoint, its tests and its fuzz target.
 */

#ifndef HINIT_HTTPD_H
#define HINIT_HTTPD_H

#include "hinit.h"

#define HTTPD_HEAD_MAX		8192	/* request line and headers */
#define HTTPD_LISTEN_MAX	16	/* listening sockets */

enum httpd_route {
	HTTPD_NONE,
	HTTPD_READY,
	HTTPD_LIVE,
	HTTPD_METRICS
};

struct httpd_request {
	int		 error;		/* 0, or the status to answer */
	int		 head;		/* HEAD, not GET */
	int		 method_ok;	/* GET or HEAD */
	int		 keepalive;
	int		 http10;	/* HTTP/1.0 */
	int		 body;		/* the request has a body */
	u_int		 hosts;		/* Host header fields */
	enum httpd_route route;
	size_t		 used;		/* bytes of the request */
};

/* src/httpd-parse.c */
int		 httpd_parse(const char *, size_t, struct httpd_request *);

/* src/httpd-listen.c */
int		 httpd_listen_open(const char *, int *, u_int *, char **);
u_int		 httpd_listen_limit(u_int, u_int, u_int);

#endif /* HINIT_HTTPD_H */

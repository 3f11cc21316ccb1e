/*
 * http-multi.h: libcurl's multi-socket API on the default libev loop
 * (checks/http-multi.c), for the http check type (checks/http.c).
 */

#ifndef HINIT_HTTP_MULTI_H
#define HINIT_HTTP_MULTI_H

#include <curl/curl.h>

#include "hinit.h"

/* A transfer has ended: its easy handle and libcurl's result. */
typedef void	 http_multi_done_cb(CURL *, CURLcode);

struct http_sock;

/*
 * Every attempt of every http check of one list is an easy handle on one
 * multi handle. A multi handle of its own per attempt would cost 40 KiB
 * more per attempt under way (libcurl's socket, connection and DNS
 * tables), one per check 40 KiB and two descriptors per idle check. The
 * first http check configured makes it, each other finds it on an http
 * check of its list and takes a reference, and the last one released
 * frees it: no global.
 */
struct http_multi {
	CURLM			*multi;
	ev_timer		 timer;
	LIST_HEAD(, http_sock)	 socks;
	u_int			 references;	/* checks, and reports under way */
	http_multi_done_cb	*done;
};

/* A new one, one reference; NULL and cause if libcurl cannot. */
struct http_multi	*http_multi_new(http_multi_done_cb *, char **);
void			 http_multi_release(struct http_multi *);

#endif /* HINIT_HTTP_MULTI_H */

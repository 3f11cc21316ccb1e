/*
 * list.h: the lists hinit uses, for C libraries without <sys/queue.h>
 * (musl). The same names and meaning as the BSD macros glibc ships, and
 * only those hinit uses: LIST_* (a head pointer, unlinking in O(1)) and
 * TAILQ_* (inserting at the tail in O(1), walking both ways). hinit.h includes this file only
 * where configure found no <sys/queue.h>.
 *
 * An entry holds a pointer to the next entry and the address of the pointer
 * that points at it (the head's or the previous entry's), so removing needs
 * neither the head nor a walk; a tail queue's head also holds the address of
 * the last pointer, where the next entry goes.
 */

#ifndef HINIT_LIST_H
#define HINIT_LIST_H

#define LIST_HEAD(name, type)						\
	struct name {							\
		struct type	 *lh_first;				\
	}
#define LIST_ENTRY(type)						\
	struct {							\
		struct type	 *le_next;				\
		struct type	**le_prev;				\
	}

#define LIST_FIRST(head)	((head)->lh_first)
#define LIST_NEXT(elm, field)	((elm)->field.le_next)
#define LIST_INIT(head)		do { (head)->lh_first = NULL; } while (0)
#define LIST_FOREACH(var, head, field)					\
	for ((var) = LIST_FIRST(head); (var) != NULL;			\
	    (var) = LIST_NEXT(var, field))

#define LIST_INSERT_HEAD(head, elm, field) do {				\
	(elm)->field.le_next = (head)->lh_first;			\
	if ((elm)->field.le_next != NULL)				\
		(elm)->field.le_next->field.le_prev =			\
		    &(elm)->field.le_next;				\
	(head)->lh_first = (elm);					\
	(elm)->field.le_prev = &(head)->lh_first;			\
} while (0)

#define LIST_REMOVE(elm, field) do {					\
	if ((elm)->field.le_next != NULL)				\
		(elm)->field.le_next->field.le_prev =			\
		    (elm)->field.le_prev;				\
	*(elm)->field.le_prev = (elm)->field.le_next;			\
} while (0)

#define TAILQ_HEAD(name, type)						\
	struct name {							\
		struct type	 *tqh_first;				\
		struct type	**tqh_last;				\
	}
#define TAILQ_HEAD_INITIALIZER(head)	{ NULL, &(head).tqh_first }
#define TAILQ_ENTRY(type)						\
	struct {							\
		struct type	 *tqe_next;				\
		struct type	**tqe_prev;				\
	}

#define TAILQ_FIRST(head)	((head)->tqh_first)
#define TAILQ_NEXT(elm, field)	((elm)->field.tqe_next)
/* The pointer before elm is the previous entry's next, or the head's first. */
#define TAILQ_PREV(elm, headname, field)				\
	(*(((struct headname *)((elm)->field.tqe_prev))->tqh_last))
#define TAILQ_EMPTY(head)	((head)->tqh_first == NULL)
#define TAILQ_INIT(head) do {						\
	(head)->tqh_first = NULL;					\
	(head)->tqh_last = &(head)->tqh_first;				\
} while (0)
#define TAILQ_FOREACH(var, head, field)					\
	for ((var) = TAILQ_FIRST(head); (var) != NULL;			\
	    (var) = TAILQ_NEXT(var, field))

#define TAILQ_INSERT_TAIL(head, elm, field) do {			\
	(elm)->field.tqe_next = NULL;					\
	(elm)->field.tqe_prev = (head)->tqh_last;			\
	*(head)->tqh_last = (elm);					\
	(head)->tqh_last = &(elm)->field.tqe_next;			\
} while (0)

#define TAILQ_REMOVE(head, elm, field) do {				\
	if ((elm)->field.tqe_next != NULL)				\
		(elm)->field.tqe_next->field.tqe_prev =			\
		    (elm)->field.tqe_prev;				\
	else								\
		(head)->tqh_last = (elm)->field.tqe_prev;		\
	*(elm)->field.tqe_prev = (elm)->field.tqe_next;			\
} while (0)

#endif /* HINIT_LIST_H */

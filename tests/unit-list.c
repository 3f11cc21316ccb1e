/*
 * unit-list.c: src/list.h, the lists a build without <sys/queue.h> (musl)
 * uses, tested in every build: LIST_* and TAILQ_* keep their order and
 * their links through inserts and removals at the head, the tail and the
 * middle, down to empty and back.
 */

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "list.h"
#include "unit.h"

struct item {
	int			 n;
	LIST_ENTRY(item)	 lentry;
	TAILQ_ENTRY(item)	 tentry;
};
LIST_HEAD(item_list, item);
TAILQ_HEAD(item_queue, item);

/* The list's numbers as a string, "" when empty. */
static const char *
list_text(struct item_list *head)
{
	static char	 s[32];
	struct item	*it;
	size_t		 len = 0;

	s[0] = '\0';
	LIST_FOREACH(it, head, lentry)
		len += snprintf(s + len, sizeof s - len, "%d", it->n);
	return (s);
}

static const char *
queue_text(struct item_queue *head)
{
	static char	 s[32];
	struct item	*it;
	size_t		 len = 0;

	s[0] = '\0';
	TAILQ_FOREACH(it, head, tentry)
		len += snprintf(s + len, sizeof s - len, "%d", it->n);
	return (s);
}

static int
same(const char *a, const char *b)
{
	return (strcmp(a, b) == 0);
}

static void
test_list(void)
{
	struct item_list	 head;
	struct item		 it[4];
	int			 i;

	for (i = 0; i < 4; i++)
		it[i].n = i;
	LIST_INIT(&head);
	expect("a new list is empty", LIST_FIRST(&head) == NULL);
	for (i = 0; i < 4; i++)
		LIST_INSERT_HEAD(&head, &it[i], lentry);
	expect("inserted at the head: newest first",
	    same(list_text(&head), "3210"));
	LIST_REMOVE(&it[2], lentry);
	expect("removed from the middle", same(list_text(&head), "310"));
	LIST_REMOVE(&it[3], lentry);
	expect("removed the first", same(list_text(&head), "10"));
	expect("the head follows", LIST_FIRST(&head) == &it[1]);
	LIST_REMOVE(&it[0], lentry);
	expect("removed the last", same(list_text(&head), "1"));
	LIST_INSERT_HEAD(&head, &it[2], lentry);
	expect("inserted again", same(list_text(&head), "21"));
	LIST_REMOVE(&it[1], lentry);
	LIST_REMOVE(&it[2], lentry);
	expect("emptied", LIST_FIRST(&head) == NULL);
	LIST_INSERT_HEAD(&head, &it[0], lentry);
	expect("used again", same(list_text(&head), "0"));
}

static void
test_tailq(void)
{
	struct item_queue	 head = TAILQ_HEAD_INITIALIZER(head);
	struct item_queue	 other;
	struct item		 it[4];
	int			 i;

	for (i = 0; i < 4; i++)
		it[i].n = i;
	expect("an initialized queue is empty", TAILQ_EMPTY(&head));
	for (i = 0; i < 4; i++)
		TAILQ_INSERT_TAIL(&head, &it[i], tentry);
	expect("inserted at the tail: in order",
	    same(queue_text(&head), "0123"));
	expect("next", TAILQ_NEXT(&it[1], tentry) == &it[2]);
	expect("previous", TAILQ_PREV(&it[2], item_queue, tentry) == &it[1]);
	expect("none before the first",
	    TAILQ_PREV(&it[0], item_queue, tentry) == NULL);
	TAILQ_REMOVE(&head, &it[3], tentry);
	expect("removed the last", same(queue_text(&head), "012"));
	TAILQ_INSERT_TAIL(&head, &it[3], tentry);
	expect("the tail follows a removal of the last",
	    same(queue_text(&head), "0123"));
	TAILQ_REMOVE(&head, &it[1], tentry);
	expect("removed from the middle", same(queue_text(&head), "023"));
	TAILQ_REMOVE(&head, &it[0], tentry);
	expect("removed the first", same(queue_text(&head), "23"));
	expect("the first follows", TAILQ_FIRST(&head) == &it[2]);
	TAILQ_REMOVE(&head, &it[2], tentry);
	TAILQ_REMOVE(&head, &it[3], tentry);
	expect("emptied", TAILQ_EMPTY(&head));
	TAILQ_INSERT_TAIL(&head, &it[1], tentry);
	TAILQ_INSERT_TAIL(&head, &it[0], tentry);
	expect("used again after empty", same(queue_text(&head), "10"));

	TAILQ_INIT(&other);
	expect("TAILQ_INIT makes it empty", TAILQ_EMPTY(&other));
	TAILQ_INSERT_TAIL(&other, &it[2], tentry);
	expect("one entry", same(queue_text(&other), "2") &&
	    TAILQ_NEXT(&it[2], tentry) == NULL);
}

int
main(void)
{
	test_list();
	test_tailq();
	if (failures != 0)
		return (1);
	printf("ok: list.h\n");
	return (0);
}

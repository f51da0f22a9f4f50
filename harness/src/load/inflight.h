/* inflight: one client's counter messages that wait for their answer, and the ones given up on (timed out)
 * whose answers may still come. An answer to a message given up on is `late` (counted with its latency),
 * never a mismatch: every given-up message is remembered until its answer or the end of the run. Memory is
 * what the run sent that was never answered, at 24 bytes a message.
 *
 * A client sends ids in increasing order (the seed's counter continues from the answer's id; a fresh id
 * after a timeout or a bad answer is larger still), so both lists are in id order: the waiting one is a
 * queue whose oldest is almost always the one answered, the late one is searched by bisection. Pure data,
 * no I/O, no clock of its own. */
#ifndef SIOCRYPT_INFLIGHT_H
#define SIOCRYPT_INFLIGHT_H
#include <stddef.h>
#include <stdint.h>

typedef struct inflight_msg {
    int64_t id;
    int64_t intended_ns;    /* when it was meant to be sent: latency is measured from here */
    int answered;
} inflight_msg;

typedef struct inflight_list {
    inflight_msg *v;
    size_t head, len, cap;  /* v[head .. head+len) */
} inflight_list;

typedef struct inflight {
    inflight_list wait;     /* in send order; answered ones stay until the ones before them are settled */
    inflight_list late;     /* given up on, in id order */
    size_t waiting;         /* unanswered entries of wait */
} inflight;

typedef enum inflight_answer { INFLIGHT_UNKNOWN, INFLIGHT_WAITING, INFLIGHT_LATE } inflight_answer;

int    inflight_push(inflight *f, int64_t id, int64_t intended_ns);     /* -1 on ENOMEM */
/* Take the message id answers: WAITING or LATE (removed, *intended_ns set), or UNKNOWN. */
inflight_answer inflight_take(inflight *f, int64_t id, int64_t *intended_ns);
/* The oldest unanswered message: 1 and its fields, or 0 when none waits. */
int    inflight_oldest(const inflight *f, int64_t *id, int64_t *intended_ns);
/* Settle the oldest unanswered message (a bad answer is its outcome). */
void   inflight_settle_oldest(inflight *f);
/* Give up on the unanswered messages meant to be sent before cutoff_ns: they move to the late list.
 * Returns how many. -1 on ENOMEM (they are then settled without being remembered). */
long   inflight_expire(inflight *f, int64_t cutoff_ns);
/* Give up on every unanswered message without remembering it (the connection is going away). */
size_t inflight_clear(inflight *f);
static inline size_t inflight_waiting(const inflight *f) { return f->waiting; }
size_t inflight_late_pending(const inflight *f);   /* given up on and not answered */
void   inflight_free(inflight *f);

#endif

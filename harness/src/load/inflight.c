#include "load/inflight.h"
#include <stdlib.h>
#include <string.h>

static inflight_msg *list_front(inflight_list *l) { return &l->v[l->head]; }

static void list_pop(inflight_list *l)
{
    l->head++;
    if (--l->len == 0) l->head = 0;
}

/* Room for one more at the end: slide down when the front half is free (amortised O(1)), else grow. */
static int list_append(inflight_list *l, const inflight_msg *m)
{
    if (l->head + l->len == l->cap) {
        if (l->head && l->head >= l->cap / 2) {
            memmove(l->v, l->v + l->head, l->len * sizeof *l->v);
            l->head = 0;
        } else {
            size_t cap = l->cap ? 2 * l->cap : 4;
            if (cap > SIZE_MAX / sizeof *l->v) return -1;
            inflight_msg *v = realloc(l->v, cap * sizeof *v);
            if (!v) return -1;
            l->v = v;
            l->cap = cap;
        }
    }
    l->v[l->head + l->len++] = *m;
    return 0;
}

/* Drop answered entries from the front: what is left starts with one still unsettled. */
static void list_trim(inflight_list *l)
{
    while (l->len && list_front(l)->answered) list_pop(l);
}

int inflight_push(inflight *f, int64_t id, int64_t intended_ns)
{
    inflight_msg m = {id, intended_ns, 0};
    if (list_append(&f->wait, &m) < 0) return -1;
    f->waiting++;
    return 0;
}

/* The entry with this id in an id-ordered list, or NULL. */
static inflight_msg *list_find(inflight_list *l, int64_t id)
{
    size_t lo = l->head, hi = l->head + l->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < l->head + l->len && l->v[lo].id == id ? &l->v[lo] : NULL;
}

inflight_answer inflight_take(inflight *f, int64_t id, int64_t *intended_ns)
{
    inflight_msg *m = list_find(&f->wait, id);
    if (m && !m->answered) {
        m->answered = 1;
        f->waiting--;
        *intended_ns = m->intended_ns;
        list_trim(&f->wait);
        return INFLIGHT_WAITING;
    }
    m = list_find(&f->late, id);
    if (m && !m->answered) {
        m->answered = 1;
        *intended_ns = m->intended_ns;
        list_trim(&f->late);
        return INFLIGHT_LATE;
    }
    return INFLIGHT_UNKNOWN;
}

int inflight_oldest(const inflight *f, int64_t *id, int64_t *intended_ns)
{
    for (size_t k = 0; k < f->wait.len; k++) {
        const inflight_msg *m = &f->wait.v[f->wait.head + k];
        if (m->answered) continue;
        *id = m->id;
        *intended_ns = m->intended_ns;
        return 1;
    }
    return 0;
}

void inflight_settle_oldest(inflight *f)
{
    for (size_t k = 0; k < f->wait.len; k++) {
        inflight_msg *m = &f->wait.v[f->wait.head + k];
        if (m->answered) continue;
        m->answered = 1;
        f->waiting--;
        break;
    }
    list_trim(&f->wait);
}

long inflight_expire(inflight *f, int64_t cutoff_ns)
{
    long n = 0;
    int lost = 0;
    while (f->wait.len) {
        inflight_msg *m = list_front(&f->wait);
        if (!m->answered) {
            if (m->intended_ns >= cutoff_ns) break;
            m->answered = 1;   /* settled as given up; remembered below */
            f->waiting--;
            n++;
            if (list_append(&f->late, &(inflight_msg){m->id, m->intended_ns, 0}) < 0) lost = 1;
        }
        list_pop(&f->wait);
    }
    return lost ? -1 : n;
}

size_t inflight_clear(inflight *f)
{
    size_t n = f->waiting;
    f->wait.head = f->wait.len = 0;
    f->waiting = 0;
    return n;
}

size_t inflight_late_pending(const inflight *f)
{
    size_t n = 0;
    for (size_t k = 0; k < f->late.len; k++) n += !f->late.v[f->late.head + k].answered;
    return n;
}

void inflight_free(inflight *f)
{
    free(f->wait.v);
    free(f->late.v);
    memset(f, 0, sizeof *f);
}

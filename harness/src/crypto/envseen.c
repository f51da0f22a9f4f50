/* envseen: salt set and iv-field check over the envelopes a server sent (see envseen.h). */
#include "crypto/envseen.h"
#include "base/text.h"
#include <stdlib.h>
#include <string.h>
#include "base/jsonv.h"
#include "crypto/envelope.h"

envseen *envseen_new(size_t max_salts)
{
    envseen *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->max = max_salts ? max_salts : ENVSEEN_DEFAULT_MAX;
    return e;
}

void envseen_free(envseen *e)
{
    if (!e) return;
    free(e->slots);
    free(e);
}

static int hex16(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n != 16) return -1;
    for (size_t i = 0; i < 16; i++) {
        int h = text_hex_value((unsigned char)s[i]);
        if (h < 0) return -1;
        v = v << 4 | (uint64_t)h;
    }
    *out = v;
    return 0;
}

typedef struct { jsonv_span s; int has; } salt_pick;

static int pick_s(void *ud, const jsonv_span *key, const jsonv_span *val)
{
    salt_pick *m = ud;
    if (jsonv_string_is(key, "s")) { m->s = *val; m->has = 1; }
    return 0;
}

int envseen_salt_of(const char *env, size_t n, uint64_t *salt)
{
    /* g-crypt writes {"ct":"..","iv":"..","s":"<16 hex>"}: the salt sits 18 bytes before the end */
    static const char tail[] = ",\"s\":\"";
    if (n >= 24 && env[n - 1] == '}' && env[n - 2] == '"' && !memcmp(env + n - 24, tail, 6) &&
        hex16(env + n - 18, 16, salt) == 0)
        return 0;
    /* anything else is read as JSON.parse reads it, as the decrypt path does: the last "s" wins */
    salt_pick m = {{NULL, 0, JSONV_NULL}, 0};
    jsonv_type top;
    if (jsonv_parse(env, n, &top, pick_s, &m) < 0 || top != JSONV_OBJECT || !m.has || m.s.type != JSONV_STRING ||
        m.s.n > 16 * 6)                          /* sixteen \uXXXX escapes at the most */
        return -1;
    uint16_t u[16 * 6];
    char hex[16];
    size_t k = jsonv_string_units(&m.s, u);
    if (k != 16) return -1;
    for (size_t i = 0; i < 16; i++) {
        if (u[i] > 0x7f) return -1;
        hex[i] = (char)u[i];
    }
    return hex16(hex, 16, salt);
}

static size_t slot_of(uint64_t v, size_t cap)
{
    v ^= v >> 33;                      /* salts are random already; mix anyway against patterned ones */
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    return (size_t)v & (cap - 1);
}

static int grow(envseen *e)
{
    size_t ncap = e->cap ? e->cap * 2 : 1024;
    uint64_t *ns = calloc(ncap, sizeof *ns);
    if (!ns) return -1;
    for (size_t i = 0; i < e->cap; i++) {
        if (!e->slots[i]) continue;
        size_t k = slot_of(e->slots[i], ncap);
        while (ns[k]) k = (k + 1) & (ncap - 1);
        ns[k] = e->slots[i];
    }
    free(e->slots);
    e->slots = ns;
    e->cap = ncap;
    return 0;
}

/* 1 when v was there already, 0 when added, -1 when it could not be checked (full, ENOMEM). */
static int insert(envseen *e, uint64_t v)
{
    if (v == 0) {
        int had = e->has_zero;
        e->has_zero = 1;
        return had;
    }
    if (e->cap) {
        size_t k = slot_of(v, e->cap);
        for (; e->slots[k]; k = (k + 1) & (e->cap - 1))
            if (e->slots[k] == v) return 1;
    }
    if (e->used >= e->max) return -1;
    if ((e->used + 1) * 2 > e->cap && grow(e) < 0) return -1;   /* load factor at most 1/2 */
    size_t k = slot_of(v, e->cap);
    while (e->slots[k]) k = (k + 1) & (e->cap - 1);
    e->slots[k] = v;
    e->used++;
    return 0;
}

static void note_salt(envseen *e, uint64_t salt)
{
    int r = insert(e, salt);
    if (r < 0) { e->unchecked++; return; }
    if (r == 1 && e->repeats++ == 0) e->first_repeat = salt;
}

void envseen_add(envseen *e, const char *env, size_t n, unsigned warnings)
{
    uint64_t salt;
    e->envelopes++;
    if (warnings & ENVELOPE_WARN_IV_MISMATCH) {
        /* the server wrote this text: keep it clean, cut on a character boundary */
        if (e->iv_mismatch++ == 0) text_clean_to(e->iv_example, sizeof e->iv_example, env, n, TEXT_MARK_CUT);
    }
    if (envseen_salt_of(env, n, &salt) < 0) { e->unchecked++; return; }
    note_salt(e, salt);
}

int envseen_merge(envseen *dst, const envseen *src)
{
    dst->envelopes += src->envelopes;
    dst->unchecked += src->unchecked;
    if (src->repeats && !dst->repeats) dst->first_repeat = src->first_repeat;
    dst->repeats += src->repeats;
    if (src->iv_mismatch && !dst->iv_mismatch) memcpy(dst->iv_example, src->iv_example, sizeof dst->iv_example);
    dst->iv_mismatch += src->iv_mismatch;
    if (src->has_zero) note_salt(dst, 0);
    for (size_t i = 0; i < src->cap; i++)
        if (src->slots[i]) note_salt(dst, src->slots[i]);
    return 0;
}

/* flowtmpl: the flow's values at run time: templates rendered into JSON text for one client, captured
 * variables, partial matching ("expect") and captures out of received values.
 *
 * Templates, inside any JSON string of a flow value: {{client}} (the client's global index), {{client % K}},
 * {{seq}} (the iteration of the innermost repeat, from 0), {{now_us}} (CLOCK_MONOTONIC in microseconds:
 * exact between clients of one process), {{unix_us}} (wall clock in microseconds: for several machines),
 * {{random}} (a 64-bit unsigned integer), {{uuid}} (a random RFC 4122 version 4 UUID), {{payload N}} (N bytes
 * of filler, N <= FLOWTMPL_MAX_PAYLOAD), {{var}} (a captured variable). Spaces inside the braces are allowed.
 * A string that is exactly one template yields that value's JSON type: "{{now_us}}" renders as a number,
 * "{{members}}" as whatever JSON value was captured; inside longer text values are spliced as text (a
 * captured string without its quotes, any other captured value as its JSON text). Rendering always yields
 * valid JSON (strings escaped as JSON.stringify does; a byte that is not UTF-8 becomes \ufffd, as Node
 * decodes it). Object keys are written as they are, never templates; text without "{{" is copied as is.
 * "{{" without a closing "}}" is an error; there is no escape for a literal "{{". Bounded: a rendered
 * value is at most FLOWTMPL_MAX_RENDER bytes, else an error. {{payload N}} is N URL-safe base64 characters
 * drawn from the client's generator (printable, and not squeezed to nothing by permessage-deflate). */
#ifndef SIOCRYPT_FLOWTMPL_H
#define SIOCRYPT_FLOWTMPL_H
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "base/buf.h"
#include "load/flowspec.h"

#define FLOWTMPL_MAX_PAYLOAD  (1 << 20)
#define FLOWTMPL_MAX_RENDER   (4 << 20)
#define FLOWTMPL_MAX_VAR      (64 << 10)   /* a captured value's JSON text, at most */

/* One client's captured variables: JSON text per variable of the spec (flow_spec.vars), unset until captured. */
typedef struct flowtmpl_vars {
    buf val[FLOWSPEC_MAX_VARS];
    unsigned char set[FLOWSPEC_MAX_VARS];
} flowtmpl_vars;

/* What a rendering needs to know about the client. */
typedef struct flowtmpl_env {
    const flow_spec *spec;                 /* for variable names */
    int client;
    int64_t seq;
    uint64_t *rng;                         /* the client's generator state (xorshift64*; never 0) */
    const flowtmpl_vars *vars;
} flowtmpl_env;

/* Check the templates of one string at parse time: 0, or -1 with "problem" in err ("unknown template
 * '{{x}}'", "{{payload N}}: N must be in [0, 1048576]", "unclosed '{{'"). Variables are looked up in spec
 * (names captured so far; spec->nvars of them). */
int flowtmpl_check(const flow_spec *spec, const char *s, size_t n, buf *err);
/* The same for a string that must render to an integer (deliveries.count): exactly one template, not
 * {{uuid}} or {{payload N}} ("{{members}}", "{{client % 3}}"). */
int flowtmpl_check_int(const flow_spec *spec, const char *s, size_t n, buf *err);
/* The bytes the {{payload N}} templates of a checked string add up to (flowspec refuses an argument whose
 * payloads alone pass FLOWTMPL_MAX_RENDER: it could never be sent). */
uint64_t flowtmpl_payload_bytes(const flow_spec *spec, const char *s, size_t n);
/* 1 if t names a JSON type for {"$type": t}: number string boolean object array null. */
int flowtmpl_type_name_ok(const char *t);

/* Append value v rendered as JSON text. -1 with err on a problem ("variable 'x' not captured yet", "the
 * rendered value is over 4194304 bytes"); out is then as it was. */
int flowtmpl_render(const flowtmpl_env *e, const cJSON *v, buf *out, buf *err);
/* A value that must give an integer (deliveries.count): a number, or a template rendering to a JSON number;
 * an integer in [0, 2^53]. 0, or -1 with err ("not an integer: \"ten\""). */
int flowtmpl_render_int(const flowtmpl_env *e, const cJSON *v, int64_t *out, buf *err);

void flowtmpl_vars_init(flowtmpl_vars *vs);
void flowtmpl_vars_free(flowtmpl_vars *vs);
/* Store the JSON text of v under variable index i (past FLOWTMPL_MAX_VAR or i out of range: -1, and the old
 * value stays). The text is written raw: a captured string holding "{{x}}" is data, never rendered. */
int  flowtmpl_vars_set(flowtmpl_vars *vs, int i, const cJSON *v);

/* The item at a dotted path ("a.b.0.c": numbers index arrays; in an object every segment is a key), or
 * NULL. "" is v itself. Of duplicate keys the last one counts, as in JSON.parse. */
const cJSON *flowtmpl_path(const cJSON *v, const char *path);

/* Partial match: every field of expect must be equal in got (after rendering expect's templates for e); other
 * fields are ignored; {"$exists": true|false} and {"$type": "number"|"string"|"boolean"|"object"|"array"|"null"}
 * as values test presence and type (an object is an operator only when that is its one member); arrays
 * match element by element (same length); numbers compare as doubles. A string of expect with templates is
 * rendered for e and compared as the value it gives ("{{client}}" matches the number 13, not "13"); the
 * values of variables are compared as they are. got NULL: nothing was received (only {"$exists": false}
 * matches). 1: match (detail empty); 0: no match, with "path: want X, got Y" in detail, the first
 * difference only: "room: want \"r3\", got \"r4\"", "a.b.1: want 2, got (missing)", "n: want a value of
 * type number, got \"4\"", "id: want (present), got (missing)", "(root): want an object, got [1]" (values
 * cut to 60 bytes with "...", clean text); -1: a rendering problem ("m: variable 'm' not captured yet"). */
int flowtmpl_match(const flowtmpl_env *e, const cJSON *expect, const cJSON *got, buf *detail);

/* Apply captures to got: each capture's path into vs. Returns 0, or -1 with "capture 'x': no 'a.b' in the
 * value" in detail (a missing path is a mismatch). */
int flowtmpl_capture(flowtmpl_vars *vs, const flowspec_capture *caps, int ncaps, const cJSON *got, buf *detail);

#endif

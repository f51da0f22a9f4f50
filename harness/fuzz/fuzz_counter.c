/* fuzz_counter: an answer's plaintext as the counter reads its id (jsonv_object_int, g-crypt's JSON.parse).
 * Properties:
 *   - a text JSON.parse refuses (jsonv) is NOT_JSON, and NOT_JSON only for such texts or non-objects;
 *   - an accepted id is an integer within +-2^53, and `{"id":<it>}` reads back as the same id;
 *   - appending a later duplicate key `,"id":7}` to an accepted object makes the id 7 (the last one wins). */
#include <string.h>
#include "fuzz.h"
#include "base/jsonv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int64_t id = 0, again = 0;
    jsonv_type top;
    int valid = jsonv_parse(s, size, &top, NULL, NULL) == 0;
    jsonv_int_err e = jsonv_object_int(s, size, "id", &id);
    FUZZ_ASSERT(e >= JSONV_INT_OK && e <= JSONV_INT_RANGE);
    FUZZ_ASSERT((e == JSONV_INT_NOT_JSON) == !(valid && top == JSONV_OBJECT));
    if (e != JSONV_INT_OK) return 0;
    FUZZ_ASSERT(id >= -9007199254740992LL && id <= 9007199254740992LL);
    char text[48];
    int n = snprintf(text, sizeof text, "{\"id\":%lld}", (long long)id);
    FUZZ_ASSERT(jsonv_object_int(text, (size_t)n, "id", &again) == JSONV_INT_OK && again == id);
    /* the object's last byte is its closing brace (after optional whitespace): put a later "id" before it */
    size_t end = size;
    while (end && strchr(" \t\r\n", s[end - 1])) end--;
    if (end < 2 || s[end - 1] != '}' || size > 4096) return 0;
    char dup[4096 + 16];
    memcpy(dup, s, end - 1);   /* it has an "id" member, so a comma may follow the last one */
    size_t k = end - 1;
    k += (size_t)snprintf(dup + k, sizeof dup - k, ",\"id\":7}");
    FUZZ_ASSERT(jsonv_object_int(dup, k, "id", &again) == JSONV_INT_OK && again == 7);
    return 0;
}

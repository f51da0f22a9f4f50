/* fuzz.h: shared by the libFuzzer targets (harness/fuzz/fuzz_*.c). A broken property aborts, which
 * libFuzzer reports as a crash and saves the input, exactly like a sanitizer finding. */
#ifndef SIOCRYPT_FUZZ_H
#define SIOCRYPT_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond); \
        abort(); \
    } } while (0)

#endif

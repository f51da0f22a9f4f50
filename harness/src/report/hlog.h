/* hlog: HdrHistogram's interval log format (histogram log format version 1.3) and its V2 compressed
 * histogram encoding, written from our own counts. Pure: bytes in, bytes out (zlib for the deflate).
 *
 * V2 encoding (all integers big-endian):
 *   int32 cookie 0x1c849313 (the V2 cookie 0x1c849303 with the 0x10 word-size flag, as the reference writes)
 *   int32 payload length in bytes, int32 normalizingIndexOffset (0), int32 numberOfSignificantValueDigits,
 *   int64 lowestTrackableValue, int64 highestTrackableValue, float64 integerToDoubleConversionRatio (1.0),
 *   then the counts from index 0 to the last non-zero one as ZigZag LEB128 (at most 9 bytes; the 9th byte
 *   carries 8 bits), a run of two or more zero counts written as the negated run length.
 * Compressed: int32 cookie 0x1c849314, int32 length of what follows, then zlib (deflate with zlib's header
 * and checksum, what java.util.zip.Inflater reads) of the whole V2 encoding. A log line carries it as base64.
 *
 * Counts are in HdrHistogram's index order, which is hist.h's layout with unit 1: index i of a hist with
 * sub_bits B is counts index i of an HdrHistogram whose subBucketHalfCountMagnitude is B. */
#ifndef SIOCRYPT_HLOG_H
#define SIOCRYPT_HLOG_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

#define HLOG_V2_COOKIE            0x1c849313u
#define HLOG_V2_COMPRESSED_COOKIE 0x1c849314u
#define HLOG_V2_HEADER_BYTES      40
#define HLOG_ZIGZAG_MAX           9

typedef struct hlog_layout {
    int sig_digits;              /* numberOfSignificantValueDigits, 0..5 */
    int64_t lowest, highest;     /* lowestTrackableValue (1 here: unit magnitude 0), highestTrackableValue */
} hlog_layout;

/* The significant digits whose HdrHistogram has 2^sub_bits sub-buckets per half octave, or -1 when none
 * does (4 -> 1, 7 -> 2, 10 -> 3). */
int    hlog_digits_for_sub_bits(int sub_bits);

size_t hlog_zigzag_put(uint8_t out[HLOG_ZIGZAG_MAX], int64_t v);   /* bytes written, 1..9 */

/* Append the V2 encoding of counts[0..n) (trailing zeros are dropped; an empty histogram encodes one 0). */
int    hlog_encode_v2(buf *out, const hlog_layout *l, const uint64_t *counts, size_t n);
/* Append base64(compressed V2 encoding): the Interval_Compressed_Histogram field. 0, -1 on ENOMEM or a
 * zlib failure. */
int    hlog_encode_b64(buf *out, const hlog_layout *l, const uint64_t *counts, size_t n);

/* The log's header: a "Logged with" comment (what the values are and Interval_Max's unit), the format
 * version, StartTime and BaseTime (both start_s, seconds since the epoch) and the legend line. */
int    hlog_header(buf *out, const char *comment, double start_s);
/* One interval line: start (seconds after BaseTime), length (s), max (in the unit the comment says), b64. */
int    hlog_interval(buf *out, double start_s, double length_s, double max, const char *b64);

#endif

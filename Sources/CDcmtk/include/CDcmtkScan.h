/*
 * CDcmtkScan: a bounded, non-recursive walk over DICOM bytes, run before
 * DCMTK parses them.
 *
 * DCMTK's parser recurses once per sequence and item level, and trusts each
 * length field when it allocates. A file (or a C-STORE) nesting sequences a
 * few thousand levels deep overflows the stack; a length of 4 GiB in a small
 * file asks for 4 GiB. This scan walks the same bytes with an explicit stack
 * of open containers and stops with a one-line error when:
 *   - sequences and items nest deeper than `max_depth` levels
 *     (one level = one sequence plus one of its items), or
 *   - a value, item or sequence claims more bytes than the data holds.
 * It does not judge anything else (VRs, values, order): DCMTK does that.
 * It needs no dictionary: a defined-length value is entered as a sequence
 * when it is SQ (explicit VR) or when its first bytes are an item tag
 * (implicit VR, UN); if such a guess turns out not to be a sequence, the
 * value is skipped as bytes. Plain C, no DCMTK types, no allocation per
 * element; the state is one array of at most `max_depth * 2 + 2` frames.
 */
#ifndef CDCMTK_SCAN_H
#define CDCMTK_SCAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Nesting bodypart accepts by default: real objects (SR trees included) stay
 *  far below it; DCMTK's recursion is safe far above it, even on 512 KiB
 *  worker-thread stacks. */
#define BP_SCAN_DEFAULT_MAX_DEPTH 128

/** Flags for the scan functions. */
enum {
    BP_SCAN_STOP_AT_PIXELS = 1 /**< stop at top-level Pixel Data (7FE0,0010), as header reads do */
};

/** Encodings of a bare dataset (bp_scan_buffer). */
enum {
    BP_SCAN_EXPLICIT_LE = 0,
    BP_SCAN_IMPLICIT_LE = 1,
    BP_SCAN_EXPLICIT_BE = 2,
    BP_SCAN_DEFLATED_LE = 3 /**< explicit little endian, deflated (RFC 1951) */
};

/** The outcome of a scan. `status` is BP_OK or a BP_E_* code of CDcmtk.h
 *  (BP_E_MALFORMED for depth, BP_E_TRUNCATED for lengths past the end,
 *  BP_E_IO when the file cannot be read); `message` is one line. */
typedef struct {
    int status;
    uint32_t deepest;   /**< deepest nesting seen (levels) */
    uint64_t offset;    /**< byte offset of the element that stopped the scan */
    char message[200];
} bp_scan_result;

/** Scans a file: Part 10 (meta header, then the dataset in its transfer
 *  syntax) or a bare dataset (encoding guessed from its first element, as
 *  DCMTK does). Returns result->status. */
int bp_scan_file(const char *path, int flags, uint32_t max_depth, bp_scan_result *result);

/** Scans a bare dataset in memory in `encoding` (BP_SCAN_*). */
int bp_scan_buffer(const void *bytes, size_t length, int encoding, int flags, uint32_t max_depth,
                   bp_scan_result *result);

/** The encoding of a transfer syntax UID for bp_scan_buffer. */
int bp_scan_encoding(const char *transfer_syntax_uid);

#ifdef __cplusplus
}
#endif
#endif

/*
 * CDcmtkScan: a structure scan of a DICOM file that parses nothing into
 * memory and never recurses, run before DCMTK is allowed to parse a file
 * that came from outside (the proxy's received datasets).
 *
 * DCMTK's parser recurses once per sequence level: a dataset nested a few
 * thousand levels deep overflows the thread's stack (SIGSEGV). It also
 * trusts the lengths it reads. This scan walks the element headers only
 * (values are skipped), keeps its own stack of open sequences and items,
 * and reports the first of: nesting deeper than a limit, a value or item
 * that runs past the end of the file (a truncated dataset) or past the
 * sequence or item that holds it.
 *
 * Self-contained (no DCMTK), plain C API, status codes as in CDcmtk.h.
 */
#ifndef CDCMTK_SCAN_H
#define CDCMTK_SCAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What the scan found. */
enum {
    BP_SCAN_OK = 0,         /**< every element fits in the file, nesting within the limit */
    BP_SCAN_TRUNCATED = 1,  /**< the file ends inside an element, item or sequence */
    BP_SCAN_TOO_DEEP = 2,   /**< sequences nested deeper than the limit */
    BP_SCAN_MALFORMED = 3,  /**< a value or item runs past the sequence/item holding it, or an impossible header */
    BP_SCAN_UNSCANNED = 4   /**< not scanned: Deflated Explicit VR Little Endian (the bytes are compressed) */
};

typedef struct {
    int verdict;          /**< BP_SCAN_* */
    uint32_t max_depth;   /**< deepest sequence nesting met (0: no sequence) */
    uint64_t elements;    /**< element headers read */
    uint64_t offset;      /**< file offset of the element at fault (verdict != OK) */
    uint16_t group;       /**< its tag */
    uint16_t element;
    char detail[200];     /**< one line saying what is wrong ("" when OK) */
} bp_scan_result;

/** Scans the Part 10 file (or bare dataset) at `path`: the meta header's
 *  transfer syntax decides the encoding of the rest. Sequences deeper than
 *  `depth_limit` stop the scan with BP_SCAN_TOO_DEEP. Returns BP_OK with
 *  `*result` filled, or BP_E_IO when the file cannot be read. */
int bp_scan_file(const char *path, uint32_t depth_limit, bp_scan_result *result);

#ifdef __cplusplus
}
#endif
#endif

/*
 * CDcmtk: the plain C face of bodypart's DCMTK shim.
 *
 * Swift imports only this header. Every DCMTK type stays behind opaque
 * handles; every function is prefixed `bp_`. Functions that can fail return
 * a status (0 = success, otherwise a BP_E_* code) and leave a one-line text in
 * a thread-local buffer that `bp_last_error()` returns. Strings handed out are
 * malloc'ed and must be released with `bp_free()`.
 */
#ifndef CDCMTK_H
#define CDCMTK_H

#include <stddef.h>
#include <stdint.h>
#include "CDcmtkNet.h"

#include "CDcmtkPixels.h"
#include "CDcmtkScan.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes. */
enum {
    BP_OK = 0,
    BP_E_NOT_DICOM = 1,     /**< the file is not DICOM (no preamble/magic, no plausible dataset) */
    BP_E_TRUNCATED = 2,     /**< the data ends before an element or item is complete */
    BP_E_MALFORMED = 3,     /**< invalid structure: wrong VR, length, nesting */
    BP_E_IO = 4,            /**< the file cannot be opened, read or written */
    BP_E_UNSUPPORTED = 5,   /**< unknown transfer syntax or codec */
    BP_E_INVALID = 6,       /**< invalid argument (tag, VR, value) */
    BP_E_NOT_FOUND = 7,     /**< element absent */
    BP_E_FULL = 8,          /**< no free private block */
    BP_E_INTERNAL = 9
};

/** Read modes for bp_open. */
enum {
    BP_READ_HEADER = 1,     /**< stop before Pixel Data (7FE0,0010); large values stay on disk */
    BP_READ_FULL = 2,       /**< everything, loaded into memory (needed to write) */
    BP_READ_UTF8 = 4,       /**< convert string values to UTF-8 per Specific Character Set */
    BP_READ_LAZY = 8        /**< with BP_READ_FULL: parse everything, but values above 4 KiB (Pixel Data)
                                 stay on disk and are read from the file when written: the file must
                                 not change until the object is saved or closed */
};

/** What bp_charset_kind says of an object's Specific Character Set. */
enum {
    BP_CHARSET_UTF8 = 0,    /**< none, ASCII or UTF-8: text needs no conversion */
    BP_CHARSET_LATIN1 = 1,  /**< exactly ISO_IR 100: SH/LO/ST/LT/UT/PN/UC values are Latin-1 */
    BP_CHARSET_OTHER = 2    /**< anything else: only BP_READ_UTF8 (DCMTK's converter) reads it right */
};

typedef struct bp_object bp_object; /**< a DICOM file: meta header + dataset */
typedef struct bp_item bp_item;     /**< a dataset or sequence item, borrowed from its object */
typedef struct bp_element bp_element; /**< one element of an item, borrowed from its object */

/** Facts about one element of an item. */
typedef struct {
    uint16_t group;
    uint16_t element;
    char vr[4];                  /**< two letters and NUL */
    uint32_t length;             /**< value length in bytes as stored (0xFFFFFFFF undefined) */
    int32_t item_count;          /**< number of items if a sequence, else -1 */
    int32_t is_binary;           /**< 1 for OB/OW/OF/OD/OL/OV/UN and pixel data */
} bp_element_info;

/** One-time set-up: quiet DCMTK's logger, check the data dictionary is
 *  loaded, and load an extra dictionary file (private tags) if given.
 *  Safe to call more than once. */
int bp_init(const char *extra_dictionary_path);

/** The last error text of this thread (never NULL). */
const char *bp_last_error(void);

/** Release a string returned by the shim. */
void bp_free(void *p);

/** Open and parse a file. On failure returns NULL and sets *status. */
bp_object *bp_open(const char *path, int mode, int *status);

/** Parse an in-memory dataset (no meta header) in the given transfer syntax. */
bp_object *bp_open_buffer(const void *bytes, size_t length, const char *transfer_syntax_uid, int *status);

void bp_close(bp_object *obj);

/** The kind of Specific Character Set (0008,0005) of the object's dataset (BP_CHARSET_...). */
int bp_charset_kind(bp_object *obj);

/** The file meta information header (may be empty for raw datasets). */
bp_item *bp_meta(bp_object *obj);
/** The dataset. */
bp_item *bp_dataset(bp_object *obj);
/** UID of the transfer syntax the dataset was read in (malloc'ed). */
char *bp_transfer_syntax(bp_object *obj);
/** 1 when the file had a Part 10 meta header. */
int bp_has_meta(bp_object *obj);
/** 1 when string values were converted to UTF-8; 0 when left as stored;
 *  -1 when conversion was asked for and failed (values left as stored). */
int bp_utf8_state(bp_object *obj);

/** The elements of an item in tag order, without index seeks: fills up to
 *  `capacity` handles into `out` and returns the number of elements. */
size_t bp_item_elements(bp_item *item, bp_element **out, size_t capacity);
/** Facts of an element. */
int bp_element_get_info(bp_element *element, bp_element_info *info);
/** Value of an element as text (see bp_item_element_string). */
char *bp_element_string(bp_element *element, int *status);
/** Item `item_index` of a sequence element (NULL if not a sequence). */
bp_item *bp_element_sequence_item(bp_element *element, size_t item_index);

/** Number of elements directly in an item. */
size_t bp_item_count(bp_item *item);
/** Facts of the element at `index`. */
int bp_item_element(bp_item *item, size_t index, bp_element_info *info);
/** Value of element `index` as text (multiple values joined with '\').
 *  Binary values are not read: returns NULL with status BP_E_INVALID.
 *  An element stored as UN whose tag the dictionary knows as a text VR
 *  (a common fault of converters) is returned as its text. */
char *bp_item_element_string(bp_item *item, size_t index, int *status);
/** Item `item_index` of the sequence at element `index`. */
bp_item *bp_item_sequence_item(bp_item *item, size_t index, size_t item_index);
/** Dictionary keyword of a tag ("" if unknown); `private_creator` may be NULL. */
char *bp_tag_keyword(uint16_t group, uint16_t element, const char *private_creator);
/** Value of the element with this tag in `item` as text, or NULL. */
char *bp_item_find_string(bp_item *item, uint16_t group, uint16_t element);

/** The bytes of Pixel Data as stored, for comparison: native data as is;
 *  encapsulated data as each fragment's 4-byte length then its bytes
 *  (offset table included). NULL with *length 0 when there is none. */
void *bp_pixel_data_bytes(bp_object *obj, size_t *length);

/* ---- editing (objects opened with BP_READ_FULL) ---- */

/** Set (insert or replace) an element with an explicit VR. `private_creator`
 *  names the creator for private tags (NULL for standard tags). */
int bp_item_put_string(bp_item *item, uint16_t group, uint16_t element, const char *vr,
                       const char *value, const char *private_creator);
/** Insert an empty element with the dictionary VR (an empty sequence for
 *  SQ), replacing any present one. */
int bp_item_put_empty(bp_item *item, uint16_t group, uint16_t element);
/** Remove an element (no error if absent). */
int bp_item_delete(bp_item *item, uint16_t group, uint16_t element);
/** Append a new empty item to the sequence (created if absent). */
bp_item *bp_item_append_sequence_item(bp_item *item, uint16_t group, uint16_t element, int *status);
/** Copy element (group,element) of `source` into `destination`, replacing. */
int bp_item_copy_element(bp_item *source, uint16_t group, uint16_t element, bp_item *destination);
/** Remove item `index` of the sequence (group,element); the sequence
 *  itself is removed when no item is left. */
int bp_item_remove_sequence_item(bp_item *item, uint16_t group, uint16_t element, size_t index);
/** Remove the private block of `creator` in `group` (creator element and
 *  every element of its block). No error when absent. */
int bp_item_remove_private_block(bp_item *item, uint16_t group, const char *creator);
/** Reserve a private block for `creator` in odd `group` per PS3.5 7.8.1:
 *  the block already holding this creator, else the first free one.
 *  Returns the block number (0x10..0xFF) or -1 (see bp_last_error). */
int bp_item_reserve_private_block(bp_item *item, uint16_t group, const char *creator);

/** Write the object to `path` in its original transfer syntax. Sequences
 *  and items are written with undefined length. `with_meta`: 1 to write a
 *  Part 10 file, 0 to write a bare dataset. Does not sync. */
int bp_save(bp_object *obj, const char *path, int with_meta);

/** Flush every file of the file system holding `fd` to stable storage
 *  (Linux syncfs; fsync of `fd` elsewhere). */
int bp_syncfs(int fd);

#ifdef __cplusplus
}
#endif
#endif

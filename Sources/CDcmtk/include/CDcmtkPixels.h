/*
 * CDcmtk pixels: decoded frame values for the pixel check.
 *
 * Part of the CDcmtk C API (same conventions: `bp_` prefix, status codes,
 * thread-local last error, malloc'ed results released with bp_free). Values
 * are the stored pixel values as numbers, signed or unsigned per Pixel
 * Representation and Bits Stored; no Modality LUT, rescale or windowing is
 * applied. Compressed transfer syntaxes are decoded with DCMTK's codecs
 * (JPEG, JPEG-LS, RLE) and, where DCMTK has none (JPEG 2000), with GDCM.
 */
#ifndef CDCMTK_PIXELS_H
#define CDCMTK_PIXELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Which library decoded the pixels. */
enum {
    BP_DECODER_NATIVE = 0,  /**< uncompressed, read as stored */
    BP_DECODER_DCMTK = 1,   /**< a DCMTK codec (JPEG, JPEG-LS, RLE) */
    BP_DECODER_GDCM = 2     /**< GDCM (JPEG 2000, and what DCMTK cannot decode) */
};

/** The shape of decoded pixels. */
typedef struct {
    uint32_t rows;
    uint32_t columns;
    uint32_t frames;
    uint32_t samples_per_pixel;   /**< 1 for CT; values are interleaved when more */
    uint16_t bits_allocated;
    uint16_t bits_stored;
    int32_t pixel_representation; /**< 0 unsigned, 1 two's complement */
    int32_t decoder;              /**< BP_DECODER_* */
} bp_pixel_info;

/** Opens the file at `path` in full and decodes every frame. Returns
 *  rows × columns × samples × frames values (frame after frame, row after
 *  row) as malloc'ed floats, or NULL with *status set (BP_E_UNSUPPORTED for
 *  a transfer syntax neither DCMTK nor GDCM can decode, BP_E_NOT_FOUND when
 *  there is no Pixel Data). Thread-safe: codecs are registered once. */
float *bp_pixels_read(const char *path, bp_pixel_info *info, int *status);

#ifdef __cplusplus
}
#endif
#endif

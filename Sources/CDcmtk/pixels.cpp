// bodypart's pixel decoding: stored values of every frame as floats, for the
// pixel check. DCMTK decodes native, JPEG, JPEG-LS and RLE data; GDCM takes
// over where DCMTK has no codec (JPEG 2000). Contract: include/CDcmtkPixels.h.
#include "CDcmtk.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>

// GDCM's headers include each other with quotes, so naming the folder under
// the system include directory is enough (no extra search path).
#include <gdcm-3.0/gdcmImage.h>
#include <gdcm-3.0/gdcmImageReader.h>
#include <gdcm-3.0/gdcmTrace.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

// Defined in shim.cpp: sets the thread's last error and returns `code`.
namespace bp_detail {
int setError(int code, const std::string &text);
}

namespace {

/// Registers the decoders once per process and silences GDCM's tracing
/// (libraries never print).
void registerDecoders() {
    static std::once_flag once;
    std::call_once(once, [] {
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
        gdcm::Trace::SetDebug(false);
        gdcm::Trace::SetWarning(false);
        gdcm::Trace::SetError(false);
    });
}

/// The stored values of `raw` (little-endian words of `bitsAllocated` bits,
/// host order) as floats, masked to `bitsStored` and sign-extended when
/// `isSigned`.
float *toFloats(const unsigned char *raw, size_t count, unsigned bitsAllocated, unsigned bitsStored, bool isSigned) {
    float *out = static_cast<float *>(std::malloc((count ? count : 1) * sizeof(float)));
    if (!out) return nullptr;
    if (bitsStored == 0 || bitsStored > bitsAllocated) bitsStored = bitsAllocated;
    const uint64_t mask = bitsStored >= 32 ? 0xFFFFFFFFull : ((1ull << bitsStored) - 1);
    const uint64_t sign = 1ull << (bitsStored - 1);
    for (size_t i = 0; i < count; ++i) {
        uint64_t v = 0;
        switch (bitsAllocated) {
        case 8: v = raw[i]; break;
        case 16: { uint16_t w; std::memcpy(&w, raw + 2 * i, 2); v = w; break; }
        default: { uint32_t w; std::memcpy(&w, raw + 4 * i, 4); v = w; break; }
        }
        v &= mask;
        int64_t value = static_cast<int64_t>(v);
        if (isSigned && (v & sign)) value -= static_cast<int64_t>(mask) + 1;
        out[i] = static_cast<float>(value);
    }
    return out;
}

bool supportedBits(unsigned bits) { return bits == 8 || bits == 16 || bits == 32; }

/// GDCM is not documented as safe for decodes in parallel (its readers share the process-wide
/// Global dictionaries, the codec registry and Trace), and full test runs that decode JPEG 2000 in
/// several threads still corrupted the heap once after the depth-scan fix: one GDCM decode at a
/// time. GDCM only reads what DCMTK cannot (JPEG 2000), so this costs the proxy little.
std::mutex gdcmLock;

/// Decodes with GDCM (JPEG 2000 and whatever DCMTK could not change).
float *readWithGdcm(const char *path, bp_pixel_info *info, int *status, const std::string &dcmtkProblem) {
    std::lock_guard<std::mutex> guard(gdcmLock);
    gdcm::ImageReader reader;
    reader.SetFileName(path);
    if (!reader.Read()) {
        *status = bp_detail::setError(BP_E_UNSUPPORTED, "cannot decode pixels (" + dcmtkProblem + "; GDCM cannot read the image either)");
        return nullptr;
    }
    const gdcm::Image &image = reader.GetImage();
    const gdcm::PixelFormat &format = image.GetPixelFormat();
    info->columns = image.GetDimension(0);
    info->rows = image.GetDimension(1);
    info->frames = image.GetNumberOfDimensions() > 2 ? image.GetDimension(2) : 1;
    info->samples_per_pixel = format.GetSamplesPerPixel();
    info->bits_allocated = format.GetBitsAllocated();
    info->bits_stored = format.GetBitsStored();
    info->pixel_representation = format.GetPixelRepresentation();
    info->decoder = BP_DECODER_GDCM;
    if (!supportedBits(info->bits_allocated)) {
        *status = bp_detail::setError(BP_E_UNSUPPORTED, "cannot decode pixels: " + std::to_string(info->bits_allocated) + " bits allocated");
        return nullptr;
    }
    std::vector<char> buffer(image.GetBufferLength());
    if (buffer.empty() || !image.GetBuffer(buffer.data())) {
        *status = bp_detail::setError(BP_E_UNSUPPORTED, "cannot decode pixels (" + dcmtkProblem + "; GDCM failed to decode)");
        return nullptr;
    }
    size_t count = size_t(info->rows) * info->columns * info->frames * info->samples_per_pixel;
    if (buffer.size() < count * (info->bits_allocated / 8)) {
        *status = bp_detail::setError(BP_E_MALFORMED, "decoded pixels shorter than Rows x Columns x Frames");
        return nullptr;
    }
    float *out = toFloats(reinterpret_cast<const unsigned char *>(buffer.data()), count, info->bits_allocated,
                          info->bits_stored, info->pixel_representation == 1);
    *status = out ? BP_OK : bp_detail::setError(BP_E_INTERNAL, "out of memory");
    return out;
}

unsigned long number(DcmDataset *ds, const DcmTagKey &key, unsigned long fallback) {
    Uint16 us = 0;
    if (ds->findAndGetUint16(key, us).good()) return us;
    OFString text;
    if (ds->findAndGetOFString(key, text).good() && !text.empty()) return std::strtoul(text.c_str(), nullptr, 10);
    return fallback;
}

} // namespace

extern "C" float *bp_pixels_read(const char *path, bp_pixel_info *info, int *status) {
    registerDecoders();
    std::memset(info, 0, sizeof *info);
    DcmFileFormat file;
    OFCondition cond = file.loadFile(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
    if (cond.bad()) {
        *status = bp_detail::setError(cond == EC_InvalidFilename ? BP_E_IO : BP_E_MALFORMED, std::string("cannot read: ") + cond.text());
        return nullptr;
    }
    DcmDataset *ds = file.getDataset();
    if (!ds->tagExists(DCM_PixelData)) {
        *status = bp_detail::setError(BP_E_NOT_FOUND, "no Pixel Data");
        return nullptr;
    }
    info->rows = number(ds, DCM_Rows, 0);
    info->columns = number(ds, DCM_Columns, 0);
    info->frames = number(ds, DCM_NumberOfFrames, 1);
    info->samples_per_pixel = number(ds, DCM_SamplesPerPixel, 1);
    info->bits_allocated = number(ds, DCM_BitsAllocated, 16);
    info->bits_stored = number(ds, DCM_BitsStored, info->bits_allocated);
    info->pixel_representation = number(ds, DCM_PixelRepresentation, 0) == 1 ? 1 : 0;
    info->decoder = BP_DECODER_NATIVE;
    if (info->rows == 0 || info->columns == 0 || info->frames == 0 || info->samples_per_pixel == 0) {
        *status = bp_detail::setError(BP_E_MALFORMED, "Rows, Columns, Number of Frames or Samples per Pixel is zero or missing");
        return nullptr;
    }
    if (!supportedBits(info->bits_allocated)) {
        *status = bp_detail::setError(BP_E_UNSUPPORTED, "cannot decode pixels: " + std::to_string(info->bits_allocated) + " bits allocated");
        return nullptr;
    }
    E_TransferSyntax xfer = ds->getOriginalXfer();
    if (DcmXfer(xfer).isEncapsulated()) {
        cond = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
        if (cond.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit)) {
            return readWithGdcm(path, info, status, std::string("DCMTK: ") + DcmXfer(xfer).getXferName() + ": " + cond.text());
        }
        info->decoder = BP_DECODER_DCMTK;
    }
    DcmElement *element = nullptr;
    if (ds->findAndGetElement(DCM_PixelData, element).bad() || !element) {
        *status = bp_detail::setError(BP_E_NOT_FOUND, "no Pixel Data");
        return nullptr;
    }
    size_t count = size_t(info->rows) * info->columns * info->frames * info->samples_per_pixel;
    size_t needed = count * (info->bits_allocated / 8);
    const unsigned char *raw = nullptr;
    if (info->bits_allocated == 16 && element->getVR() == EVR_OW) {
        Uint16 *words = nullptr;
        if (element->getUint16Array(words).good()) raw = reinterpret_cast<const unsigned char *>(words);
    } else {
        Uint8 *bytes = nullptr;
        if (element->getUint8Array(bytes).good()) raw = bytes;
    }
    if (!raw || element->getLength() < needed) {
        *status = bp_detail::setError(BP_E_MALFORMED, "Pixel Data shorter than Rows x Columns x Frames (" +
                                                          std::to_string(element->getLength()) + " of " + std::to_string(needed) + " bytes)");
        return nullptr;
    }
    float *out = toFloats(raw, count, info->bits_allocated, info->bits_stored, info->pixel_representation == 1);
    *status = out ? BP_OK : bp_detail::setError(BP_E_INTERNAL, "out of memory");
    return out;
}

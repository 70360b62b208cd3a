// The bounded pre-scan of CDcmtkScan.h: walks DICOM bytes with an explicit
// stack (never recursion), so that DCMTK only ever parses data whose nesting
// and lengths are bounded. Includes no DCMTK header.
#include "CDcmtkScan.h"
#include "CDcmtk.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <zlib.h>

namespace {

/// Bytes to scan: a file read through a 64 KiB window (pread), or memory.
struct Source {
    const uint8_t *memory = nullptr;
    int fd = -1;
    uint64_t size = 0;
    std::vector<uint8_t> window;
    uint64_t windowStart = 0;
    size_t windowLength = 0;
    bool readFailed = false;

    /// Copies `n` bytes at `offset`; false past the end or on a read error.
    bool read(uint64_t offset, void *out, size_t n) {
        if (offset > size || n > size - offset) return false;
        if (memory) { std::memcpy(out, memory + offset, n); return true; }
        if (offset < windowStart || offset + n > windowStart + windowLength) {
            if (window.empty()) window.resize(64 * 1024);
            ssize_t got;
            do { got = pread(fd, window.data(), window.size(), static_cast<off_t>(offset)); } while (got < 0 && errno == EINTR);
            if (got < static_cast<ssize_t>(n)) { readFailed = true; return false; }
            windowStart = offset;
            windowLength = static_cast<size_t>(got);
        }
        std::memcpy(out, window.data() + (offset - windowStart), n);
        return true;
    }
};

struct Encoding {
    bool implicit = false;
    bool bigEndian = false;
};

enum Kind : uint8_t { Sequence, Item, Pixels };

/// One open container: where it ends (defined length) or that it waits for a
/// delimiter, and how its content is encoded.
struct Frame {
    uint64_t end;
    Kind kind;
    bool undefined;
    bool level;     // counts as a nesting level
    bool tentative; // entered on a guess (a value that starts with an item tag)
    Encoding encoding;
};

constexpr uint32_t kUndefined = 0xFFFFFFFFu;

uint16_t u16(const uint8_t *b, bool be) { return be ? uint16_t(b[0] << 8 | b[1]) : uint16_t(b[1] << 8 | b[0]); }
uint32_t u32(const uint8_t *b, bool be) {
    return be ? uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3]
              : uint32_t(b[3]) << 24 | uint32_t(b[2]) << 16 | uint32_t(b[1]) << 8 | b[0];
}
bool isUpper(uint8_t c) { return c >= 'A' && c <= 'Z'; }

/// Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2).
bool longVR(const uint8_t *vr) {
    static const char *const names[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
    for (const char *n : names)
        if (vr[0] == n[0] && vr[1] == n[1]) return true;
    return false;
}

int finish(bp_scan_result *r, int status, uint64_t offset, const char *format, ...) {
    r->status = status;
    r->offset = offset;
    va_list args;
    va_start(args, format);
    std::vsnprintf(r->message, sizeof r->message, format, args);
    va_end(args);
    return status;
}

/// The walk. `pos` is where the dataset starts.
int scanDataset(Source &src, uint64_t pos, Encoding top, int flags, uint32_t maxDepth, bp_scan_result *r) {
    std::vector<Frame> stack;
    stack.reserve(16);
    uint32_t levels = 0;
    long tentativeAt = -1; // outermost frame entered on a guess
    const size_t maxFrames = size_t(maxDepth) * 2 + 2;

    auto pop = [&] {
        if (stack.back().level) --levels;
        if (tentativeAt == long(stack.size()) - 1) tentativeAt = -1;
        stack.pop_back();
    };
    // A guessed sequence that does not parse as one: skip it as bytes, keeping the frames it is in.
    // The index is taken first: popping the guessed frame resets `tentativeAt`, and a loop on it
    // went on popping every enclosing frame and then the empty stack (pop_back on an empty vector
    // moved its end before its buffer, and the next push wrote a frame over the heap block's
    // header: a heap corruption of the parallel test runs, docs/dicom-io.md).
    auto abandonGuess = [&]() -> bool {
        if (tentativeAt < 0) return false;
        const size_t guessed = size_t(tentativeAt);
        uint64_t end = stack[guessed].end;
        while (stack.size() > guessed) pop();
        pos = end;
        return true;
    };
    auto push = [&](Frame f, uint64_t at, uint16_t g, uint16_t e) -> bool {
        if (f.tentative && tentativeAt < 0) tentativeAt = long(stack.size());
        if (f.level) ++levels;
        if (levels > r->deepest) r->deepest = levels;
        stack.push_back(f);
        if (levels > maxDepth || stack.size() > maxFrames) {
            finish(r, BP_E_MALFORMED, at, "sequences nested deeper than %u levels ((%04X,%04X) at byte %llu); not read",
                   maxDepth, g, e, static_cast<unsigned long long>(at));
            return false;
        }
        return true;
    };

    for (;;) {
        while (!stack.empty() && !stack.back().undefined && pos >= stack.back().end) {
            if (pos > stack.back().end && abandonGuess()) continue;
            pop();
        }
        if (pos >= src.size) break; // open undefined-length containers at the end: DCMTK judges
        Frame *frame = stack.empty() ? nullptr : &stack.back();
        Encoding enc = frame ? frame->encoding : top;
        uint8_t b[12];
        if (!src.read(pos, b, 8)) {
            if (src.readFailed) return finish(r, BP_E_IO, pos, "cannot read at byte %llu: %s", (unsigned long long)pos, std::strerror(errno));
            if (abandonGuess()) continue;
            break; // fewer than 8 bytes left: trailing padding, DCMTK judges
        }
        const uint64_t at = pos;
        uint16_t g = u16(b, enc.bigEndian), e = u16(b + 2, enc.bigEndian);
        if (g == 0xFFFE && (e == 0xE000 || e == 0xE00D || e == 0xE0DD)) {
            uint32_t length = u32(b + 4, enc.bigEndian);
            pos += 8;
            if (e == 0xE00D) {
                if (frame && frame->kind == Item && frame->undefined) pop();
                continue;
            }
            if (e == 0xE0DD) {
                if (frame && frame->kind == Item && frame->undefined) pop();
                if (!stack.empty() && stack.back().kind != Item && stack.back().undefined) pop();
                continue;
            }
            if (frame && frame->kind == Pixels) { // a fragment: bytes
                if (length == kUndefined || length > src.size - pos)
                    return finish(r, BP_E_TRUNCATED, at, "pixel data fragment at byte %llu: length %u, %llu bytes left",
                                  (unsigned long long)at, length, (unsigned long long)(src.size - pos));
                pos += length;
                continue;
            }
            if (length != kUndefined && length > src.size - pos) {
                if (abandonGuess()) continue;
                return finish(r, BP_E_TRUNCATED, at, "item at byte %llu: length %u, only %llu bytes left",
                              (unsigned long long)at, length, (unsigned long long)(src.size - pos));
            }
            bool orphan = !frame || frame->kind != Sequence;
            Frame item{length == kUndefined ? 0 : pos + length, Item, length == kUndefined, orphan, false, enc};
            if (!push(item, at, g, e)) return r->status;
            continue;
        }
        if (frame && frame->kind != Item) {
            if (abandonGuess()) continue;
            return finish(r, BP_E_MALFORMED, at, "(%04X,%04X) at byte %llu inside a sequence, where an item belongs",
                          g, e, (unsigned long long)at);
        }
        if ((flags & BP_SCAN_STOP_AT_PIXELS) && !frame && g == 0x7FE0 && e == 0x0010) break;
        uint32_t length;
        bool sq = false, un = false;
        if (enc.implicit) {
            length = u32(b + 4, enc.bigEndian);
            pos += 8;
        } else if (isUpper(b[4]) && isUpper(b[5]) && longVR(b + 4)) {
            if (!src.read(pos + 8, b + 8, 4)) {
                if (abandonGuess()) continue;
                return finish(r, BP_E_TRUNCATED, at, "(%04X,%04X) at byte %llu: data ends in its header", g, e, (unsigned long long)at);
            }
            length = u32(b + 8, enc.bigEndian);
            sq = b[4] == 'S' && b[5] == 'Q';
            un = b[4] == 'U' && b[5] == 'N';
            pos += 12;
        } else {
            length = u16(b + 6, enc.bigEndian);
            pos += 8;
        }
        if (length == kUndefined) {
            Encoding inner = un ? Encoding{true, false} : enc;
            Kind kind = (g == 0x7FE0 && e == 0x0010) ? Pixels : Sequence; // icons too
            if (!push(Frame{0, kind, true, true, false, inner}, at, g, e)) return r->status;
            continue;
        }
        if (length > src.size - pos) {
            if (abandonGuess()) continue;
            return finish(r, BP_E_TRUNCATED, at, "(%04X,%04X) at byte %llu: length %u, only %llu bytes left",
                          g, e, (unsigned long long)at, length, (unsigned long long)(src.size - pos));
        }
        bool guess = false;
        if (!sq && length >= 8 && (enc.implicit || un)) {
            uint8_t p[4];
            bool innerBE = un ? false : enc.bigEndian;
            guess = src.read(pos, p, 4) && u16(p, innerBE) == 0xFFFE && u16(p + 2, innerBE) == 0xE000;
        }
        if (sq || guess) {
            Encoding inner = un ? Encoding{true, false} : enc;
            if (!push(Frame{pos + length, Sequence, false, true, guess, inner}, at, g, e)) return r->status;
            continue;
        }
        pos += length;
    }
    r->status = BP_OK;
    return BP_OK;
}

/// Inflates a deflated dataset (raw RFC 1951) into memory, at most 1 GiB.
int inflateAll(Source &src, uint64_t from, std::vector<uint8_t> &out, bp_scan_result *r) {
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return finish(r, BP_E_INTERNAL, from, "cannot start inflating");
    std::vector<uint8_t> in(64 * 1024);
    uint64_t pos = from;
    int ret = Z_OK;
    const size_t limit = size_t(1) << 30;
    while (ret != Z_STREAM_END) {
        if (z.avail_in == 0) {
            size_t n = size_t(std::min<uint64_t>(in.size(), src.size - pos));
            if (n == 0 || !src.read(pos, in.data(), n)) break;
            pos += n;
            z.next_in = in.data();
            z.avail_in = uInt(n);
        }
        size_t used = out.size();
        if (used >= limit) { inflateEnd(&z); return finish(r, BP_E_UNSUPPORTED, from, "deflated dataset larger than 1 GiB; not read"); }
        out.resize(used + 256 * 1024);
        z.next_out = out.data() + used;
        z.avail_out = 256 * 1024;
        ret = inflate(&z, Z_NO_FLUSH);
        out.resize(used + (256 * 1024 - z.avail_out));
        if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) break;
    }
    inflateEnd(&z);
    return BP_OK; // a broken stream is DCMTK's to report; what inflated is scanned
}

/// Guesses a bare dataset's encoding from its first element, as DCMTK does.
Encoding guess(const uint8_t *b, size_t n) {
    Encoding enc;
    if (n < 8) return enc;
    unsigned le = b[0] | (b[1] << 8), be = (b[0] << 8) | b[1];
    enc.bigEndian = !(le >= 0x0002 && le <= 0x0028 && !(le & 1)) && (be >= 0x0002 && be <= 0x0028 && !(be & 1));
    enc.implicit = !(isUpper(b[4]) && isUpper(b[5]));
    return enc;
}

int scanSource(Source &src, uint64_t start, int encoding, int flags, uint32_t maxDepth, bp_scan_result *r) {
    if (encoding == BP_SCAN_DEFLATED_LE) {
        std::vector<uint8_t> inflated;
        if (inflateAll(src, start, inflated, r) != BP_OK) return r->status;
        Source memory;
        memory.memory = inflated.data();
        memory.size = inflated.size();
        return scanDataset(memory, 0, Encoding{}, flags, maxDepth, r);
    }
    Encoding enc{encoding == BP_SCAN_IMPLICIT_LE, encoding == BP_SCAN_EXPLICIT_BE};
    return scanDataset(src, start, enc, flags, maxDepth, r);
}

} // namespace

extern "C" {

int bp_scan_encoding(const char *uid) {
    if (!uid || !*uid) return -1;
    if (std::strcmp(uid, "1.2.840.10008.1.2") == 0) return BP_SCAN_IMPLICIT_LE;
    if (std::strcmp(uid, "1.2.840.10008.1.2.2") == 0) return BP_SCAN_EXPLICIT_BE;
    if (std::strcmp(uid, "1.2.840.10008.1.2.1.99") == 0) return BP_SCAN_DEFLATED_LE;
    return BP_SCAN_EXPLICIT_LE;
}

int bp_scan_buffer(const void *bytes, size_t length, int encoding, int flags, uint32_t maxDepth, bp_scan_result *r) {
    *r = bp_scan_result{};
    Source src;
    src.memory = static_cast<const uint8_t *>(bytes);
    src.size = length;
    return scanSource(src, 0, encoding, flags, maxDepth, r);
}

int bp_scan_file(const char *path, int flags, uint32_t maxDepth, bp_scan_result *r) {
    *r = bp_scan_result{};
    Source src;
    src.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (src.fd < 0) return finish(r, BP_E_IO, 0, "cannot open: %s", std::strerror(errno));
    struct stat info;
    if (fstat(src.fd, &info) != 0) {
        close(src.fd);
        return finish(r, BP_E_IO, 0, "cannot stat: %s", std::strerror(errno));
    }
    src.size = uint64_t(info.st_size);
    uint8_t head[132];
    uint64_t start = 0;
    int encoding = -1;
    if (src.read(0, head, 132) && std::memcmp(head + 128, "DICM", 4) == 0) {
        // Part 10 meta header: group 0002, explicit VR little endian.
        start = 132;
        std::string uid;
        uint8_t b[12];
        while (src.read(start, b, 8) && u16(b, false) == 0x0002) {
            uint16_t e = u16(b + 2, false);
            uint32_t length;
            uint64_t value;
            if (!(isUpper(b[4]) && isUpper(b[5]))) { length = u32(b + 4, false); value = start + 8; }
            else if (longVR(b + 4)) {
                if (!src.read(start + 8, b + 8, 4)) break;
                length = u32(b + 8, false);
                value = start + 12;
            } else { length = u16(b + 6, false); value = start + 8; }
            if (length == kUndefined || length > src.size - value) {
                close(src.fd);
                return finish(r, BP_E_TRUNCATED, start, "meta element (0002,%04X) at byte %llu: length %u past the end",
                              e, (unsigned long long)start, length);
            }
            if (e == 0x0010 && length <= 64) {
                char text[65] = {0};
                if (src.read(value, text, length)) uid.assign(text, std::strlen(text));
                while (!uid.empty() && (uid.back() == ' ' || uid.back() == '\0')) uid.pop_back();
            }
            start = value + length;
        }
        encoding = bp_scan_encoding(uid.c_str());
    }
    if (encoding < 0) {
        uint8_t b[8] = {0};
        size_t n = src.read(start, b, 8) ? 8 : 0;
        Encoding enc = guess(b, n);
        encoding = enc.implicit ? BP_SCAN_IMPLICIT_LE : enc.bigEndian ? BP_SCAN_EXPLICIT_BE : BP_SCAN_EXPLICIT_LE;
    }
    int status = scanSource(src, start, encoding, flags, maxDepth, r);
    close(src.fd);
    return status;
}

} // extern "C"

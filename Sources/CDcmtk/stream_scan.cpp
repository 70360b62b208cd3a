// A structure scan of a DICOM file before DCMTK parses it: element headers
// only, values skipped, an explicit stack instead of recursion. Plain C API
// in include/CDcmtkScan.h; no DCMTK (it must run before DCMTK is trusted).
#include "CDcmtk.h"
#include "CDcmtkScan.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

constexpr uint32_t undefinedLength = 0xFFFFFFFFu;
constexpr uint64_t openEnd = UINT64_MAX;

/// A sequence or item being read: where it ends (`openEnd` for undefined
/// length), and how its elements are encoded.
struct Container {
    bool isItem;
    bool fragments; // encapsulated Pixel Data: items are opaque fragments
    bool implicit;  // elements inside are Implicit VR (undefined-length UN, or the file's syntax)
    uint64_t end;
};

class Scanner {
  public:
    Scanner(FILE *file, uint64_t size, uint32_t limit, bp_scan_result *result)
        : file_(file), size_(size), limit_(limit), result_(result) {}

    void run(uint64_t start, bool implicit, bool bigEndian) {
        bigEndian_ = bigEndian;
        uint64_t pos = start;
        while (true) {
            // Close defined-length containers that end here.
            while (!stack_.empty() && stack_.back().end != openEnd && pos >= stack_.back().end) {
                if (pos > stack_.back().end) return fail(BP_SCAN_MALFORMED, pos, "an element runs past the end of its sequence or item");
                pop();
            }
            bool inside = !stack_.empty();
            bool elementsImplicit = inside ? stack_.back().implicit : implicit;
            if (pos == size_) {
                if (inside) return fail(BP_SCAN_TRUNCATED, pos, "the data ends inside a sequence or item");
                return;
            }
            if (size_ - pos < 8) return fail(BP_SCAN_TRUNCATED, pos, "the data ends inside an element header");
            unsigned char h[12];
            if (!readAt(pos, h, 8)) return fail(BP_SCAN_TRUNCATED, pos, "cannot read an element header");
            bool le = !bigEndian_ || elementsImplicit; // implicit inside UN is always little endian
            group_ = u16(h, le);
            element_ = u16(h + 2, le);
            ++result_->elements;
            if (group_ == 0xFFFE) {
                if (!delimiterOrItem(pos, u32(h + 4, le))) return;
                continue;
            }
            if (inside && !stack_.back().isItem)
                return fail(BP_SCAN_MALFORMED, pos, "an element directly inside a sequence (an item was expected)");
            uint32_t length;
            uint64_t header;
            std::string vr;
            bool letters = h[4] >= 'A' && h[4] <= 'Z' && h[5] >= 'A' && h[5] <= 'Z';
            if (elementsImplicit || !letters) {
                length = u32(h + 4, le);
                header = 8;
            } else {
                vr.assign(reinterpret_cast<char *>(h + 4), 2);
                static const char *longForm[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
                bool isLong = false;
                for (const char *v : longForm) isLong = isLong || vr == v;
                if (isLong) {
                    if (size_ - pos < 12) return fail(BP_SCAN_TRUNCATED, pos, "the data ends inside an element header");
                    if (!readAt(pos + 8, h + 8, 4)) return fail(BP_SCAN_TRUNCATED, pos, "cannot read an element header");
                    length = u32(h + 8, le);
                    header = 12;
                } else {
                    length = u16(h + 6, le);
                    header = 8;
                }
            }
            uint64_t valueStart = pos + header;
            if (length == undefinedLength) {
                bool pixels = group_ == 0x7FE0 && element_ == 0x0010;
                if (pixels && (vr.empty() || vr == "OB" || vr == "OW")) {
                    push({false, true, elementsImplicit, openEnd});
                } else if (vr.empty() || vr == "SQ" || vr == "UN") {
                    // Implicit VR (no VR known: undefined length means a sequence), SQ, or UN
                    // (PS3.5 6.2.2: its items are Implicit VR Little Endian).
                    if (!push({false, false, elementsImplicit || vr == "UN", openEnd})) return;
                } else {
                    return fail(BP_SCAN_MALFORMED, pos, "undefined length on a " + vr + " element");
                }
                pos = valueStart;
                continue;
            }
            uint64_t valueEnd = valueStart + length;
            if (valueEnd > size_) return fail(BP_SCAN_TRUNCATED, pos, "the value (" + std::to_string(length) + " bytes) runs past the end of the data (" + std::to_string(size_ - valueStart) + " left)");
            if (inside && stack_.back().end != openEnd && valueEnd > stack_.back().end)
                return fail(BP_SCAN_MALFORMED, pos, "the value runs past the end of its sequence or item");
            bool sequence = vr == "SQ" || (vr == "UN" && startsWithItem(valueStart, length)) || (vr.empty() && startsWithItem(valueStart, length));
            if (sequence && length > 0) {
                if (!push({false, false, elementsImplicit || vr == "UN", valueEnd})) return;
                pos = valueStart;
            } else {
                pos = valueEnd;
            }
        }
    }

  private:
    /// (FFFE,E000) item, (FFFE,E00D) item end, (FFFE,E0DD) sequence end.
    bool delimiterOrItem(uint64_t &pos, uint32_t length) {
        if (element_ == 0xE000) {
            if (stack_.empty() || stack_.back().isItem) {
                fail(BP_SCAN_MALFORMED, pos, "an item outside a sequence");
                return false;
            }
            uint64_t start = pos + 8;
            if (stack_.back().fragments) {
                if (length == undefinedLength) return fail(BP_SCAN_MALFORMED, pos, "a pixel fragment of undefined length"), false;
                if (start + length > size_) return fail(BP_SCAN_TRUNCATED, pos, "a pixel fragment (" + std::to_string(length) + " bytes) runs past the end of the data"), false;
                pos = start + length;
                return true;
            }
            uint64_t end = openEnd;
            if (length != undefinedLength) {
                end = start + length;
                if (end > size_) return fail(BP_SCAN_TRUNCATED, pos, "an item (" + std::to_string(length) + " bytes) runs past the end of the data"), false;
                if (stack_.back().end != openEnd && end > stack_.back().end)
                    return fail(BP_SCAN_MALFORMED, pos, "an item runs past the end of its sequence"), false;
            }
            if (!push({true, false, stack_.back().implicit, end})) return false;
            pos = start;
            return true;
        }
        if (element_ == 0xE00D) { // item end: closes an undefined-length item
            if (!stack_.empty() && stack_.back().isItem) pop();
            pos += 8;
            return true;
        }
        if (element_ == 0xE0DD) { // sequence end (an unclosed item before it is closed too)
            if (!stack_.empty() && stack_.back().isItem && stack_.back().end == openEnd) pop();
            if (!stack_.empty() && !stack_.back().isItem) pop();
            pos += 8;
            return true;
        }
        return fail(BP_SCAN_MALFORMED, pos, "an unknown (FFFE,xxxx) delimiter"), false;
    }

    bool push(Container c) {
        stack_.push_back(c);
        if (!c.isItem) {
            ++depth_;
            if (depth_ > result_->max_depth) result_->max_depth = depth_;
            if (depth_ > limit_) {
                fail(BP_SCAN_TOO_DEEP, 0, "sequences nested more than " + std::to_string(limit_) + " levels deep");
                return false;
            }
        }
        return true;
    }

    void pop() {
        if (!stack_.back().isItem) --depth_;
        stack_.pop_back();
    }

    bool startsWithItem(uint64_t at, uint32_t length) {
        unsigned char b[4];
        if (length < 8 || !readAt(at, b, 4)) return false;
        return u16(b, true) == 0xFFFE && u16(b + 2, true) == 0xE000;
    }

    bool readAt(uint64_t at, unsigned char *out, size_t n) {
        if (at != cursor_ && fseeko(file_, static_cast<off_t>(at), SEEK_SET) != 0) return false;
        size_t got = std::fread(out, 1, n, file_);
        cursor_ = at + got;
        return got == n;
    }

    void fail(int verdict, uint64_t at, const std::string &text) {
        result_->verdict = verdict;
        result_->offset = at;
        result_->group = group_;
        result_->element = element_;
        char tag[24];
        std::snprintf(tag, sizeof tag, "(%04X,%04X) ", group_, element_);
        std::string line = (verdict == BP_SCAN_TOO_DEEP ? std::string() : std::string(tag)) + text + " at offset " + std::to_string(at);
        std::snprintf(result_->detail, sizeof result_->detail, "%s", line.c_str());
    }

    uint16_t u16(const unsigned char *b, bool le) const { return le ? (b[0] | b[1] << 8) : (b[0] << 8 | b[1]); }
    uint32_t u32(const unsigned char *b, bool le) const {
        return le ? (b[0] | b[1] << 8 | b[2] << 16 | static_cast<uint32_t>(b[3]) << 24)
                  : (static_cast<uint32_t>(b[0]) << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    FILE *file_;
    uint64_t size_;
    uint32_t limit_;
    bp_scan_result *result_;
    bool bigEndian_ = false;
    uint64_t cursor_ = 0;
    uint32_t depth_ = 0;
    uint16_t group_ = 0, element_ = 0;
    std::vector<Container> stack_;
};

/// Where the dataset starts and its encoding, from the Part 10 meta header
/// (Explicit VR Little Endian group 0002). No preamble: a bare dataset,
/// Implicit VR unless its first element carries a VR.
bool locateDataset(FILE *file, uint64_t size, uint64_t &start, std::string &syntax, bool &explicitBare) {
    unsigned char b[132];
    explicitBare = false;
    if (size >= 132 && std::fread(b, 1, 132, file) == 132 && std::memcmp(b + 128, "DICM", 4) == 0) {
        uint64_t pos = 132;
        while (pos + 8 <= size) {
            unsigned char h[12];
            if (fseeko(file, static_cast<off_t>(pos), SEEK_SET) != 0 || std::fread(h, 1, 8, file) != 8) return false;
            if (h[0] != 0x02 || h[1] != 0x00) break;
            uint32_t length;
            uint64_t header = 8;
            std::string vr(reinterpret_cast<char *>(h + 4), 2);
            if (vr == "OB" || vr == "UN" || vr == "UT" || vr == "SQ") {
                if (std::fread(h + 8, 1, 4, file) != 4) return false;
                length = h[8] | h[9] << 8 | h[10] << 16 | static_cast<uint32_t>(h[11]) << 24;
                header = 12;
            } else {
                length = h[6] | h[7] << 8;
            }
            if (h[2] == 0x10 && h[3] == 0x00 && length < 128) {
                char uid[128] = {0};
                if (std::fread(uid, 1, length, file) != length) return false;
                syntax.assign(uid, length);
                while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' ')) syntax.pop_back();
            }
            pos += header + length;
        }
        start = pos;
        return start <= size;
    }
    start = 0;
    unsigned char h[6];
    if (fseeko(file, 0, SEEK_SET) == 0 && std::fread(h, 1, 6, file) == 6)
        explicitBare = h[4] >= 'A' && h[4] <= 'Z' && h[5] >= 'A' && h[5] <= 'Z';
    return true;
}

} // namespace

extern "C" int bp_scan_file(const char *path, uint32_t depth_limit, bp_scan_result *result) {
    std::memset(result, 0, sizeof *result);
    struct stat info;
    FILE *file = std::fopen(path, "rb");
    if (!file) return BP_E_IO;
    if (fstat(fileno(file), &info) != 0) {
        std::fclose(file);
        return BP_E_IO;
    }
    std::vector<char> buffer(1 << 16);
    setvbuf(file, buffer.data(), _IOFBF, buffer.size());
    uint64_t size = static_cast<uint64_t>(info.st_size), start = 0;
    std::string syntax;
    bool explicitBare = false;
    if (!locateDataset(file, size, start, syntax, explicitBare)) {
        result->verdict = BP_SCAN_TRUNCATED;
        std::snprintf(result->detail, sizeof result->detail, "the file ends inside its meta header");
        std::fclose(file);
        return BP_OK;
    }
    if (syntax == "1.2.840.10008.1.2.1.99") {
        result->verdict = BP_SCAN_UNSCANNED;
        std::snprintf(result->detail, sizeof result->detail, "deflated dataset: not scanned");
    } else {
        bool implicit = syntax.empty() ? !explicitBare : syntax == "1.2.840.10008.1.2";
        Scanner(file, size, depth_limit, result).run(start, implicit, syntax == "1.2.840.10008.1.2.2");
    }
    std::fclose(file);
    return BP_OK;
}

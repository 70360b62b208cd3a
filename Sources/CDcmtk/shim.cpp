// bodypart's DCMTK shim: the only file that includes DCMTK headers.
// Plain C API declared in include/CDcmtk.h; see there for the contract.
#include "CDcmtk.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>
#include <unistd.h>
#include <cerrno>

#include "object.h"

namespace {

thread_local std::string lastError;

int fail(int code, const std::string &text) {
    lastError = text;
    return code;
}

char *dup(const std::string &s) {
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p) std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

DcmItem *asItem(bp_item *item) { return reinterpret_cast<DcmItem *>(item); }
bp_item *asHandle(DcmItem *item) { return reinterpret_cast<bp_item *>(item); }

/// Maps a DCMTK condition to a shim status with one line of text.
int fromCondition(const OFCondition &cond, const char *what) {
    std::string text = std::string(what) + ": " + cond.text();
    if (cond == EC_StreamNotifyClient || cond == EC_EndOfStream || cond == EC_InvalidStream)
        return fail(BP_E_TRUNCATED, std::string(what) + ": data ends early (" + cond.text() + ")");
    if (cond == EC_UnsupportedEncoding || cond == EC_CannotChangeRepresentation)
        return fail(BP_E_UNSUPPORTED, text);
    if (cond == EC_InvalidFilename || cond.module() == 0 /* OFM_ofstd: file system */)
        return fail(BP_E_IO, text);
    return fail(BP_E_MALFORMED, text);
}

bool isBinaryVR(DcmEVR vr) {
    switch (vr) {
    case EVR_OB: case EVR_OW: case EVR_OF: case EVR_OD: case EVR_OL: case EVR_OV:
    case EVR_UN: case EVR_ox: case EVR_px: case EVR_pixelSQ: case EVR_pixelItem:
    case EVR_UNKNOWN: case EVR_UNKNOWN2B:
        return true;
    default:
        return false;
    }
}

/// Cheap check of the first bytes: a Part 10 file ("DICM" at 128) or a bare
/// dataset that starts with a plausible little-endian group (0002..0028) or
/// a big-endian one. Rejects text, images and other files quickly.
int sniff(const char *path) {
    FILE *f = std::fopen(path, "rb");
    if (!f) return fail(BP_E_IO, std::string("cannot open: ") + std::strerror(errno));
    unsigned char b[132];
    size_t n = std::fread(b, 1, sizeof b, f);
    std::fclose(f);
    if (n == 0) return fail(BP_E_NOT_DICOM, "not a DICOM file (empty)");
    if (n == 132 && std::memcmp(b + 128, "DICM", 4) == 0) return BP_OK;
    if (n >= 8) {
        unsigned le = b[0] | (b[1] << 8), be = (b[0] << 8) | b[1];
        bool plausible = (le >= 0x0002 && le <= 0x0028 && !(le & 1)) || (be >= 0x0002 && be <= 0x0028 && !(be & 1));
        if (plausible) return BP_OK;
    }
    return fail(BP_E_NOT_DICOM, n < 132 ? "not a DICOM file (too short, no DICM prefix or dataset)"
                                        : "not a DICOM file (no DICM prefix at byte 128, no dataset start)");
}

/// Drops the trailing padding (spaces, NULs) DCMTK's input correction used
/// to drop when it loaded a value: what a reader sees is unchanged, what a
/// rewrite stores is the original bytes.
std::string trimPadding(const OFString &value) {
    size_t n = value.length();
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\0')) --n;
    return std::string(value.c_str(), n);
}

/// With input correction off (bp_init), DCMTK looks up the VR of a private
/// element in an implicit-VR file by its creator *as stored*, padding
/// included: "BODYPART PREDICTION 1 " no longer matches the dictionary's
/// "BODYPART PREDICTION 1" and the block would read as UN. So every private
/// entry whose creator has an odd length gets a twin under the padded name.
void addPaddedCreators(DcmDataDictionary &dict) {
    std::vector<const DcmDictEntry *> odd;
    auto collect = [&](const DcmDictEntry *entry) {
        const char *creator = entry->getPrivateCreator();
        if (creator && (std::strlen(creator) & 1)) odd.push_back(entry);
    };
    for (DcmHashDictIterator it = dict.normalBegin(); it != dict.normalEnd(); ++it) collect(*it);
    for (DcmDictEntryListIterator it = dict.repeatingBegin(); it != dict.repeatingEnd(); ++it) collect(*it);
    for (const DcmDictEntry *entry : odd) {
        std::string padded = std::string(entry->getPrivateCreator()) + " ";
        if (dict.findEntry(entry->getKey(), padded.c_str())) continue;
        dict.addEntry(new DcmDictEntry(entry->getGroup(), entry->getElement(), entry->getUpperGroup(),
                                       entry->getUpperElement(), entry->getVR(), entry->getTagName(), entry->getVMMin(),
                                       entry->getVMMax(), entry->getStandardVersion(), OFTrue, padded.c_str()));
    }
}

bool needsConversion(DcmDataset *ds) {
    OFString cs;
    if (ds->findAndGetOFStringArray(DCM_SpecificCharacterSet, cs).bad()) return false;
    if (cs.empty() || cs == "ISO_IR 192" || cs == "ISO_IR 6" || cs == "ISO 2022 IR 6") return false;
    return true;
}

} // namespace

namespace bp_detail {
/// The thread's last error for the shim's other files (pixels.cpp).
int setError(int code, const std::string &text) { return fail(code, text); }
} // namespace bp_detail

extern "C" {

int bp_init(const char *extra_dictionary_path) {
    static std::once_flag once;
    std::call_once(once, [] {
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        // Keep every value as stored: with this on, DCMTK strips spaces from
        // UIDs ("REM SAMPLES 1" -> "REMSAMPLES1"), trailing padding from
        // strings and pads odd lengths, and a rewrite then changes elements
        // no edit names (issue 14.5). Readers trim padding themselves
        // (trimPadding below); values bodypart writes are padded by DCMTK.
        dcmEnableAutomaticInputDataCorrection.set(OFFalse);
        if (dcmDataDict.isDictionaryLoaded()) {
            addPaddedCreators(dcmDataDict.wrlock());
            dcmDataDict.wrunlock();
        }
    });
    if (!dcmDataDict.isDictionaryLoaded())
        return fail(BP_E_INTERNAL, "DCMTK data dictionary is not loaded; install the dcmtk package or set DCMDICTPATH");
    if (extra_dictionary_path && *extra_dictionary_path) {
        static std::mutex mutex;
        static std::string loaded;
        std::lock_guard<std::mutex> guard(mutex);
        if (loaded != extra_dictionary_path) {
            DcmDataDictionary &dict = dcmDataDict.wrlock();
            bool ok = dict.loadDictionary(extra_dictionary_path, OFTrue);
            if (ok) addPaddedCreators(dict);
            dcmDataDict.wrunlock();
            if (!ok) return fail(BP_E_IO, std::string("cannot load private dictionary ") + extra_dictionary_path);
            loaded = extra_dictionary_path;
        }
    }
    return BP_OK;
}

const char *bp_last_error(void) { return lastError.c_str(); }

void bp_free(void *p) { std::free(p); }

bp_object *bp_open(const char *path, int mode, int *status) {
    int s = sniff(path);
    if (s != BP_OK) { *status = s; return nullptr; }
    // DCMTK's parser recurses per sequence level and trusts lengths: bound
    // both before it sees the file (depth_scan.cpp).
    bp_scan_result scan;
    if (bp_scan_file(path, (mode & BP_READ_FULL) ? 0 : BP_SCAN_STOP_AT_PIXELS, BP_SCAN_DEFAULT_MAX_DEPTH, &scan) != BP_OK) {
        *status = fail(scan.status, scan.message);
        return nullptr;
    }
    bp_object *obj = new bp_object();
    OFCondition cond;
    if (mode & BP_READ_FULL) {
        const Uint32 maxRead = (mode & BP_READ_LAZY) ? 4096 : DCM_MaxReadLength;
        cond = obj->file.loadFile(path, EXS_Unknown, EGL_noChange, maxRead, ERM_autoDetect);
        if (cond.good() && !(mode & BP_READ_LAZY)) cond = obj->file.loadAllDataIntoMemory();
    } else {
        cond = obj->file.loadFileUntilTag(path, EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect, DCM_PixelData);
    }
    if (cond.bad()) {
        *status = fromCondition(cond, "cannot read");
        delete obj;
        return nullptr;
    }
    DcmDataset *ds = obj->file.getDataset();
    if (ds->card() == 0) {
        *status = fail(BP_E_NOT_DICOM, "not a DICOM file (no dataset elements)");
        delete obj;
        return nullptr;
    }
    obj->hasMeta = obj->file.getMetaInfo()->card() > 0;
    if ((mode & BP_READ_UTF8) && needsConversion(ds))
        obj->utf8 = ds->convertToUTF8().good() ? 1 : -1;
    *status = BP_OK;
    return obj;
}

bp_object *bp_open_buffer(const void *bytes, size_t length, const char *transfer_syntax_uid, int *status) {
    DcmXfer xfer(transfer_syntax_uid);
    if (xfer.getXfer() == EXS_Unknown) {
        *status = fail(BP_E_UNSUPPORTED, std::string("unknown transfer syntax ") + transfer_syntax_uid);
        return nullptr;
    }
    bp_scan_result scan;
    if (bp_scan_buffer(bytes, length, bp_scan_encoding(transfer_syntax_uid), 0, BP_SCAN_DEFAULT_MAX_DEPTH, &scan) != BP_OK) {
        *status = fail(scan.status, scan.message);
        return nullptr;
    }
    bp_object *obj = new bp_object();
    DcmInputBufferStream stream;
    stream.setBuffer(bytes, static_cast<offile_off_t>(length));
    stream.setEos();
    DcmDataset *ds = obj->file.getDataset();
    ds->transferInit();
    OFCondition cond = ds->read(stream, xfer.getXfer(), EGL_noChange, DCM_MaxReadLength);
    ds->transferEnd();
    if (cond.bad()) {
        *status = fromCondition(cond, "cannot parse dataset");
        delete obj;
        return nullptr;
    }
    obj->hasMeta = false;
    *status = BP_OK;
    return obj;
}

void bp_close(bp_object *obj) { delete obj; }

int bp_charset_kind(bp_object *obj) {
    DcmDataset *ds = obj->file.getDataset();
    if (!needsConversion(ds)) return BP_CHARSET_UTF8;
    OFString cs;
    ds->findAndGetOFStringArray(DCM_SpecificCharacterSet, cs);
    return cs == "ISO_IR 100" ? BP_CHARSET_LATIN1 : BP_CHARSET_OTHER;
}

bp_item *bp_meta(bp_object *obj) { return asHandle(obj->file.getMetaInfo()); }
bp_item *bp_dataset(bp_object *obj) { return asHandle(obj->file.getDataset()); }

char *bp_transfer_syntax(bp_object *obj) {
    DcmXfer xfer(obj->file.getDataset()->getOriginalXfer());
    return dup(xfer.getXferID());
}

int bp_has_meta(bp_object *obj) { return obj->hasMeta ? 1 : 0; }
int bp_utf8_state(bp_object *obj) { return obj->utf8; }

size_t bp_item_count(bp_item *item) { return asItem(item)->card(); }

size_t bp_item_elements(bp_item *item, bp_element **out, size_t capacity) {
    DcmItem *it = asItem(item);
    size_t n = 0;
    DcmObject *obj = nullptr;
    while ((obj = it->nextInContainer(obj)) != nullptr) {
        if (n < capacity) out[n] = reinterpret_cast<bp_element *>(obj);
        ++n;
    }
    return n;
}

int bp_element_get_info(bp_element *element, bp_element_info *info) {
    DcmElement *e = reinterpret_cast<DcmElement *>(element);
    if (!e) return fail(BP_E_INVALID, "no element");
    const DcmTag &tag = e->getTag();
    info->group = tag.getGTag();
    info->element = tag.getETag();
    // Called for every element of every header read: no snprintf, and no
    // value multiplicity (DcmByteString::getVM() reads the value to count it).
    const char *vr = tag.getVR().getValidVRName();
    if (!vr) vr = "UN";
    size_t n = 0;
    while (n < 2 && vr[n] != '\0') {
        info->vr[n] = vr[n];
        ++n;
    }
    info->vr[n] = '\0';
    info->length = e->getLengthField();
    DcmEVR evr = e->ident();
    info->item_count = evr == EVR_SQ ? static_cast<int32_t>(static_cast<DcmSequenceOfItems *>(e)->card()) : -1;
    info->is_binary = (isBinaryVR(evr) || tag == DCM_PixelData) ? 1 : 0;
    return BP_OK;
}

char *bp_element_string(bp_element *element, int *status) {
    DcmElement *e = reinterpret_cast<DcmElement *>(element);
    if (e && e->ident() == EVR_UN && e->getLengthField() <= 65536 && !e->getTag().isPrivate()) {
        DcmTag dictionaryTag(e->getTag().getXTag());
        DcmEVR known = dictionaryTag.getEVR();
        if (known != EVR_UN && known != EVR_SQ && !isBinaryVR(known) && DcmVR(known).isaString()) {
            Uint8 *bytes = nullptr;
            if (e->getUint8Array(bytes).good()) {
                std::string text(bytes ? reinterpret_cast<const char *>(bytes) : "", bytes ? e->getLengthField() : 0);
                while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
                *status = BP_OK;
                return dup(text);
            }
        }
    }
    if (!e || e->ident() == EVR_SQ || isBinaryVR(e->ident())) {
        *status = fail(BP_E_INVALID, "not a text or number element");
        return nullptr;
    }
    OFString value;
    OFCondition cond = e->getOFStringArray(value, OFFalse);
    if (cond.bad() && cond != EC_IllegalCall) {
        *status = fromCondition(cond, "cannot read value");
        return nullptr;
    }
    *status = BP_OK;
    return dup(trimPadding(value));
}

bp_item *bp_element_sequence_item(bp_element *element, size_t item_index) {
    DcmElement *e = reinterpret_cast<DcmElement *>(element);
    if (!e || e->ident() != EVR_SQ) return nullptr;
    return asHandle(static_cast<DcmSequenceOfItems *>(e)->getItem(static_cast<unsigned long>(item_index)));
}

int bp_item_element(bp_item *item, size_t index, bp_element_info *info) {
    DcmElement *e = asItem(item)->getElement(static_cast<unsigned long>(index));
    if (!e) return fail(BP_E_INVALID, "element index out of range");
    return bp_element_get_info(reinterpret_cast<bp_element *>(e), info);
}

char *bp_item_element_string(bp_item *item, size_t index, int *status) {
    return bp_element_string(reinterpret_cast<bp_element *>(asItem(item)->getElement(static_cast<unsigned long>(index))), status);
}

bp_item *bp_item_sequence_item(bp_item *item, size_t index, size_t item_index) {
    return bp_element_sequence_item(reinterpret_cast<bp_element *>(asItem(item)->getElement(static_cast<unsigned long>(index))),
                                    item_index);
}

char *bp_tag_keyword(uint16_t group, uint16_t element, const char *private_creator) {
    DcmTag tag(DcmTagKey(group, element), private_creator);
    const char *name = tag.getTagName();
    if (!name || std::strcmp(name, DcmTag_ERROR_TagName) == 0) return dup("");
    return dup(name);
}

char *bp_item_find_string(bp_item *item, uint16_t group, uint16_t element) {
    OFString value;
    if (asItem(item)->findAndGetOFStringArray(DcmTagKey(group, element), value, OFFalse).bad()) return nullptr;
    return dup(trimPadding(value));
}

void *bp_pixel_data_bytes(bp_object *obj, size_t *length) {
    *length = 0;
    DcmElement *elem = nullptr;
    if (obj->file.getDataset()->findAndGetElement(DCM_PixelData, elem).bad() || !elem) return nullptr;
    DcmPixelData *pixels = OFstatic_cast(DcmPixelData *, elem);
    DcmPixelSequence *sequence = nullptr;
    E_TransferSyntax xfer = obj->file.getDataset()->getOriginalXfer();
    std::string out;
    if (DcmXfer(xfer).isEncapsulated() && pixels->getEncapsulatedRepresentation(xfer, nullptr, sequence).good() && sequence) {
        for (unsigned long i = 0; i < sequence->card(); ++i) {
            DcmPixelItem *item = nullptr;
            if (sequence->getItem(item, i).bad() || !item) continue;
            Uint8 *bytes = nullptr;
            Uint32 n = item->getLength();
            item->getUint8Array(bytes);
            out.append(reinterpret_cast<const char *>(&n), 4);
            if (bytes && n) out.append(reinterpret_cast<const char *>(bytes), n);
        }
    } else {
        Uint8 *bytes = nullptr;
        Uint32 n = elem->getLength();
        if (elem->getUint8Array(bytes).good() && bytes) out.assign(reinterpret_cast<const char *>(bytes), n);
    }
    void *result = std::malloc(out.size() ? out.size() : 1);
    if (result && !out.empty()) std::memcpy(result, out.data(), out.size());
    *length = out.size();
    return result;
}

int bp_item_put_string(bp_item *item, uint16_t group, uint16_t element, const char *vr,
                       const char *value, const char *private_creator) {
    DcmVR dvr(vr);
    if (dvr.getEVR() == EVR_UNKNOWN || dvr.getEVR() == EVR_SQ || isBinaryVR(dvr.getEVR()))
        return fail(BP_E_INVALID, std::string("cannot write a text value with VR ") + vr);
    DcmTag tag(group, element, dvr);
    if (private_creator) tag.setPrivateCreator(private_creator);
    DcmElement *elem = nullptr;
    OFCondition cond = DcmItem::newDicomElementWithVR(elem, tag);
    if (cond.bad() || !elem) return fromCondition(cond, "cannot create element");
    cond = elem->putString(value);
    if (cond.bad()) { delete elem; return fromCondition(cond, "cannot set value"); }
    cond = asItem(item)->insert(elem, OFTrue);
    if (cond.bad()) { delete elem; return fromCondition(cond, "cannot insert element"); }
    return BP_OK;
}

int bp_item_put_empty(bp_item *item, uint16_t group, uint16_t element) {
    DcmElement *elem = DcmItem::newDicomElement(DcmTagKey(group, element));
    if (!elem) return fail(BP_E_INVALID, "cannot create element");
    OFCondition cond = asItem(item)->insert(elem, OFTrue);
    if (cond.bad()) { delete elem; return fromCondition(cond, "cannot insert element"); }
    return BP_OK;
}

int bp_item_delete(bp_item *item, uint16_t group, uint16_t element) {
    OFCondition cond = asItem(item)->findAndDeleteElement(DcmTagKey(group, element));
    if (cond.bad() && cond != EC_TagNotFound) return fromCondition(cond, "cannot delete element");
    return BP_OK;
}

bp_item *bp_item_append_sequence_item(bp_item *item, uint16_t group, uint16_t element, int *status) {
    DcmItem *parent = asItem(item);
    DcmSequenceOfItems *seq = nullptr;
    DcmTagKey key(group, element);
    if (parent->findAndGetSequence(key, seq).bad() || !seq) {
        DcmElement *existing = nullptr;
        if (parent->findAndGetElement(key, existing).good()) {
            *status = fail(BP_E_INVALID, "element exists and is not a sequence");
            return nullptr;
        }
        seq = new DcmSequenceOfItems(DcmTag(key, DcmVR(EVR_SQ)));
        OFCondition cond = parent->insert(seq, OFTrue);
        if (cond.bad()) { delete seq; *status = fromCondition(cond, "cannot insert sequence"); return nullptr; }
    }
    DcmItem *child = new DcmItem();
    OFCondition cond = seq->append(child);
    if (cond.bad()) { delete child; *status = fromCondition(cond, "cannot append item"); return nullptr; }
    *status = BP_OK;
    return asHandle(child);
}

int bp_item_copy_element(bp_item *source, uint16_t group, uint16_t element, bp_item *destination) {
    OFCondition cond = asItem(source)->findAndInsertCopyOfElement(DcmTagKey(group, element), asItem(destination), OFTrue);
    if (cond == EC_TagNotFound) return fail(BP_E_NOT_FOUND, "element not present");
    if (cond.bad()) return fromCondition(cond, "cannot copy element");
    return BP_OK;
}

int bp_item_remove_sequence_item(bp_item *item, uint16_t group, uint16_t element, size_t index) {
    DcmSequenceOfItems *seq = nullptr;
    if (asItem(item)->findAndGetSequence(DcmTagKey(group, element), seq).bad() || !seq)
        return fail(BP_E_NOT_FOUND, "sequence not present");
    if (index >= seq->card()) return fail(BP_E_NOT_FOUND, "sequence item not present");
    delete seq->remove(static_cast<unsigned long>(index));
    if (seq->card() == 0) return bp_item_delete(item, group, element);
    return BP_OK;
}

int bp_item_remove_private_block(bp_item *item, uint16_t group, const char *creator) {
    DcmItem *it = asItem(item);
    for (int block = 0x10; block <= 0xFF; ++block) {
        OFString value;
        if (it->findAndGetOFStringArray(DcmTagKey(group, static_cast<Uint16>(block)), value).bad()) continue;
        while (!value.empty() && value[value.length() - 1] == ' ') value.erase(value.length() - 1);
        if (value != creator) continue;
        for (unsigned long i = it->card(); i-- > 0;) {
            DcmElement *e = it->getElement(i);
            if (e && e->getGTag() == group && (e->getETag() >> 8) == block) delete it->remove(e);
        }
        it->findAndDeleteElement(DcmTagKey(group, static_cast<Uint16>(block)));
    }
    return BP_OK;
}

int bp_item_reserve_private_block(bp_item *item, uint16_t group, const char *creator) {
    if (!(group & 1) || group < 0x0009 || group == 0xFFFF) {
        fail(BP_E_INVALID, "private group must be odd and above 0008");
        return -1;
    }
    // One pass over the item (a find per candidate block would scan the
    // element list 240 times).
    bool taken[256] = {false};
    DcmItem *it = asItem(item);
    DcmObject *obj = nullptr;
    while ((obj = it->nextInContainer(obj)) != nullptr) {
        const DcmTagKey key = obj->getTag().getXTag();
        if (key.getGroup() < group) continue;
        if (key.getGroup() > group || key.getElement() > 0x00FF) break;
        if (key.getElement() < 0x0010) continue;
        taken[key.getElement()] = true;
        OFString value;
        if (static_cast<DcmElement *>(obj)->getOFStringArray(value).good()) {
            while (!value.empty() && value[value.length() - 1] == ' ') value.erase(value.length() - 1);
            if (value == creator) return key.getElement();
        }
    }
    for (int block = 0x10; block <= 0xFF; ++block) {
        if (taken[block]) continue;
        if (bp_item_put_string(item, group, static_cast<uint16_t>(block), "LO", creator, nullptr) != BP_OK) return -1;
        return block;
    }
    fail(BP_E_FULL, "no free private block in the group");
    return -1;
}

int bp_save(bp_object *obj, const char *path, int with_meta) {
    OFCondition cond = obj->file.saveFile(path, EXS_Unknown, EET_UndefinedLength, EGL_recalcGL, EPD_noChange, 0, 0,
                                          with_meta ? EWM_updateMeta : EWM_dataset);
    if (cond.bad()) return fail(BP_E_IO, std::string("cannot write: ") + cond.text());
    return BP_OK;
}

int bp_syncfs(int fd) {
#ifdef __linux__
    if (syncfs(fd) != 0) return fail(BP_E_IO, std::string("sync failed: ") + std::strerror(errno));
#else
    if (fsync(fd) != 0) return fail(BP_E_IO, std::string("sync failed: ") + std::strerror(errno));
#endif
    return BP_OK;
}

} // extern "C"

// See net_common.h.
#include "CDcmtkNet.h"
#include "net_common.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <cstdlib>
#include <mutex>

namespace {
thread_local std::string netError;
}

namespace bpnet {

int fail(int code, const std::string &text) {
    netError = text;
    return code;
}

void prepareNetwork() {
    static std::once_flag once;
    std::call_once(once, [] { setenv("TCP_NODELAY", "1", 0); });
}

const std::vector<std::string> &knownTransferSyntaxes() {
    static const std::vector<std::string> syntaxes = [] {
        std::vector<std::string> result = {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
                                           UID_BigEndianExplicitTransferSyntax, UID_DeflatedExplicitVRLittleEndianTransferSyntax};
        for (int x = EXS_JPEGProcess1; x <= EXS_PrivateGE_LEI_WithBigEndianPixelData; ++x) {
            if (x == EXS_DeflatedLittleEndianExplicit || x == EXS_PrivateGE_LEI_WithBigEndianPixelData) continue;
            DcmXfer xfer(static_cast<E_TransferSyntax>(x));
            if (xfer.getXfer() != EXS_Unknown && xfer.getXferID() && *xfer.getXferID()) result.push_back(xfer.getXferID());
        }
        return result;
    }();
    return syntaxes;
}

std::string trimmedAE(const char *title) {
    std::string ae = title ? title : "";
    size_t first = ae.find_first_not_of(' ');
    if (first == std::string::npos) return "";
    return ae.substr(first, ae.find_last_not_of(' ') - first + 1);
}

} // namespace bpnet

extern "C" const char *bp_net_last_error(void) { return netError.c_str(); }

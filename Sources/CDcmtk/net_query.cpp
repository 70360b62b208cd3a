// bodypart's DCMTK network shim, query/retrieve SCU side: C-FIND and C-MOVE
// in the Study Root model, each on an association of its own. Contract:
// include/CDcmtkNet.h.
#include "CDcmtk.h"
#include "CDcmtkNet.h"
#include "net_common.h"
#include "net_tls.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmnet/scu.h>

#include <memory>
#include <string>
#include <vector>

namespace {

/// Where a query goes, for messages.
std::string peerName(const bp_scu_config *c) {
    return std::string(c->peer_ae ? c->peer_ae : "ANY-SCP") + "@" + (c->host ? c->host : "127.0.0.1") + ":" +
           std::to_string(c->port);
}

/// An SCU with one abstract syntax proposed (Explicit and Implicit VR Little Endian).
class QuerySCU : public DcmSCU {
  public:
    /// Opens the association (over TLS with `layer`, made here, when the config asks); a shim status.
    /// `layer` belongs to the caller and must outlive this SCU.
    int open(const bp_scu_config *c, const char *abstractSyntax, std::unique_ptr<DcmTLSTransportLayer> &layer) {
        if (c->tls) {
            std::string why;
            layer = bpnet::makeTLSLayer(*c->tls, NET_REQUESTOR, why);
            if (!layer) return bpnet::fail(BP_E_NET_TLS, peerName(c) + ": " + why);
        }
        setAETitle(c->ae_title ? c->ae_title : "BODYPART");
        setPeerAETitle(c->peer_ae ? c->peer_ae : "ANY-SCP");
        setPeerHostName(c->host ? c->host : "127.0.0.1");
        setPeerPort(c->port);
        setMaxReceivePDULength(c->max_pdu ? c->max_pdu : ASC_DEFAULTMAXPDU);
        setACSETimeout(c->acse_timeout ? c->acse_timeout : 30);
        setConnectionTimeout(static_cast<Sint32>(c->acse_timeout ? c->acse_timeout : 30));
        setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        setDIMSETimeout(c->dimse_timeout ? c->dimse_timeout : 60);
        OFList<OFString> plain;
        plain.push_back(UID_LittleEndianExplicitTransferSyntax);
        plain.push_back(UID_LittleEndianImplicitTransferSyntax);
        addPresentationContext(abstractSyntax, plain);
        OFCondition cond = initNetwork();
        if (cond.good() && layer) cond = useSecureConnection(layer.get());
        if (cond.bad()) return bpnet::fail(BP_E_IO, std::string("cannot initialise the network: ") + cond.text());
        cond = negotiateAssociation();
        if (cond.bad()) return bpnet::fail(BP_E_NET_ASSOCIATION, peerName(c) + ": " + cond.text());
        context_ = findPresentationContextID(abstractSyntax, "");
        if (context_ == 0) {
            closeAssociation(DCMSCU_RELEASE_ASSOCIATION);
            return bpnet::fail(BP_E_NET_ASSOCIATION, peerName(c) + ": the peer accepted no context for " + abstractSyntax);
        }
        return BP_OK;
    }

    /// A failed DIMSE exchange as a shim status (the association is aborted).
    int failed(const bp_scu_config *c, const char *operation, const OFCondition &cond) {
        closeAssociation(DCMSCU_ABORT_ASSOCIATION);
        bool timeout = cond == DIMSE_NODATAAVAILABLE;
        return bpnet::fail(timeout ? BP_E_NET_TIMEOUT : BP_E_IO,
                           peerName(c) + ": " + operation + (timeout ? ": no response within the DIMSE timeout" : ": ") +
                               (timeout ? "" : cond.text()));
    }

    T_ASC_PresentationContextID context_ = 0;
};

/// The identifier: QueryRetrieveLevel plus each keyword = value (empty: a return key).
int identifier(DcmDataset &dataset, const char *level, const char *const *keywords, const char *const *values, size_t count) {
    if (!level || (std::string(level) != "STUDY" && std::string(level) != "SERIES" && std::string(level) != "IMAGE"))
        return bpnet::fail(BP_E_INVALID, std::string("query level must be STUDY, SERIES or IMAGE, not ") + (level ? level : "none"));
    dataset.putAndInsertString(DCM_QueryRetrieveLevel, level);
    for (size_t i = 0; i < count; ++i) {
        DcmTag tag;
        if (!keywords[i] || DcmTag::findTagFromName(keywords[i], tag).bad() || tag.getEVR() == EVR_SQ)
            return bpnet::fail(BP_E_INVALID, std::string("not a DICOM keyword of a single-valued attribute: ") + (keywords[i] ? keywords[i] : ""));
        OFCondition cond = dataset.putAndInsertString(tag, values[i] ? values[i] : "");
        if (cond.bad()) return bpnet::fail(BP_E_INVALID, std::string(keywords[i]) + ": " + cond.text());
    }
    return BP_OK;
}

/// One C-FIND or C-MOVE: its identifier and the association it goes on. The TLS
/// layer, when the config asks for one, is declared before the SCU so that it
/// outlives it (members are destroyed in reverse order).
struct Exchange {
    DcmDataset query;
    std::unique_ptr<DcmTLSTransportLayer> layer;
    QuerySCU scu;

    /// Builds the identifier (`level`, keys) and opens the association for `abstractSyntax`; a shim status.
    int start(const bp_scu_config *config, const char *abstractSyntax, const char *level, const char *const *keywords,
              const char *const *values, size_t count) {
        bpnet::prepareNetwork();
        int status = identifier(query, level, keywords, values, count);
        return status != BP_OK ? status : scu.open(config, abstractSyntax, layer);
    }
};

/// Hands one match's top-level elements (sequences left out) to the handler as keyword → text.
void report(DcmDataset *dataset, void *context, bp_match_handler onMatch) {
    if (!dataset || !onMatch) return;
    dataset->convertToUTF8(); // best effort: values stay as stored when the declared set cannot be converted
    std::vector<std::string> keys, texts;
    for (unsigned long i = 0; i < dataset->card(); ++i) {
        DcmElement *element = dataset->getElement(i);
        if (!element || element->ident() == EVR_SQ || element->getTag() == DCM_QueryRetrieveLevel) continue;
        OFString value;
        element->getOFStringArray(value);
        keys.push_back(DcmTag(element->getTag()).getTagName());
        texts.push_back(value.c_str());
    }
    std::vector<const char *> k, v;
    for (size_t i = 0; i < keys.size(); ++i) {
        k.push_back(keys[i].c_str());
        v.push_back(texts[i].c_str());
    }
    onMatch(context, k.size(), k.data(), v.data());
}

} // namespace

extern "C" {

int bp_scu_find(const bp_scu_config *config, const char *level, const char *const *keywords, const char *const *values,
                size_t count, void *context, bp_match_handler on_match, uint16_t *final_status) {
    *final_status = 0xFFFF;
    Exchange find;
    int status = find.start(config, UID_FINDStudyRootQueryRetrieveInformationModel, level, keywords, values, count);
    if (status != BP_OK) return status;
    QuerySCU &scu = find.scu;
    OFList<QRResponse *> responses;
    OFCondition cond = scu.sendFINDRequest(scu.context_, &find.query, &responses);
    if (cond.bad()) {
        for (QRResponse *r : responses) delete r;
        return scu.failed(config, "C-FIND", cond);
    }
    for (QRResponse *r : responses) {
        if (DICOM_PENDING_STATUS(r->m_status)) report(r->m_dataset, context, on_match);
        else *final_status = r->m_status;
        delete r;
    }
    scu.releaseAssociation();
    return BP_OK;
}

int bp_scu_move(const bp_scu_config *config, const char *level, const char *move_destination, const char *const *keywords,
                const char *const *values, size_t count, bp_move_result *result) {
    *result = bp_move_result{0xFFFF, 0, 0, 0, 0};
    if (!move_destination || !*move_destination) return bpnet::fail(BP_E_INVALID, "C-MOVE needs a destination AE title");
    Exchange move;
    int status = move.start(config, UID_MOVEStudyRootQueryRetrieveInformationModel, level, keywords, values, count);
    if (status != BP_OK) return status;
    QuerySCU &scu = move.scu;
    OFList<RetrieveResponse *> responses;
    OFCondition cond = scu.sendMOVERequest(scu.context_, move_destination, &move.query, &responses);
    if (cond.bad()) {
        for (RetrieveResponse *r : responses) delete r;
        return scu.failed(config, "C-MOVE", cond);
    }
    for (RetrieveResponse *r : responses) {
        // The last response carries the final status and counts (PS3.4 C.4.2.1.6).
        *result = bp_move_result{r->m_status, r->m_numberOfCompletedSubops, r->m_numberOfFailedSubops,
                                 r->m_numberOfWarningSubops, r->m_numberOfRemainingSubops};
        delete r;
    }
    scu.releaseAssociation();
    return BP_OK;
}

} // extern "C"

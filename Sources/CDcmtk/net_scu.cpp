// bodypart's DCMTK network shim, storage SCU side: one association kept
// open towards a destination, a presentation context chosen per object, and
// C-ECHO. Contract: include/CDcmtkNet.h.
#include "CDcmtk.h"
#include "CDcmtkNet.h"
#include "net_common.h"
#include "net_tls.h"
#include "object.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmnet/scu.h>

#include <string>
#include <vector>

namespace {

/// The SCU: keeps one association open and picks a context per object.
class Sender : public DcmSCU {
  public:
    void clearContexts() { clearPresentationContexts(); }
    using DcmSCU::useSecureConnection;
};

bool isUncompressed(const std::string &ts) {
    DcmXfer xfer(ts.c_str());
    return xfer.getXfer() != EXS_Unknown && !xfer.isEncapsulated();
}

T_ASC_PresentationContextID contextFor(Sender &scu, const std::string &sop, const std::string &ts) {
    T_ASC_PresentationContextID id = scu.findPresentationContextID(sop, ts);
    if (id != 0 || !isUncompressed(ts)) return id;
    id = scu.findPresentationContextID(sop, UID_LittleEndianExplicitTransferSyntax);
    if (id == 0) id = scu.findPresentationContextID(sop, UID_LittleEndianImplicitTransferSyntax);
    return id;
}

void configure(Sender &scu, const bp_scu_config &c) {
    scu.setAETitle(c.ae_title ? c.ae_title : "BODYPART");
    scu.setPeerAETitle(c.peer_ae ? c.peer_ae : "ANY-SCP");
    scu.setPeerHostName(c.host ? c.host : "127.0.0.1");
    scu.setPeerPort(c.port);
    scu.setMaxReceivePDULength(c.max_pdu ? c.max_pdu : ASC_DEFAULTMAXPDU);
    scu.setACSETimeout(c.acse_timeout ? c.acse_timeout : 30);
    scu.setConnectionTimeout(static_cast<Sint32>(c.acse_timeout ? c.acse_timeout : 30));
    scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    scu.setDIMSETimeout(c.dimse_timeout ? c.dimse_timeout : 60);
    scu.setDatasetConversionMode(OFTrue);
}

} // namespace

struct bp_scu {
    std::unique_ptr<DcmTLSTransportLayer> tls; // declared first: outlives the sender that uses it
    std::string tlsError;                      // why the TLS layer could not be made (connect then fails)
    Sender sender;
    bp_scu_config config;
    std::string ae, peer, host;

    /// Sets up the network (contexts as added) and TLS; a shim status.
    int initNetwork() {
        if (!tlsError.empty()) return bpnet::fail(BP_E_NET_TLS, peer + "@" + host + ": " + tlsError);
        OFCondition cond = sender.initNetwork();
        if (cond.good() && tls) cond = sender.useSecureConnection(tls.get());
        if (cond.bad()) return bpnet::fail(BP_E_IO, std::string("cannot initialise the network: ") + cond.text());
        return BP_OK;
    }
};

extern "C" {

bp_scu *bp_scu_new(const bp_scu_config *config) {
    bpnet::prepareNetwork();
    bp_scu *scu = new bp_scu();
    scu->ae = config->ae_title ? config->ae_title : "BODYPART";
    scu->peer = config->peer_ae ? config->peer_ae : "ANY-SCP";
    scu->host = config->host ? config->host : "127.0.0.1";
    scu->config = *config;
    scu->config.ae_title = scu->ae.c_str();
    scu->config.peer_ae = scu->peer.c_str();
    scu->config.host = scu->host.c_str();
    scu->config.tls = nullptr; // read now: certificate, key and CAs are loaded here
    if (config->tls) {
        scu->tls = bpnet::makeTLSLayer(*config->tls, NET_REQUESTOR, scu->tlsError);
        if (!scu->tls && scu->tlsError.empty()) scu->tlsError = "TLS set-up failed";
    }
    configure(scu->sender, scu->config);
    return scu;
}

void bp_scu_free(bp_scu *scu) {
    if (!scu) return;
    bp_scu_release(scu);
    delete scu;
}

int bp_scu_connected(bp_scu *scu) { return scu->sender.isConnected() ? 1 : 0; }

int bp_scu_connect(bp_scu *scu, const char *const *sop_classes, const char *const *transfer_syntaxes, size_t count) {
    bp_scu_release(scu);
    Sender &s = scu->sender;
    s.clearContexts();
    std::vector<std::string> classes;
    for (size_t i = 0; i < count; ++i) {
        OFList<OFString> own;
        own.push_back(transfer_syntaxes[i]);
        s.addPresentationContext(sop_classes[i], own);
        bool seen = false;
        for (const std::string &c : classes) seen = seen || c == sop_classes[i];
        if (!seen) classes.push_back(sop_classes[i]);
    }
    for (const std::string &c : classes) {
        OFList<OFString> plain;
        plain.push_back(UID_LittleEndianExplicitTransferSyntax);
        plain.push_back(UID_LittleEndianImplicitTransferSyntax);
        s.addPresentationContext(c.c_str(), plain);
    }
    // DcmSCU puts the proposed contexts into the association parameters in
    // initNetwork(), and frees them when an association closes: set up anew.
    s.freeNetwork();
    int status = scu->initNetwork();
    if (status != BP_OK) return status;
    OFCondition cond = s.negotiateAssociation();
    if (cond.bad()) {
        s.closeAssociation(DCMSCU_ABORT_ASSOCIATION);
        return bpnet::fail(BP_E_NET_ASSOCIATION, scu->peer + "@" + scu->host + ":" + std::to_string(scu->config.port) + ": " + cond.text());
    }
    return BP_OK;
}

int bp_scu_can_send(bp_scu *scu, const char *sop_class_uid, const char *transfer_syntax_uid) {
    if (!scu->sender.isConnected()) return 0;
    return contextFor(scu->sender, sop_class_uid, transfer_syntax_uid) != 0 ? 1 : 0;
}

int bp_scu_store(bp_scu *scu, bp_object *object, uint16_t *dimse_status) {
    *dimse_status = 0xFFFF;
    Sender &s = scu->sender;
    if (!s.isConnected()) return bpnet::fail(BP_E_IO, "no association");
    DcmDataset *dataset = object->file.getDataset();
    OFString sop;
    dataset->findAndGetOFString(DCM_SOPClassUID, sop);
    DcmXfer xfer(dataset->getOriginalXfer());
    T_ASC_PresentationContextID id = contextFor(s, sop.c_str(), xfer.getXferID());
    if (id == 0)
        return bpnet::fail(BP_E_UNSUPPORTED, std::string("the receiver accepted no context for ") + sop.c_str() + " in " +
                                             xfer.getXferName());
    Uint16 status = 0;
    OFCondition cond = s.sendSTORERequest(id, OFFilename(), dataset, status);
    if (cond.bad()) {
        s.closeAssociation(DCMSCU_ABORT_ASSOCIATION);
        return bpnet::fail(BP_E_IO, std::string("C-STORE failed: ") + cond.text());
    }
    *dimse_status = status;
    return BP_OK;
}

void bp_scu_release(bp_scu *scu) {
    if (scu->sender.isConnected()) scu->sender.releaseAssociation();
}

int bp_scu_echo(const bp_scu_config *config) {
    bpnet::prepareNetwork();
    bp_scu *scu = bp_scu_new(config);
    Sender &s = scu->sender;
    OFList<OFString> plain;
    plain.push_back(UID_LittleEndianExplicitTransferSyntax);
    plain.push_back(UID_LittleEndianImplicitTransferSyntax);
    s.addPresentationContext(UID_VerificationSOPClass, plain);
    int result = scu->initNetwork();
    if (result != BP_OK) {
        bp_scu_free(scu);
        return result;
    }
    OFCondition cond = s.negotiateAssociation();
    if (cond.good()) {
        cond = s.sendECHORequest(0);
        if (cond.bad()) result = bpnet::fail(BP_E_IO, std::string("C-ECHO failed: ") + cond.text());
    } else {
        result = bpnet::fail(BP_E_NET_ASSOCIATION, scu->peer + "@" + scu->host + ":" + std::to_string(config->port) + ": " + cond.text());
    }
    bp_scu_free(scu);
    return result;
}

} // extern "C"


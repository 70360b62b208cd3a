// See net_tls.h. What DCMTK's tlsopt.cc does for storescp/storescu +tls,
// without the command line: certificate and key, trusted CAs (files or
// hashed folders), the BCP 195 profile, peer verification.
#include "net_tls.h"
#include "net_handover.h"

#include <mutex>
#include <sys/stat.h>

namespace bpnet {

std::unique_ptr<DcmTLSTransportLayer> makeTLSLayer(const bp_tls_config &config, T_ASC_NetworkRole role, std::string &why) {
    static std::once_flag once;
    std::call_once(once, [] { DcmTLSTransportLayer::initializeOpenSSL(); });
    // An acceptor's layer also ends the socket hand-over when DCMTK has read the socket (net_handover.h).
    std::unique_ptr<DcmTLSTransportLayer> layer =
        role == NET_ACCEPTOR ? std::make_unique<HandOverTLSLayer>(role) : std::make_unique<DcmTLSTransportLayer>(role, nullptr, OFFalse);
    if (!*layer) {
        why = "cannot create the TLS layer (OpenSSL)";
        return nullptr;
    }
    for (size_t i = 0; i < config.trusted_count; ++i) {
        const char *path = config.trusted_cas[i];
        struct stat info;
        if (!path || stat(path, &info) != 0) {
            why = std::string("trusted CA ") + (path ? path : "") + ": no such file or folder";
            return nullptr;
        }
        OFCondition cond = S_ISDIR(info.st_mode) ? layer->addTrustedCertificateDir(path, DCF_Filetype_PEM)
                                                 : layer->addTrustedCertificateFile(path, DCF_Filetype_PEM);
        if (cond.bad()) {
            why = std::string("trusted CA ") + path + ": " + cond.text();
            return nullptr;
        }
    }
    if (config.certificate && *config.certificate) {
        OFCondition cond = layer->setPrivateKeyFile(config.private_key ? config.private_key : "", DCF_Filetype_PEM);
        if (cond.bad()) {
            why = std::string("private key ") + (config.private_key ? config.private_key : "(none)") + ": " + cond.text();
            return nullptr;
        }
        cond = layer->setCertificateFile(config.certificate, DCF_Filetype_PEM);
        if (cond.bad()) {
            why = std::string("certificate ") + config.certificate + ": " + cond.text();
            return nullptr;
        }
        if (!layer->checkPrivateKeyMatchesCertificate()) {
            why = std::string("private key ") + (config.private_key ? config.private_key : "") + " does not match certificate " +
                  config.certificate;
            return nullptr;
        }
    } else if (role != NET_REQUESTOR) {
        why = "a TLS listener needs a certificate and its private key";
        return nullptr;
    }
    // BCP 195: TLS 1.2 or later, its cipher suites only.
    OFCondition cond = layer->setTLSProfile(TSP_Profile_BCP195);
    if (cond.good()) cond = layer->activateCipherSuites();
    if (cond.bad()) {
        why = std::string("TLS profile BCP 195: ") + cond.text();
        return nullptr;
    }
    layer->setCertificateVerification(config.verify_peer ? DCV_requireCertificate : DCV_ignoreCertificate);
    return layer;
}

} // namespace bpnet

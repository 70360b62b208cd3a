// DICOM TLS for the network shim (private): a DCMTK TLS transport layer
// from a bp_tls_config, BCP 195 profile. See net_tls.cpp.
#ifndef BODYPART_NET_TLS_H
#define BODYPART_NET_TLS_H

#include "CDcmtkNet.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmtls/tlslayer.h>

#include <memory>
#include <string>

namespace bpnet {

/// A TLS layer for `role` (NET_ACCEPTOR for the SCP, NET_REQUESTOR for an SCU), or null with `why`.
std::unique_ptr<DcmTLSTransportLayer> makeTLSLayer(const bp_tls_config &config, T_ASC_NetworkRole role, std::string &why);

} // namespace bpnet

#endif

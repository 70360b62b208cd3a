// Handing an accepted socket (or a listening one) to DCMTK (private). See net_handover.cpp.
#ifndef BODYPART_NET_HANDOVER_H
#define BODYPART_NET_HANDOVER_H

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/dcmlayer.h>
#include <dcmtk/dcmtls/tlslayer.h>

namespace bpnet {

/// DCMTK 3.6.7 takes the socket an acceptor works on from one process-wide global,
/// `dcmExternalSocketHandle`: ASC_receiveAssociation reads the accepted connection from it,
/// ASC_initializeNetwork opens no listening socket of its own while it is set. Every SCP in
/// the process (the proxy tests run several at once) sets it, so a set and DCMTK's read of it
/// must not interleave with another SCP's, or one association is built on another caller's
/// socket: that socket is served twice and closed twice (its number meanwhile reused by a file
/// or socket opened elsewhere), and the first caller is never answered.
///
/// A `HandOver` holds the global for this thread from its construction until DCMTK has taken
/// the socket: `release()` (or the destructor) after ASC_initializeNetwork, or, inside
/// ASC_receiveAssociation, the network's transport layer (`HandOverLayer`, `HandOverTLSLayer`)
/// as soon as DCMTK creates the connection for the socket it read, so a TLS handshake that
/// follows runs without holding the other listeners up.
class HandOver {
  public:
    explicit HandOver(int fd);
    ~HandOver() { release(); }
    HandOver(const HandOver &) = delete;
    HandOver &operator=(const HandOver &) = delete;

    /// Resets the global to "no socket" and lets the next SCP set it (once; later calls do nothing).
    void release();

    /// Releases this thread's hand-over, if it holds one (the transport layers call it).
    static void releaseCurrent();

  private:
    bool held_ = false;
};

/// The plain TCP layer of an acceptor network, releasing the hand-over when DCMTK has read the socket.
class HandOverLayer : public DcmTransportLayer {
  public:
    DcmTransportConnection *createConnection(DcmNativeSocketType openSocket, OFBool useSecureLayer) override;
};

/// The TLS layer of an acceptor network, likewise.
class HandOverTLSLayer : public DcmTLSTransportLayer {
  public:
    HandOverTLSLayer(T_ASC_NetworkRole role) : DcmTLSTransportLayer(role, nullptr, OFFalse) {}
    DcmTransportConnection *createConnection(DcmNativeSocketType openSocket, OFBool useSecureLayer) override;
};

} // namespace bpnet

#endif

// See net_handover.h.
#include "net_handover.h"

#include <dcmtk/dcmnet/dul.h>

#include <mutex>

namespace {

/// Held from a set of dcmExternalSocketHandle until DCMTK has read it.
std::mutex &globalSocket() {
    static std::mutex mutex;
    return mutex;
}

/// The hand-over this thread holds, if any.
thread_local bpnet::HandOver *current = nullptr;

} // namespace

namespace bpnet {

HandOver::HandOver(int fd) {
    globalSocket().lock();
    held_ = true;
    current = this;
    dcmExternalSocketHandle.set(fd);
}

void HandOver::release() {
    if (!held_) return;
    dcmExternalSocketHandle.set(DCMNET_INVALID_SOCKET);
    held_ = false;
    if (current == this) current = nullptr;
    globalSocket().unlock();
}

void HandOver::releaseCurrent() {
    if (current) current->release();
}

DcmTransportConnection *HandOverLayer::createConnection(DcmNativeSocketType openSocket, OFBool useSecureLayer) {
    HandOver::releaseCurrent();
    return DcmTransportLayer::createConnection(openSocket, useSecureLayer);
}

DcmTransportConnection *HandOverTLSLayer::createConnection(DcmNativeSocketType openSocket, OFBool useSecureLayer) {
    HandOver::releaseCurrent();
    return DcmTLSTransportLayer::createConnection(openSocket, useSecureLayer);
}

} // namespace bpnet

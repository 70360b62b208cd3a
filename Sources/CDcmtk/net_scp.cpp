// bodypart's DCMTK network shim, storage SCP side: a pool of association
// threads behind our own listening socket (net_listener.cpp), each received
// dataset written straight to a file. Contract: include/CDcmtkNet.h.
#include "CDcmtk.h"
#include "CDcmtkNet.h"
#include "net_common.h"
#include "net_handover.h"
#include "net_listener.h"
#include "net_tls.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/dcmnet/scppool.h>
#include <dcmtk/dcmnet/scpthrd.h>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <pthread.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <thread>
#include <unistd.h>
#include <vector>

using bpnet::trimmedAE;

namespace {

/// Size of the Part 10 preamble + meta header of `path`, or -1.
long metaHeaderEnd(const std::string &path) {
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) return -1;
    unsigned char b[144];
    size_t n = std::fread(b, 1, sizeof b, f);
    std::fclose(f);
    if (n < 144 || std::memcmp(b + 128, "DICM", 4) != 0) return -1;
    if (b[132] != 0x02 || b[133] != 0x00 || b[134] != 0x00 || b[135] != 0x00) return -1;
    unsigned long groupLength = b[140] | (b[141] << 8) | (b[142] << 16) | (static_cast<unsigned long>(b[143]) << 24);
    return 144 + static_cast<long>(groupLength);
}

/// Send and receive timeouts of a blocking socket (0: none).
void socketTimeouts(int fd, long seconds) {
    timeval t{seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t);
}

class Pool;

/// Opened by the listener once DCMTK's OFThread::start() has returned for a worker; the worker
/// waits for it before it runs. DCMTK 3.6.7's pool deletes a worker on the worker's own thread
/// when its association ends (DcmBaseSCPPool::notifyThreadExit), while OFThread::start(), on the
/// listener's thread, stores the new thread's id into the worker *after* pthread_create returns:
/// an association shorter than that gap (a caller refused by the allow-list, a listener thread
/// preempted under load) had 8 bytes written into freed heap. Shared, so that it outlives
/// whichever side finishes first.
struct LaunchGate {
    std::mutex mutex;
    std::condition_variable opened;
    bool open = false;

    void wait() {
        std::unique_lock<std::mutex> lock(mutex);
        opened.wait(lock, [this] { return open; });
    }
    void release() {
        {
            std::lock_guard<std::mutex> guard(mutex);
            open = true;
        }
        opened.notify_all();
    }
};

/// The gate of the worker DCMTK created on this (listener) thread during runAssociation, if any.
thread_local std::shared_ptr<LaunchGate> createdHere;

/// One association's thread: negotiation checks, C-STORE to file, events.
class Worker : public DcmBaseSCPPool::DcmBaseSCPWorker, private DcmThreadSCP {
  public:
    explicit Worker(Pool &pool);
    OFCondition setSharedConfig(const DcmSharedSCPConfig &config) override { return DcmThreadSCP::setSharedConfig(config); }
    OFBool busy() override { return DcmThreadSCP::isConnected(); }

  protected:
    OFCondition workerListen(T_ASC_Association *const assoc) override;
    OFBool checkCallingAETitleAccepted(const OFString &callingAE) override;
    void notifyAssociationAcknowledge() override { event(BP_ASSOC_ACCEPTED, ""); }
    void notifyReleaseRequest() override { event(BP_ASSOC_RELEASED, ""); }
    void notifyAbortRequest() override { event(BP_ASSOC_ABORTED, ""); }
    void notifyDIMSEError(const OFCondition &cond) override { event(BP_ASSOC_FAILED, cond.text()); }
    void notifyRECEIVEProgress(const unsigned long byteCount) override { received_ = byteCount; }
    OFCondition handleIncomingCommand(T_DIMSE_Message *message, const DcmPresentationContextInfo &info) override;
    void refuseAssociation(const DcmRefuseReasonType reason) override;
    void notifyAssociationRequest(const T_ASC_Parameters &params, DcmSCPActionType &action) override {
        params_ = const_cast<T_ASC_Parameters *>(&params);
        action = DCMSCP_ACTION_UNDEFINED;
    }
    OFCondition negotiateAssociation() override;
    /// The thread's body: waits for the launch (LaunchGate), detaches itself, then DCMTK's run.
    void run() override;

  private:
    void event(int kind, const std::string &detail);
    /// One object answered Out of Resources before the handler saw it (the association goes on).
    void refused(const T_DIMSE_C_StoreRQ &request, const std::string &why);
    OFCondition store(T_DIMSE_C_StoreRQ &request, const DcmPresentationContextInfo &info);
    Pool &owner_;
    T_ASC_Association *assoc_ = nullptr;
    T_ASC_Parameters *params_ = nullptr;
    uint64_t id_ = 0;
    unsigned long received_ = 0;
    unsigned long objects_ = 0;

  public:
    const std::shared_ptr<LaunchGate> launch_ = std::make_shared<LaunchGate>();
};

/// The listening side: accepts TCP connections and hands each to a worker.
class Pool : public DcmBaseSCPPool {
  public:
    explicit Pool(const bp_scp_config &config) : config_(config) {
        ae_ = config.ae_title ? config.ae_title : "BODYPART";
        incoming_ = config.incoming_folder ? config.incoming_folder : ".";
        for (size_t i = 0; i < config.allow_count; ++i) {
            const bp_allow_rule &r = config.allow_rules[i];
            allowed_.push_back({trimmedAE(r.ae_title), r.family, {}, r.prefix});
            std::memcpy(allowed_.back().address, r.address, sizeof r.address);
        }
        listenAddress_ = config.listen_address && *config.listen_address ? config.listen_address : "0.0.0.0";
        config_.ae_title = nullptr;
        config_.incoming_folder = nullptr;
        config_.allow_rules = nullptr;
        config_.listen_address = nullptr;
    }
    bp_scp_config config_;
    std::string ae_, incoming_;
    struct Rule {
        std::string ae; // "" any
        int family;     // 0 any address
        uint8_t address[16];
        int prefix;
    };
    std::vector<Rule> allowed_;
    std::string listenAddress_;

    /// True when a caller with AE title `calling` from `peer` matches an allow-list entry.
    bool allows(const std::string &calling, const std::string &peer) const {
        if (allowed_.empty()) return true;
        uint8_t bytes[16] = {};
        int family = 0;
        if (inet_pton(AF_INET, peer.c_str(), bytes) == 1) family = AF_INET;
        else if (inet_pton(AF_INET6, peer.c_str(), bytes) == 1) family = AF_INET6;
        for (const Rule &r : allowed_) {
            if (!r.ae.empty() && r.ae != calling) continue;
            if (r.family == 0) return true;
            if (r.family != family) continue;
            bool inside = true;
            for (int bit = 0; bit < r.prefix && inside; ++bit) {
                uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
                inside = (bytes[bit / 8] & mask) == (r.address[bit / 8] & mask);
            }
            if (inside) return true;
        }
        return false;
    }
    std::atomic<uint64_t> nextAssociation_{1};
    std::atomic<unsigned long> largest_{0};
    std::atomic<bool> stopping_{false};
    /// One listening port: the plain one, or the TLS one beside it.
    struct Endpoint {
        RequestListener listener;
        T_ASC_Network *network = nullptr;
        std::unique_ptr<DcmTLSTransportLayer> tls; // null: plain TCP
        bpnet::HandOverLayer plain;                 // the TCP layer of a plain endpoint
        std::thread loop;
    };
    Endpoint plain_, secure_;

    /// A listener thread: connections wait for their request in the endpoint's listener; each
    /// complete request is handed to DCMTK, then to a worker.
    void serve(Endpoint &endpoint) {
        DcmSharedSCPConfig shared(getConfig());
        endpoint.listener.run(stopping_, [&](const RequestListener::Waiting &w) { handOver(w, shared, endpoint); },
                              [&](const std::string &address, const std::string &why) { report(BP_CONN_CLOSED, 0, "", address, why); });
    }

    /// DCMTK reads the (complete, buffered) request from this socket
    /// instead of accepting one itself, then a worker takes the association.
    /// On the TLS port DCMTK first runs the server handshake on it (bounded by
    /// the ACSE timeout through the socket's own timeouts).
    void handOver(const RequestListener::Waiting &w, DcmSharedSCPConfig &shared, Endpoint &endpoint) {
        T_ASC_Association *assoc = nullptr;
        bool secure = endpoint.tls != nullptr;
        if (secure) socketTimeouts(w.fd, static_cast<long>(getConfig().getACSETimeout()));
        OFCondition cond;
        {
            // Held until DCMTK has read the socket (the endpoint's layer releases it), see net_handover.h.
            bpnet::HandOver handOver(w.fd);
            cond = ASC_receiveAssociation(endpoint.network, &assoc, config_.max_pdu, nullptr, nullptr, secure ? OFTrue : OFFalse,
                                          DUL_NOBLOCK, 5);
        }
        if (secure) socketTimeouts(w.fd, 0);
        // The listener's address (IPv4 or IPv6, from accept) replaces DCMTK's, which reads IPv4 only.
        if (cond.good() && assoc->params)
            OFStandard::strlcpy(assoc->params->DULparams.callingPresentationAddress, w.address.c_str(),
                                sizeof assoc->params->DULparams.callingPresentationAddress);
        if (cond.good()) {
            createdHere.reset();
            cond = runAssociation(assoc, shared);
            // OFThread::start() has returned: the worker it started may run (and end) now.
            if (createdHere) createdHere->release();
            createdHere.reset();
            if (cond.bad()) {
                bool busy = cond == NET_EC_SCPBusy;
                std::string calling = assoc->params ? trimmedAE(assoc->params->DULparams.callingAPTitle) : "";
                std::string peer = assoc->params ? assoc->params->DULparams.callingPresentationAddress : "";
                rejectAssociation(assoc, busy ? ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED : ASC_REASON_SP_PRES_TEMPORARYCONGESTION);
                dropAndDestroyAssociation(assoc);
                report(BP_ASSOC_REJECTED, 0, calling, peer, busy ? "too many associations (local limit exceeded)" : cond.text());
            }
        } else {
            // Not an association request DCMTK accepts (garbage, another PDU): it answered or
            // dropped the connection; nothing else to do.
            if (assoc) dropAndDestroyAssociation(assoc);
            if (secure)
                report(BP_ASSOC_REJECTED, 0, "", w.address,
                       std::string("TLS handshake or request failed (no trusted client certificate?): ") + cond.text());
            else
                report(BP_CONN_CLOSED, 0, "", w.address, std::string("not a valid association request: ") + cond.text());
        }
    }

    /// Less free space in the spool than receiving needs: objects are refused (Out of Resources).
    bool spoolLow() const {
        struct statvfs fs;
        unsigned long needed = std::max(2 * largest_.load(), 1UL << 20);
        return statvfs(incoming_.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_bavail) * fs.f_frsize < needed;
    }

    void report(int kind, uint64_t id, const std::string &calling, const std::string &peer, const std::string &detail) {
        if (config_.on_event) config_.on_event(config_.context, kind, id, calling.c_str(), peer.c_str(), detail.c_str());
    }

  protected:
    DcmBaseSCPWorker *createSCPWorker() override {
        Worker *worker = new Worker(*this);
        createdHere = worker->launch_;
        return worker;
    }
};

Worker::Worker(Pool &pool) : DcmBaseSCPPool::DcmBaseSCPWorker(pool), DcmThreadSCP(), owner_(pool) {}

void Worker::run() {
    launch_->wait();
    // DCMTK 3.6.7 never joins nor detaches a pool worker it deletes (it joins only in its own
    // listen(), which bodypart does not use): every association left its thread's stack mapped
    // (8 MiB of address space each, and the pages it touched). Nobody joins this thread.
    pthread_detach(pthread_self());
    DcmBaseSCPPool::DcmBaseSCPWorker::run();
}

OFCondition Worker::workerListen(T_ASC_Association *const assoc) {
    id_ = owner_.nextAssociation_.fetch_add(1);
    objects_ = 0;
    assoc_ = assoc;
    OFCondition cond = DcmThreadSCP::run(assoc);
    // DCMTK 3.6.7 leaves a released association open until the worker is deleted, and the pool
    // deletes it while holding the lock its listener needs; the drop then waits up to 180 s for
    // the peer to close. A peer that keeps its connection after A-RELEASE-RP would stall every
    // new association that long. Close it here, outside the pool's lock, without waiting (the
    // destructor then finds nothing left to drop).
    if (isConnected()) ASC_dropAssociation(assoc);
    return cond;
}

void Worker::event(int kind, const std::string &detail) {
    std::string text = detail;
    if (kind == BP_ASSOC_RELEASED || kind == BP_ASSOC_ABORTED || kind == BP_ASSOC_FAILED)
        text = std::to_string(objects_) + " object(s)" + (detail.empty() ? "" : "; " + detail);
    owner_.report(kind, id_, trimmedAE(getPeerAETitle().c_str()), getPeerIP().c_str(), text);
}

/// Accepts Verification and every storage SOP class in every transfer
/// syntax DCMTK knows, as storescp does (a DcmSCPConfig profile holds at
/// most 128 contexts, fewer than the storage SOP classes).
OFCondition Worker::negotiateAssociation() {
    if (!params_) return DIMSE_ILLEGALASSOCIATION;
    const std::vector<std::string> &syntaxes = bpnet::knownTransferSyntaxes();
    std::vector<const char *> ts;
    for (const std::string &s : syntaxes) ts.push_back(s.c_str());
    const char *verification[] = {UID_VerificationSOPClass};
    const char *plain[] = {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax};
    OFCondition cond = ASC_acceptContextsWithPreferredTransferSyntaxes(params_, verification, 1, plain, 2);
    if (cond.good())
        cond = ASC_acceptContextsWithPreferredTransferSyntaxes(params_, dcmAllStorageSOPClassUIDs, numberOfDcmAllStorageSOPClassUIDs,
                                                               ts.data(), static_cast<int>(ts.size()));
    return cond;
}

OFBool Worker::checkCallingAETitleAccepted(const OFString &callingAE) {
    return owner_.allows(trimmedAE(callingAE.c_str()), getPeerIP().c_str()) ? OFTrue : OFFalse;
}

void Worker::refuseAssociation(const DcmRefuseReasonType reason) {
    const char *why = "refused";
    switch (reason) {
    case DCMSCP_CALLING_AE_TITLE_NOT_RECOGNIZED: why = "calling AE title and address not in the allow-list"; break;
    case DCMSCP_CALLED_AE_TITLE_NOT_RECOGNIZED: why = "called AE title not recognized"; break;
    case DCMSCP_NO_PRESENTATION_CONTEXTS: why = "no acceptable presentation context (not a storage or verification request)"; break;
    case DCMSCP_BAD_APPLICATION_CONTEXT_NAME: why = "bad application context name"; break;
    case DCMSCP_TOO_MANY_ASSOCIATIONS: why = "too many associations"; break;
    default: break;
    }
    DcmThreadSCP::refuseAssociation(reason);
    owner_.report(BP_ASSOC_REJECTED, id_, trimmedAE(getPeerAETitle().c_str()), getPeerIP().c_str(), why);
}

OFCondition Worker::handleIncomingCommand(T_DIMSE_Message *message, const DcmPresentationContextInfo &info) {
    if (message->CommandField == DIMSE_C_STORE_RQ) return store(message->msg.CStoreRQ, info);
    return DcmThreadSCP::handleIncomingCommand(message, info);
}

void Worker::refused(const T_DIMSE_C_StoreRQ &request, const std::string &why) {
    owner_.report(BP_STORE_REFUSED, id_, trimmedAE(getPeerAETitle().c_str()), getPeerIP().c_str(),
                  std::string(request.AffectedSOPInstanceUID) + ": " + why);
}

OFCondition Worker::store(T_DIMSE_C_StoreRQ &request, const DcmPresentationContextInfo &info) {
    std::string path = owner_.incoming_ + "/.recv-" + std::to_string(id_) + "-" + std::to_string(++objects_) + ".part";
    received_ = 0;
    // DCMTK 3.6.7 waits for data that never comes when a write to the file
    // fails on the last PDV: with too little room left, take the dataset in
    // memory, drop it and answer Out of Resources at once.
    if (owner_.spoolLow()) {
        // Skipped on the wire, never parsed (a parse of a hostile dataset could crash).
        DIC_UL bytes = 0, pdvs = 0;
        OFCondition cond = DIMSE_ignoreDataSet(assoc_, DIMSE_NONBLOCKING, static_cast<int>(owner_.config_.dimse_timeout ? owner_.config_.dimse_timeout : 60),
                                               &bytes, &pdvs);
        if (cond.bad()) return cond;
        refused(request, "the spool's file system is full");
        return sendSTOREResponse(info.presentationContextID, request, STATUS_STORE_Refused_OutOfResources);
    }
    OFCondition cond = receiveSTORERequest(request, info.presentationContextID, path.c_str());
    Uint16 status = STATUS_Success;
    if (cond.bad()) {
        std::remove(path.c_str()); // never leave a partial dataset behind
        if (cond.module() != OFM_dcmnet || cond.code() != DIMSEC_OUTOFRESOURCES) return cond; // network: association ends
        refused(request, cond.text());
        status = STATUS_STORE_Refused_OutOfResources;
    } else {
        // A short write (full disk) may surface only when the file is closed:
        // the file must hold the meta header plus every byte received.
        struct stat info_;
        long metaEnd = metaHeaderEnd(path);
        if (metaEnd < 0 || stat(path.c_str(), &info_) != 0 ||
            static_cast<unsigned long>(info_.st_size) != static_cast<unsigned long>(metaEnd) + received_) {
            std::remove(path.c_str());
            refused(request, "incomplete write (disk full?)");
            status = STATUS_STORE_Refused_OutOfResources;
        } else {
            unsigned long size = static_cast<unsigned long>(info_.st_size), known = owner_.largest_.load();
            while (size > known && !owner_.largest_.compare_exchange_weak(known, size)) {}
            std::string calling = trimmedAE(getPeerAETitle().c_str()), peer = getPeerIP().c_str();
            bp_store_request r = {id_, calling.c_str(), peer.c_str(), request.AffectedSOPClassUID,
                                  request.AffectedSOPInstanceUID, info.acceptedTransferSyntax.c_str(), path.c_str()};
            status = owner_.config_.on_store ? owner_.config_.on_store(owner_.config_.context, &r) : STATUS_STORE_Refused_OutOfResources;
        }
    }
    return sendSTOREResponse(info.presentationContextID, request, status);
}

/// A bound, listening, non-blocking socket on `address`:`port` (IPv4 or IPv6 literal), or -1 with `why`.
int openListener(const std::string &address, uint16_t port, std::string &why) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    auto *v4 = reinterpret_cast<sockaddr_in *>(&storage);
    auto *v6 = reinterpret_cast<sockaddr_in6 *>(&storage);
    if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        length = sizeof *v4;
    } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        length = sizeof *v6;
    } else {
        why = "listen address '" + address + "' is not an IPv4 or IPv6 address";
        return -1;
    }
    int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1, off = 0;
    if (fd >= 0 && storage.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off); // "::" takes IPv4 too
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 || listen(fd, 128) != 0) {
        why = address + ": " + std::strerror(errno);
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/// Binds one endpoint's port on the pool's address and sets up its DCMTK network (with the
/// endpoint's TLS layer, if any). DCMTK's network is set up without a listening socket of its
/// own (an external socket handle during the set-up tells it so) and reads each request from the
/// socket handed to it; both go through DCMTK's one global, held by a HandOver (net_handover.h).
bool openEndpoint(Pool &pool, Pool::Endpoint &endpoint, uint16_t port, std::string &why, int &code) {
    int fd = openListener(pool.listenAddress_, port, why);
    if (fd < 0) {
        code = BP_E_IO;
        return false;
    }
    endpoint.listener.listenFd = fd;
    endpoint.listener.requestTimeout = static_cast<int>(pool.getConfig().getACSETimeout());
    endpoint.listener.tls = endpoint.tls != nullptr;
    OFCondition cond;
    {
        bpnet::HandOver handOver(fd); // no other SCP's socket in the global meanwhile (net_handover.h)
        cond = ASC_initializeNetwork(NET_ACCEPTOR, port, 5, &endpoint.network);
    }
    // DCMTK reads each connection's socket from the global; the layer releases it once read.
    if (cond.good())
        cond = ASC_setTransportLayer(endpoint.network, endpoint.tls ? static_cast<DcmTransportLayer *>(endpoint.tls.get()) : &endpoint.plain, 0);
    if (cond.bad()) {
        why = std::string("cannot set up the network: ") + cond.text();
        code = BP_E_IO;
        return false;
    }
    return true;
}

} // namespace

struct bp_scp {
    Pool *pool;
};

extern "C" {


bp_scp *bp_scp_start(const bp_scp_config *config, int *status) {
    bpnet::prepareNetwork();
    Pool *pool = new Pool(*config);
    DcmSCPConfig &cfg = pool->getConfig();
    cfg.setPort(config->port);
    cfg.setAETitle(pool->ae_.c_str());
    cfg.setRespondWithCalledAETitle(OFTrue);
    cfg.setMaxReceivePDULength(config->max_pdu ? config->max_pdu : ASC_DEFAULTMAXPDU);
    cfg.setACSETimeout(config->acse_timeout ? config->acse_timeout : 30);
    cfg.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    cfg.setDIMSETimeout(config->dimse_timeout ? config->dimse_timeout : 60);
    cfg.setHostLookupEnabled(OFFalse);
    cfg.setProgressNotificationMode(OFTrue);
    pool->setMaxThreads(config->max_associations ? config->max_associations : 8);
    // Contexts are accepted in Worker::negotiateAssociation; the profile
    // only needs to exist.
    OFList<OFString> verification;
    verification.push_back(UID_LittleEndianExplicitTransferSyntax);
    verification.push_back(UID_LittleEndianImplicitTransferSyntax);
    cfg.addPresentationContext(UID_VerificationSOPClass, verification);
    std::string why;
    if (config->tls_port != 0) {
        if (!config->tls) why = "a TLS port needs its TLS settings";
        else pool->secure_.tls = bpnet::makeTLSLayer(*config->tls, NET_ACCEPTOR, why);
        if (!pool->secure_.tls) {
            *status = bpnet::fail(BP_E_NET_TLS, why);
            delete pool;
            return nullptr;
        }
    }
    int code = BP_OK;
    if (!openEndpoint(*pool, pool->plain_, config->port, why, code) ||
        (config->tls_port != 0 && !openEndpoint(*pool, pool->secure_, config->tls_port, why, code))) {
        for (Pool::Endpoint *e : {&pool->plain_, &pool->secure_}) {
            if (e->listener.listenFd >= 0) close(e->listener.listenFd);
            if (e->network) ASC_dropNetwork(&e->network);
        }
        *status = bpnet::fail(code, why);
        delete pool;
        return nullptr;
    }
    pool->plain_.loop = std::thread([pool] { pool->serve(pool->plain_); });
    if (config->tls_port != 0) pool->secure_.loop = std::thread([pool] { pool->serve(pool->secure_); });
    *status = BP_OK;
    return new bp_scp{pool};
}

int bp_scp_spool_low(bp_scp *scp) { return scp->pool->spoolLow() ? 1 : 0; }

size_t bp_scp_active_associations(bp_scp *scp) { return scp->pool->numThreads(OFTrue); }

size_t bp_scp_stop(bp_scp *scp, uint32_t wait_seconds) {
    Pool *pool = scp->pool;
    pool->stopping_.store(true);
    for (Pool::Endpoint *e : {&pool->plain_, &pool->secure_}) {
        if (e->loop.joinable()) e->loop.join();
        if (e->listener.listenFd >= 0) close(e->listener.listenFd);
        e->listener.listenFd = -1;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    while (pool->numThreads(OFTrue) > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    size_t left = pool->numThreads(OFTrue);
    // Workers still running keep using the network; it is dropped only when all ended.
    if (left == 0)
        for (Pool::Endpoint *e : {&pool->plain_, &pool->secure_})
            if (e->network) ASC_dropNetwork(&e->network);
    return left;
}

void bp_scp_free(bp_scp *scp) {
    if (!scp) return;
    if (scp->pool->numThreads(OFTrue) == 0) delete scp->pool;
    delete scp;
}

} // extern "C"

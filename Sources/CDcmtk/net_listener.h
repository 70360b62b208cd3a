// The proxy SCP's listening socket (private to the shim): accepts TCP
// connections and waits for their A-ASSOCIATE-RQ on all of them at once, so
// that no connection, silent or slow, holds up another. See net_listener.cpp.
#ifndef BODYPART_NET_LISTENER_H
#define BODYPART_NET_LISTENER_H

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

class RequestListener {
  public:
    /// A TCP connection accepted, its request not complete yet.
    struct Waiting {
        int fd;
        std::string address;
        std::chrono::steady_clock::time_point since;
        bool partial = false; // some bytes came: re-checked each turn instead of polled
    };

    int listenFd = -1;       ///< bound, listening, non-blocking
    int requestTimeout = 30; ///< seconds a connection may wait without a complete request
    /// A TLS port: a connection is ready once its first TLS record header arrived (the
    /// handshake, then the request, are read by DCMTK through the TLS layer).
    bool tls = false;
    static constexpr size_t perAddress = 16, waitingAtMost = 256;

    /// Until `stopping`: accepts connections; calls `ready` with each whose
    /// request is complete in its socket buffer (the callee owns the fd from
    /// then on), closes those that send nothing in time or exceed the caps
    /// (saying why through `closed`). Closes the waiting ones at the end.
    void run(const std::atomic<bool> &stopping, const std::function<void(const Waiting &)> &ready,
             const std::function<void(const std::string &address, const std::string &why)> &closed);

  private:
    void acceptWaiting(std::chrono::steady_clock::time_point now,
                       const std::function<void(const std::string &, const std::string &)> &closed);
    std::vector<Waiting> waiting_;
};

#endif

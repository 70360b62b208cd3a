// See net_listener.h.
#include "net_listener.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int availableBytes(int fd) {
    int available = 0;
    return ioctl(fd, FIONREAD, &available) == 0 ? available : 0;
}

/// 1 when a whole PDU (or 64 KiB of it) is buffered, -1 when the peer closed
/// without sending anything, 0 when still waiting.
int requestState(int fd, bool tls) {
    unsigned char header[6];
    ssize_t got = recv(fd, header, sizeof header, MSG_PEEK | MSG_DONTWAIT);
    if (got == 0) return -1;
    if (got < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    if (tls) return got >= 5 || header[0] != 0x16 ? 1 : 0; // a TLS record header (or not TLS: let the handshake fail)
    if (got < 6) return 0;
    unsigned long length = static_cast<unsigned long>(header[2]) << 24 | header[3] << 16 | header[4] << 8 | header[5];
    unsigned long available = static_cast<unsigned long>(availableBytes(fd));
    return (available >= 6 + length || available >= 65536) ? 1 : 0;
}

} // namespace

void RequestListener::run(const std::atomic<bool> &stopping, const std::function<void(const Waiting &)> &ready,
                          const std::function<void(const std::string &, const std::string &)> &closed) {
    while (!stopping.load()) {
        std::vector<pollfd> fds{{listenFd, POLLIN, 0}};
        bool partial = false;
        for (const Waiting &w : waiting_) {
            fds.push_back({w.fd, static_cast<short>(w.partial ? 0 : POLLIN), 0});
            partial = partial || w.partial;
        }
        int n = poll(fds.data(), fds.size(), partial ? 10 : 200);
        auto now = std::chrono::steady_clock::now();
        std::vector<Waiting> still;
        for (size_t i = 0; i < waiting_.size(); ++i) {
            Waiting w = waiting_[i];
            short events = n > 0 ? fds[i + 1].revents : 0;
            int state = (events != 0 || w.partial) ? requestState(w.fd, tls) : 0;
            if (state > 0) {
                ready(w);
            } else if (state < 0) {
                close(w.fd); // closed by the peer before any request: nothing to serve
            } else if (now - w.since > std::chrono::seconds(requestTimeout)) {
                close(w.fd);
                closed(w.address, "no association request within " + std::to_string(requestTimeout) + " s: connection closed");
            } else {
                w.partial = w.partial || availableBytes(w.fd) > 0;
                still.push_back(w);
            }
        }
        waiting_.swap(still);
        if (n > 0 && (fds[0].revents & POLLIN)) acceptWaiting(now, closed);
    }
    for (const Waiting &w : waiting_) close(w.fd);
    waiting_.clear();
}

void RequestListener::acceptWaiting(std::chrono::steady_clock::time_point now,
                                    const std::function<void(const std::string &, const std::string &)> &closed) {
    while (true) {
        sockaddr_storage from{};
        socklen_t length = sizeof from;
        int fd = accept4(listenFd, reinterpret_cast<sockaddr *>(&from), &length, SOCK_CLOEXEC);
        if (fd < 0) return; // EAGAIN: none left (or a transient error: next turn)
        char text[INET6_ADDRSTRLEN] = "?";
        if (from.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6 *>(&from)->sin6_addr, text, sizeof text);
        else
            inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in *>(&from)->sin_addr, text, sizeof text);
        std::string address = text;
        if (address.rfind("::ffff:", 0) == 0 && address.find('.') != std::string::npos) address = address.substr(7); // IPv4 on a dual-stack socket
        // Per-address cap on connections waiting for their request: the oldest of that
        // address makes room (a modality sends its request at once; a silent one goes).
        size_t same = 0;
        for (const Waiting &w : waiting_) same += w.address == address ? 1 : 0;
        if (same >= perAddress || waiting_.size() >= waitingAtMost) {
            auto oldest = std::find_if(waiting_.begin(), waiting_.end(),
                                       [&](const Waiting &w) { return same < perAddress || w.address == address; });
            if (oldest != waiting_.end()) {
                close(oldest->fd);
                closed(oldest->address, "too many connections from " + oldest->address + " without an association request: the oldest closed");
                waiting_.erase(oldest);
            }
        }
        waiting_.push_back({fd, address, now});
    }
}

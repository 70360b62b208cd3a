// What the network files of the shim share (private): the thread-local
// error text, the TCP_NODELAY set-up, transfer syntax lists, AE title trimming.
#ifndef BODYPART_NET_COMMON_H
#define BODYPART_NET_COMMON_H

#include <string>
#include <vector>

namespace bpnet {

/// Sets the network error text of this thread and returns `code`.
int fail(int code, const std::string &text);

/// DCMTK reads TCP_NODELAY from the environment when it opens a socket: set it once.
void prepareNetwork();

/// Every transfer syntax DCMTK knows, uncompressed first: what the SCP
/// accepts, in its order of preference.
const std::vector<std::string> &knownTransferSyntaxes();

/// An AE title without its padding: PS3.5 §6.2 makes leading and trailing spaces insignificant.
std::string trimmedAE(const char *title);

} // namespace bpnet

#endif

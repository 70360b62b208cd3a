/*
 * CDcmtkNet: the DICOM network part of bodypart's DCMTK shim (dcmnet), for
 * `bodypart proxy`: a storage SCP that receives objects straight to files,
 * and a storage SCU that sends objects over a kept-open association.
 *
 * Same rules as CDcmtk.h: opaque handles, `bp_` prefix, status codes
 * (BP_OK or a BP_E_* code). Network functions keep their own thread-local
 * error text, returned by `bp_net_last_error()`. Strings passed to callbacks
 * are valid only during the call.
 */
#ifndef CDCMTK_NET_H
#define CDCMTK_NET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bp_object bp_object; /* from CDcmtk.h */

/** Network status codes beside CDcmtk.h's BP_E_* (an SCU call returns one of them). */
enum {
    BP_E_NET_ASSOCIATION = 20, /**< no association: the peer cannot be reached or rejected it */
    BP_E_NET_TIMEOUT = 21,     /**< the peer did not answer within the DIMSE timeout */
    BP_E_NET_TLS = 22          /**< TLS set-up failed (certificate, key, CA files) */
};
typedef struct bp_scp bp_scp;       /**< a listening storage SCP (a pool of association threads) */
typedef struct bp_scu bp_scu;       /**< a storage SCU towards one peer */

/** Association events reported to the SCP's event handler. */
enum {
    BP_ASSOC_ACCEPTED = 1, /**< negotiated; `detail` names the accepted contexts count */
    BP_ASSOC_REJECTED = 2, /**< refused; `detail` says why (calling AE or address not allowed, busy, no contexts) */
    BP_ASSOC_RELEASED = 3, /**< ended normally by the peer */
    BP_ASSOC_ABORTED = 4,  /**< aborted by the peer */
    BP_ASSOC_FAILED = 5,   /**< ended by a network or protocol error; `detail` says which */
    BP_STORE_REFUSED = 6,  /**< one C-STORE answered Out of Resources before the store handler saw it (spool
                                full, write failed); `detail` is "SOP_INSTANCE: why"; the association goes on */
    BP_CONN_CLOSED = 7     /**< a TCP connection closed before it became an association (no request in time,
                                too many waiting from one address, not a valid request); `peer_host` says whose */
};

/** One C-STORE request whose dataset has been received completely into
 *  `path` (a Part 10 file, meta header + dataset exactly as received). */
typedef struct {
    uint64_t association_id;
    const char *calling_ae;
    const char *peer_host;
    const char *sop_class_uid;    /**< Affected SOP Class UID of the command */
    const char *sop_instance_uid; /**< Affected SOP Instance UID of the command */
    const char *transfer_syntax_uid;
    const char *path;
} bp_store_request;

/** Decides the DIMSE status of a received object (0x0000 success, 0xA700
 *  out of resources, 0xC000 cannot understand...). Called on the
 *  association's thread; the response is sent when it returns. The handler
 *  owns `path` from then on (move it or remove it). */
typedef uint16_t (*bp_store_handler)(void *context, const bp_store_request *request);

/** Reports an association event (see BP_ASSOC_*). */
typedef void (*bp_event_handler)(void *context, int event, uint64_t association_id, const char *calling_ae,
                                 const char *peer_host, const char *detail);

/** DICOM TLS (DCMTK dcmtls over OpenSSL, BCP 195 profile: TLS 1.2 or later). */
typedef struct {
    const char *certificate;  /**< our certificate, PEM; NULL: none (an SCU without a client certificate) */
    const char *private_key;  /**< its private key, PEM (unencrypted) */
    const char *const *trusted_cas; /**< PEM files or folders (hashed, c_rehash) of CA certificates we trust */
    size_t trusted_count;
    int verify_peer;          /**< 1: the peer must present a certificate signed by a trusted CA; 0: not asked/checked */
} bp_tls_config;

/** One allow-list entry: a calling AE title, an address range, or both (both must hold). */
typedef struct {
    const char *ae_title; /**< NULL or "": any calling AE title (padding ignored) */
    int family;           /**< 0: any address; AF_INET or AF_INET6: `address`/`prefix` must hold the peer */
    uint8_t address[16];  /**< network address (4 bytes used for AF_INET) */
    uint8_t prefix;       /**< prefix length in bits */
} bp_allow_rule;

/** How the SCP listens and whom it accepts. */
typedef struct {
    uint16_t port;
    const char *listen_address; /**< IPv4 or IPv6 literal to bind; NULL or "": every IPv4 interface (0.0.0.0) */
    const char *ae_title;
    uint32_t max_pdu;           /**< maximum receive PDU length (bytes) */
    uint16_t max_associations;  /**< concurrent associations; more are rejected (local limit exceeded) */
    uint32_t acse_timeout;      /**< seconds for association negotiation */
    uint32_t dimse_timeout;     /**< seconds a peer may stay silent inside an association */
    const bp_allow_rule *allow_rules; /**< a caller is accepted when any rule matches; none: every caller */
    size_t allow_count;
    const char *incoming_folder; /**< where datasets are received (temporary names) */
    uint16_t tls_port;           /**< 0: none; else a second port on the same address speaking DICOM over TLS */
    const bp_tls_config *tls;    /**< the TLS port's settings (certificate and key required) */
    void *context;
    bp_store_handler on_store;
    bp_event_handler on_event;
} bp_scp_config;

/** The last network error text of this thread (never NULL). */
const char *bp_net_last_error(void);

/** Binds `listen_address`:port and starts accepting associations on a thread of its own
 *  (which waits for every connection's A-ASSOCIATE-RQ at once, up to the ACSE
 *  timeout, at most 16 waiting per peer address: the oldest makes room):
 *  Verification, and every storage SOP class with every transfer syntax
 *  DCMTK knows. Returns NULL (and sets *status) when the port cannot be
 *  opened. */
bp_scp *bp_scp_start(const bp_scp_config *config, int *status);

/** 1 when objects are answered Out of Resources now: the spool's free space is
 *  below what the SCP needs to receive (twice the largest object seen, at least 1 MiB). */
int bp_scp_spool_low(bp_scp *scp);

/** Number of associations being served now. */
size_t bp_scp_active_associations(bp_scp *scp);

/** Stops accepting (the port is closed), then waits up to `wait_seconds`
 *  for the associations in progress to end. Returns the number still
 *  running when it gave up (0 when all ended). Call once. */
size_t bp_scp_stop(bp_scp *scp, uint32_t wait_seconds);

/** Frees a stopped SCP. */
void bp_scp_free(bp_scp *scp);

/** Where an SCU sends. */
typedef struct {
    const char *ae_title;  /**< our (calling) AE title */
    const char *peer_ae;   /**< the destination's (called) AE title */
    const char *host;
    uint16_t port;
    uint32_t max_pdu;
    uint32_t acse_timeout;  /**< seconds, also the TCP connect timeout */
    uint32_t dimse_timeout; /**< seconds to wait for a response */
    const bp_tls_config *tls; /**< NULL: plain TCP; else TLS towards the peer */
} bp_scu_config;

bp_scu *bp_scu_new(const bp_scu_config *config);
void bp_scu_free(bp_scu *scu);

/** 1 when an association is open. */
int bp_scu_connected(bp_scu *scu);

/** Opens an association proposing, for each pair i, the SOP class
 *  `sop_classes[i]` in `transfer_syntaxes[i]`, plus for each SOP class a
 *  context with Explicit and Implicit VR Little Endian. Closes (releases)
 *  the current association first. BP_E_NET_ASSOCIATION when the peer cannot be
 *  reached or rejects the association (see bp_net_last_error). */
int bp_scu_connect(bp_scu *scu, const char *const *sop_classes, const char *const *transfer_syntaxes, size_t count);

/** 1 when the open association can carry an object of this SOP class and
 *  transfer syntax: accepted as is, or, for an uncompressed syntax, in
 *  Explicit or Implicit VR Little Endian (a lossless conversion). */
int bp_scu_can_send(bp_scu *scu, const char *sop_class_uid, const char *transfer_syntax_uid);

/** Sends the object's dataset with C-STORE: in its own transfer syntax when
 *  accepted, else converted losslessly (uncompressed only). BP_OK when a
 *  response came back (its status in *dimse_status); BP_E_UNSUPPORTED when
 *  no accepted context fits; BP_E_IO on a network error (the association is
 *  then closed). */
int bp_scu_store(bp_scu *scu, bp_object *object, uint16_t *dimse_status);

/** Releases the association (no error if none). */
void bp_scu_release(bp_scu *scu);

/** Opens an association with Verification only, sends C-ECHO, releases.
 *  BP_OK when the echo succeeded; BP_E_NET_ASSOCIATION when no association,
 *  BP_E_IO when the echo failed inside it. */
int bp_scu_echo(const bp_scu_config *config);

/** Called once per C-FIND match with its top-level elements (sequences left
 *  out) as DICOM keywords and text values (several values joined by `\`,
 *  converted to UTF-8 where the declared character set allows). */
typedef void (*bp_match_handler)(void *context, size_t count, const char *const *keywords, const char *const *values);

/** The end of a C-MOVE: the final response's status and sub-operation counts. */
typedef struct {
    uint16_t status;
    uint16_t completed, failed, warning, remaining;
} bp_move_result;

/** C-FIND in the Study Root model on an association of its own, at `level`
 *  ("STUDY", "SERIES" or "IMAGE"); the identifier is QueryRetrieveLevel plus
 *  `keywords[i]` = `values[i]` (an empty value asks for the attribute back).
 *  Each pending response goes to `on_match`; the final status is in
 *  *final_status. BP_OK when the final response came (whatever its status);
 *  BP_E_INVALID for a keyword DCMTK does not know; BP_E_NET_ASSOCIATION,
 *  BP_E_NET_TIMEOUT or BP_E_IO otherwise (see bp_net_last_error). */
int bp_scu_find(const bp_scu_config *config, const char *level, const char *const *keywords, const char *const *values,
                size_t count, void *context, bp_match_handler on_match, uint16_t *final_status);

/** C-MOVE in the Study Root model to the AE title `move_destination` (which
 *  the peer must know), identifier as for bp_scu_find. BP_OK when the final
 *  response came: its status and counts in *result. Same errors as bp_scu_find. */
int bp_scu_move(const bp_scu_config *config, const char *level, const char *move_destination, const char *const *keywords,
                const char *const *values, size_t count, bp_move_result *result);

#ifdef __cplusplus
}
#endif
#endif

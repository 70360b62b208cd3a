import Audit
import Foundation

/// Who is calling the console, from the `Authorization` header, and the
/// CSRF token of each caller.
///
/// Credentials are compared by their SHA-256 (only hashes are configured).
/// The CSRF token is an HMAC-SHA256 of the caller's identity under a key
/// drawn at start: a page hands it out in a hidden field, and a POST is
/// refused unless it carries the token of the same identity. It needs no
/// session store and stops being valid when the proxy restarts.
struct ConsoleAuth: Sendable {
    let settings: ConsoleSettings
    private let key: [UInt8]

    init(settings: ConsoleSettings, key: [UInt8] = ConsoleAuth.randomKey()) {
        self.settings = settings
        self.key = key
    }

    /// The caller's identity (`token` or `user:NAME`), nil when the header
    /// carries no valid credential.
    func identity(authorization: String?) -> String? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0].lowercased() {
        case "bearer":
            guard let expected = settings.tokenSHA256 else { return nil }
            return ConsoleAuth.same(SHA256.hex(parts[1].trimmingCharacters(in: .whitespaces)), expected) ? "token" : nil
        case "basic":
            guard let data = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)),
                let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":")
            else { return nil }
            let name = String(pair[..<colon]), password = String(pair[pair.index(after: colon)...])
            let hash = SHA256.hex(password)
            // Every user is compared, so the time taken does not tell which names exist.
            var found: String?
            for user in settings.users where ConsoleAuth.same(hash, user.passwordSHA256) && user.name == name {
                found = "user:" + name
            }
            return found
        default:
            return nil
        }
    }

    /// The CSRF token of `identity` (hex HMAC-SHA256).
    func csrfToken(for identity: String) -> String {
        SHA256.hex(ConsoleAuth.hmac(key: key, message: Array(identity.utf8)))
    }

    /// True when `token` is `identity`'s CSRF token.
    func checkCSRF(_ token: String?, identity: String) -> Bool {
        guard let token else { return false }
        return ConsoleAuth.same(token, csrfToken(for: identity))
    }

    /// HMAC-SHA256 (RFC 2104).
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block =
            key.count > 64
            ? {
                var h = SHA256(); h.update(key); return h.finalize()
            }() : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// Compares two strings in time that depends on their length only.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// 32 bytes from the system's random source.
    static func randomKey() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

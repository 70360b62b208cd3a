import Foundation

/// One person allowed into the web console with HTTP basic auth.
public struct ConsoleUser: Sendable, Hashable {
    /// The user name typed at the browser's prompt.
    public var name: String
    /// SHA-256 of the password, lower-case hex (`printf %s PASSWORD | sha256sum`).
    public var passwordSHA256: String

    public init(name: String, passwordSHA256: String) {
        self.name = name
        self.passwordSHA256 = passwordSHA256.lowercased()
    }
}

/// The proxy's HTTP console (`console:` in the configuration): where it
/// listens and who may see its pages. `/metrics` and `/healthz` are served
/// to anyone who can reach the address; the pages and actions only to a
/// caller with the bearer token or a listed user. Nothing opens the pages
/// by default: without `token_sha256` and `users` they answer 404 with a
/// line saying how to configure them.
public struct ConsoleSettings: Sendable, Hashable {
    /// Address the HTTP server binds (default loopback only).
    public var listen = "127.0.0.1"
    /// SHA-256 (hex) of the bearer token scripts send as `Authorization: Bearer TOKEN`.
    public var tokenSHA256: String?
    /// Users allowed with basic auth.
    public var users: [ConsoleUser] = []

    public init() {}

    /// True when some credential is configured, so the pages are served.
    public var pagesEnabled: Bool { tokenSHA256 != nil || !users.isEmpty }

    /// The line the pages answer while no credential is configured.
    public static let howToEnable =
        "the console pages are off: set console.token_sha256 or console.users "
        + "[{name, password_sha256}] in the proxy configuration (docs/proxy.md, \"Web console\")\n"

    /// Checks the address and the hashes.
    public func validate() throws(ProxyError) {
        if listen.isEmpty { throw .configuration("console.listen must be an address (127.0.0.1, 0.0.0.0, ::1)") }
        let hashes =
            (tokenSHA256.map { [("console.token_sha256", $0)] } ?? [])
            + users.map { ("console.users \($0.name): password_sha256", $0.passwordSHA256) }
        for (key, hash) in hashes where !ConsoleSettings.isSHA256(hash) {
            throw .configuration("\(key) must be 64 hex digits (printf %s SECRET | sha256sum)")
        }
        var names = Set<String>()
        for user in users {
            if user.name.isEmpty || user.name.contains(":") {
                throw .configuration("console.users: a name must be non-empty, without ':'")
            }
            if !names.insert(user.name).inserted {
                throw .configuration("console.users: '\(user.name)' is listed twice")
            }
        }
    }

    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.allSatisfy { $0.isHexDigit }
    }
}

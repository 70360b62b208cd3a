#if canImport(Glibc)
    import Glibc
#endif

/// A range of IPv4 or IPv6 addresses in CIDR notation (`10.1.2.0/24`,
/// `fd00::/8`; a bare address is a range of one).
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// AF_INET or AF_INET6.
    public let family: Int32
    /// The network address, 4 or 16 bytes, host bits cleared.
    public let bytes: [UInt8]
    public let prefixLength: Int

    /// Parses `ADDRESS/PREFIX` or `ADDRESS`; nil when it is neither.
    public init?(parsing text: String) {
        let parts = text.trimmingSpaces().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = Self.bytes(of: String(parts[0])) else { return nil }
        let maximum = address.bytes.count * 8
        var prefix = maximum
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...maximum).contains(value) else { return nil }
            prefix = value
        }
        family = address.family
        prefixLength = prefix
        bytes = Self.masked(address.bytes, prefix)
    }

    /// True when `address` (text, as the listener reports peers) lies in the range.
    /// An IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) counts as its IPv4 address.
    public func contains(_ address: String) -> Bool {
        guard var peer = Self.bytes(of: address) else { return false }
        if peer.family == AF_INET6, peer.bytes.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] {
            peer = (AF_INET, Array(peer.bytes.suffix(4)))
        }
        return peer.family == family && Self.masked(peer.bytes, prefixLength) == bytes
    }

    public var description: String {
        var text = [CChar](repeating: 0, count: 64)
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            + "/\(prefixLength)"
    }

    static func bytes(of text: String) -> (family: Int32, bytes: [UInt8])? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return (AF_INET, withUnsafeBytes(of: &v4) { Array($0) }) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return (AF_INET6, withUnsafeBytes(of: &v6) { Array($0) }) }
        return nil
    }

    static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = max(0, min(8, prefix - index * 8))
            return bits == 8 ? byte : byte & ~(UInt8(0xFF) >> bits)
        }
    }
}

/// One entry of the SCP's allow-list: a calling AE title, an address range,
/// or both (both must hold). A caller is accepted when any entry matches;
/// an empty list accepts every caller.
public struct CallerRule: Sendable, Hashable, CustomStringConvertible {
    /// The calling AE title (padding ignored); nil: any.
    public var aeTitle: String?
    /// Where the caller connects from; nil: anywhere.
    public var from: AddressRange?

    public init(aeTitle: String? = nil, from: AddressRange? = nil) {
        self.aeTitle = aeTitle
        self.from = from
    }

    /// True when a caller with this AE title from this address matches.
    public func matches(callingAE: String, address: String) -> Bool {
        let trimmed = callingAE.trimmingSpaces()
        if let aeTitle, aeTitle.trimmingSpaces() != trimmed { return false }
        if let from, !from.contains(address) { return false }
        return true
    }

    public var description: String {
        switch (aeTitle, from) {
        case let (ae?, range?): return "\(ae) from \(range)"
        case let (ae?, nil): return ae
        case let (nil, range?): return "any AE from \(range)"
        case (nil, nil): return "anyone"
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}

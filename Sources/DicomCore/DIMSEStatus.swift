/// A DIMSE status code (PS3.7 Annex C) with the meaning PS3.4 gives its
/// range: what a C-STORE, C-FIND or C-MOVE response says, and what the
/// proxy answers. Codes are compared through their `kind` and failure
/// `category`, never as hex literals spread through the code.
public struct DIMSEStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// The outcome class of a status (PS3.7 C.1).
    public enum Kind: String, Sendable {
        case success, pending, cancel, warning, failure
    }

    /// Which kind of failure a failure status is (PS3.4 service class ranges).
    public enum FailureCategory: String, Sendable {
        /// 0xA7xx: the peer lacks resources (disk full, too many matches, sub-operations).
        case outOfResources
        /// 0xA9xx: the data set or identifier does not match the SOP class.
        case dataSetDoesNotMatchSOPClass
        /// 0xCxxx: the peer cannot understand or process the request.
        case cannotUnderstand
        /// 0xA801: C-MOVE destination unknown.
        case moveDestinationUnknown
        /// 0x0122: SOP class not supported.
        case sopClassNotSupported
        /// 0x0211 etc.: PS3.7 general failures (unrecognized operation, duplicate invocation...).
        case general
    }

    public var kind: Kind {
        switch rawValue {
        case 0x0000: return .success
        case 0xFF00, 0xFF01: return .pending
        case 0xFE00: return .cancel
        case 0x0001, 0x0107, 0x0116, 0xB000...0xBFFF: return .warning
        default: return .failure
        }
    }

    /// The failure's category, nil for a status that is not a failure.
    public var failureCategory: FailureCategory? {
        guard kind == .failure else { return nil }
        switch rawValue {
        case 0xA700...0xA7FF: return .outOfResources
        case 0xA900...0xA9FF: return .dataSetDoesNotMatchSOPClass
        case 0xC000...0xCFFF: return .cannotUnderstand
        case 0xA801: return .moveDestinationUnknown
        case 0x0122: return .sopClassNotSupported
        default: return .general
        }
    }

    /// Success or a warning: the peer took the object (PS3.4 B.2.3: a warning is still stored).
    public var isSuccessOrWarning: Bool { kind == .success || kind == .warning }

    /// `0xA700` style.
    public var hex: String {
        let digits = String(rawValue, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    public var description: String {
        switch failureCategory {
        case nil: return "\(hex) (\(kind.rawValue))"
        case let category?: return "\(hex) (failure: \(category.rawValue))"
        }
    }

    // MARK: - Statuses bodypart sends or reads by name

    public static let success = DIMSEStatus(0x0000)
    /// C-FIND / C-MOVE: more responses follow.
    public static let pending = DIMSEStatus(0xFF00)
    /// C-FIND: pending, some optional keys not supported.
    public static let pendingWarning = DIMSEStatus(0xFF01)
    public static let cancel = DIMSEStatus(0xFE00)
    /// C-STORE warning: data elements coerced.
    public static let coercionOfDataElements = DIMSEStatus(0xB000)
    /// C-MOVE warning: some sub-operations failed or had warnings.
    public static let subOperationsCompletedWithFailures = DIMSEStatus(0xB000)
    /// C-STORE refused: out of resources (the proxy answers this when the spool cannot take an object).
    public static let outOfResources = DIMSEStatus(0xA700)
    /// C-MOVE failure: out of resources, unable to calculate number of matches.
    public static let outOfResourcesMatches = DIMSEStatus(0xA701)
    /// C-MOVE failure: out of resources, unable to perform sub-operations.
    public static let outOfResourcesSubOperations = DIMSEStatus(0xA702)
    /// C-MOVE failure: move destination unknown.
    public static let moveDestinationUnknown = DIMSEStatus(0xA801)
    /// Data set (or identifier) does not match SOP class.
    public static let dataSetDoesNotMatchSOPClass = DIMSEStatus(0xA900)
    /// Cannot understand: the proxy answers this for a dataset it cannot read.
    public static let cannotUnderstand = DIMSEStatus(0xC000)
    /// bodypart's own Cannot Understand codes for a received dataset (docs/conformance.md).
    public static let truncatedDataSet = DIMSEStatus(0xC001)
    public static let nestedTooDeep = DIMSEStatus(0xC002)
    public static let malformedDataSet = DIMSEStatus(0xC003)
    /// SOP class not supported.
    public static let sopClassNotSupported = DIMSEStatus(0x0122)
}

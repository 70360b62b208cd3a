import Foundation
import Anatomy

/// Errors reading or writing a model file.
public enum ModelFileError: Error, CustomStringConvertible, Sendable {
    /// The file does not start with the model magic.
    case notAModel(String)
    /// The file's format version is not supported by this build.
    case unsupportedVersion(String, UInt32)
    /// The file is shorter than its header says or its header is malformed.
    case corrupt(String, String)

    /// One line a person can act on.
    public var description: String {
        switch self {
        case .notAModel(let path): "\(path): not a bodypart model file (bad magic); pass a .bpmodel file written by `bodypart train`"
        case .unsupportedVersion(let path, let v): "\(path): model format version \(v) is not supported (this build reads \(ModelFile.readableVersions.lowerBound)–\(ModelFile.readableVersions.upperBound)); retrain or upgrade bodypart"
        case .corrupt(let path, let why): "\(path): corrupt model file (\(why)); retrain or restore it"
        }
    }
}

/// The binary `.bpmodel` format (see docs/model-format.md): magic, version, a JSON header,
/// then the int8-quantized linear weights and the optional forest.
public enum ModelFile {
    /// First 8 bytes of every model file.
    public static let magic: [UInt8] = Array("BPMODEL\u{0}".utf8)
    /// Current format version (2: header key `agreementThreshold`; 3: `sharedEvidence`,
    /// `sharedWeights`; 4: `storedTerm`; 5: `readingPatterns`; 6: `partThreshold`, `trunkThresholds`;
    /// 7: `trunkScope`, where the trunk thresholds apply).
    public static let version: UInt32 = 7
    /// Versions this build reads (version 1 files have no agreement threshold, version 1–2 files
    /// no shared evidence weights).
    public static let readableVersions: ClosedRange<UInt32> = 1...7

    /// The JSON header.
    struct Header: Codable {
        var modelID: String
        var classes: [String]
        var hashing: FeatureHashing
        var temperature: Double
        var threshold: Double
        var agreementThreshold: Double?
        /// The stored term as evidence, version 4.
        var storedTerm: StoredTermEvidence?
        /// Threshold of coarser answers, version 4.
        var coarserThreshold: Double?
        /// Reading patterns that answer, with their confidence, version 5.
        var readingPatterns: [String: Double]?
        /// Threshold of answers naming a class outside the trunk, version 6.
        var partThreshold: Double?
        /// Thresholds of trunk classes on cross-sectional scans, version 6.
        var trunkThresholds: [String: Double]?
        /// Where the trunk thresholds apply, version 7 (version 6: `named`).
        var trunkScope: TrunkScope?
        var linearShare: Double
        var info: [String: String]
        var linearOffset: Int
        var linearEncoding: String
        var forestOffset: Int?
        var forestLength: Int?
        /// Names of the class-shared evidence features (``SharedEvidence/names``), version 3.
        var sharedEvidence: [String]?
        /// Their weights, in the same order.
        var sharedWeights: [Float]?
    }

    /// Serializes a model.
    public static func encode(_ model: BodyPartModel) -> Data {
        let c = model.classes.count, buckets = model.linear.buckets
        var scales = [Float](repeating: 0, count: c)
        model.linear.weights.withUnsafeBufferPointer { w in
            for f in 0..<buckets { for k in 0..<c { scales[k] = max(scales[k], abs(w[f * c + k])) } }
        }
        for k in 0..<c { scales[k] = scales[k] > 0 ? scales[k] / 127 : 1 }
        var linear = Data()
        linear.reserveCapacity(8 * c + buckets * c)
        for b in model.linear.bias { append(&linear, b.bitPattern) }
        for s in scales { append(&linear, s.bitPattern) }
        var q = [Int8](repeating: 0, count: buckets * c)
        model.linear.weights.withUnsafeBufferPointer { w in
            for i in 0..<(buckets * c) { q[i] = Int8(max(-127, min(127, (w[i] / scales[i % c]).rounded()))) }
        }
        q.withUnsafeBytes { linear.append(contentsOf: $0) }
        let forest = model.forest?.encoded() ?? Data()
        var header = Header(modelID: model.modelID, classes: model.classes, hashing: model.hashing,
                            temperature: model.temperature, threshold: model.threshold,
                            agreementThreshold: model.agreementThreshold, storedTerm: model.storedTerm,
                            coarserThreshold: model.coarserThreshold,
                            readingPatterns: model.readingPatterns.isEmpty ? nil : model.readingPatterns,
                            partThreshold: model.partThreshold, trunkThresholds: model.trunkThresholds,
                            trunkScope: model.trunkThresholds == nil ? nil : model.trunkScope,
                            linearShare: model.linearShare,
                            info: model.info, linearOffset: 0, linearEncoding: "int8-per-class-scale",
                            forestOffset: nil, forestLength: nil,
                            sharedEvidence: model.linear.shared.isEmpty ? nil : SharedEvidence.names,
                            sharedWeights: model.linear.shared.isEmpty ? nil : model.linear.shared)
        // Offsets depend on the header length; fixed-width placeholders make two passes converge.
        var json = Data()
        for _ in 0..<3 {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            json = (try? encoder.encode(header)) ?? Data()
            let start = align(16 + json.count)
            header.linearOffset = start
            header.forestOffset = forest.isEmpty ? nil : start + linear.count
            header.forestLength = forest.isEmpty ? nil : forest.count
        }
        var out = Data(magic)
        append(&out, version)
        append(&out, UInt32(json.count))
        out.append(json)
        out.append(Data(count: header.linearOffset - out.count))
        out.append(linear)
        out.append(forest)
        return out
    }

    /// Parses a model from bytes; `path` names the source in errors.
    public static func decode(_ data: Data, path: String = "model") throws -> BodyPartModel {
        guard data.count >= 16, Array(data.prefix(8)) == magic else { throw ModelFileError.notAModel(path) }
        let v = read(data, 8), hl = Int(read(data, 12))
        guard readableVersions.contains(v) else { throw ModelFileError.unsupportedVersion(path, v) }
        guard data.count >= 16 + hl else { throw ModelFileError.corrupt(path, "truncated header") }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data.subdata(in: 16..<(16 + hl))) }
        catch { throw ModelFileError.corrupt(path, "header: \(error)") }
        let c = header.classes.count, buckets = header.hashing.buckets
        let start = header.linearOffset
        guard c > 0, data.count >= start + 8 * c + buckets * c else { throw ModelFileError.corrupt(path, "truncated weights") }
        var bias = [Float](repeating: 0, count: c), scales = bias
        for k in 0..<c {
            bias[k] = Float(bitPattern: read(data, start + 4 * k))
            scales[k] = Float(bitPattern: read(data, start + 4 * (c + k)))
        }
        var weights = [Float](repeating: 0, count: buckets * c)
        data.withUnsafeBytes { raw in
            let q = raw.baseAddress!.advanced(by: start + 8 * c).assumingMemoryBound(to: Int8.self)
            weights.withUnsafeMutableBufferPointer { w in
                for f in 0..<buckets { for k in 0..<c { w[f * c + k] = Float(q[f * c + k]) * scales[k] } }
            }
        }
        var shared: [Float] = []
        if v >= 3, let weights = header.sharedWeights {
            guard header.sharedEvidence == SharedEvidence.names, weights.count == SharedEvidence.count else {
                throw ModelFileError.corrupt(path, "its shared evidence features are not the ones this build computes")
            }
            shared = weights
        }
        var forest: RandomForest? = nil
        if let fo = header.forestOffset, let fl = header.forestLength {
            guard data.count >= fo + fl else { throw ModelFileError.corrupt(path, "truncated forest") }
            forest = try RandomForest(encoded: data.subdata(in: fo..<(fo + fl)), path: path)
        }
        var model = BodyPartModel(modelID: header.modelID, classes: header.classes, hashing: header.hashing,
                             linear: LinearWeights(classCount: c, buckets: buckets, weights: weights, bias: bias, shared: shared),
                             forest: forest, linearShare: header.linearShare, temperature: header.temperature,
                             threshold: header.threshold, agreementThreshold: v >= 2 ? header.agreementThreshold : nil,
                             storedTerm: v >= 4 ? header.storedTerm : nil, info: header.info)
        model.coarserThreshold = v >= 4 ? header.coarserThreshold : nil
        model.readingPatterns = v >= 5 ? header.readingPatterns ?? [:] : [:]
        model.partThreshold = v >= 6 ? header.partThreshold : nil
        model.trunkThresholds = v >= 6 ? header.trunkThresholds : nil
        model.trunkScope = v >= 7 ? header.trunkScope ?? .settled : .named
        return model
    }

    /// `bp-meta-YYYY.MM-<8 hex>`: the date and a hash of the quantized weights and classes.
    public static func modelID(for model: BodyPartModel, date: Date = Date()) -> String {
        var copy = model
        copy.modelID = ""
        copy.info = [:]
        let bytes = encode(copy)
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "bp-meta-%04d.%02d-%08x", parts.year ?? 0, parts.month ?? 0, UInt32(truncatingIfNeeded: h >> 32))
    }

    static func align(_ n: Int) -> Int { (n + 15) & ~15 }

    static func append<T: FixedWidthInteger>(_ data: inout Data, _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    static func read(_ data: Data, _ offset: Int) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(data[data.startIndex + offset + i]) << (8 * i) }
        return v
    }
}

extension BodyPartModel {
    /// Loads a model file. A model with rule features (feature version 2) needs the taxonomy it
    /// was trained with: `taxonomy`, else the one `Taxonomy.standard()` finds.
    public static func load(from url: URL, taxonomy: Taxonomy? = nil) throws -> BodyPartModel {
        var model = try ModelFile.decode(try Data(contentsOf: url), path: url.path)
        if model.hashing.usesRules { model.taxonomy = try taxonomy ?? Taxonomy.standard() }
        return model
    }

    /// Writes the model file atomically.
    public func save(to url: URL) throws {
        try ModelFile.encode(self).write(to: url, options: .atomic)
    }
}

extension BodyPartModel {
    /// Path of the shipped default model inside the rules folder.
    public static let defaultModelPath = "model/default.bpmodel"

    /// Loads the default model (`Rules/model/default.bpmodel`) from the rules folder that
    /// `RulesDirectory.locate(explicit:)` finds.
    public static func standard(rulesDirectory: String? = nil) throws -> BodyPartModel {
        let rules = try RulesDirectory.locate(explicit: rulesDirectory)
        let taxonomy = try Taxonomy.load(from: rules.appendingPathComponent(RulesDirectory.markerFile))
        return try load(from: rules.appendingPathComponent(defaultModelPath), taxonomy: taxonomy)
    }
}

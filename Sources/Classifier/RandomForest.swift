import Foundation

/// Placeholder; replaced by the tree ensemble.
public struct RandomForest: Sendable {
    func probabilities(_ indices: [UInt32], into out: inout [Float]) {}
    func encoded() -> Data { Data() }
    init() {}
    init(encoded: Data, path: String) throws {}
}

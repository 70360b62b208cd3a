/// What a dedicated MR receive coil says about the region scanned: `coils` in `body-parts.yaml`.
///
/// A head coil images heads, a knee coil knees: the coil is chosen for the region, and
/// ReceiveCoilName (0018,1250) names it even where every description is a pulse sequence
/// ("DTI ortho", "t1_gre_fsp_3d_sag") or empty. A coil built for several regions (a head-neck or
/// spine array, a body or flex coil) says nothing: the vocabulary's `mixed` words veto an answer.
///
/// Words are matched inside the upper-cased name, so "32Ch Head", "Head_32", "HD TRknee PA" and
/// "8HRBRAIN" are read; "HeadNeck_20" is vetoed by NECK. A name whose words point at two
/// classes gives nothing.
public struct CoilVocabulary: Sendable {
    /// Word → class, longest words first.
    public let words: [(word: String, region: String)]
    /// Words that make a coil a multi-region one (no answer).
    public let mixed: [String]
    /// The reliability stated for a coil answer (no training set holds coil names to measure it).
    public let confidence: Double

    /// An empty vocabulary: no coil is read.
    public static let none = CoilVocabulary(words: [], mixed: [], confidence: 0)

    /// Creates a vocabulary (words are upper-cased).
    public init(words: [(word: String, region: String)], mixed: [String], confidence: Double) {
        self.words = words.map { ($0.word.uppercased(), $0.region) }.sorted { $0.word.count > $1.word.count }
        self.mixed = mixed.map { $0.uppercased() }
        self.confidence = confidence
    }

    /// The class the coil named `name` is built for; nil when it names none, several, or is a
    /// multi-region coil.
    public func region(of name: String) -> String? {
        guard !words.isEmpty else { return nil }
        let upper = name.uppercased()
        if mixed.contains(where: { upper.contains($0) }) { return nil }
        var found: String?
        for (word, region) in words where upper.contains(word) {
            if let f = found, f != region { return nil }
            found = region
        }
        return found
    }
}

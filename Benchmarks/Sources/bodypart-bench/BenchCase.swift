/// One measured case: a name, a note for the reader, and a body that runs it
/// once and reports what it measured.
struct BenchCase {
    /// What one run of a case measured.
    struct Sample {
        let files: Int
        let seconds: Double
        /// CPU time (user + system) the work took: less moved than wall time
        /// by other processes competing for the same core.
        let cpuSeconds: Double
        /// Peak resident set size during the run, in KiB (0 if unknown).
        let peakRSSKiB: Int
    }

    let name: String
    let note: String
    let body: () throws -> Sample
}

/// The figures of a case over all its runs, or why it was skipped.
struct CaseResult {
    let name: String
    let note: String
    let samples: [BenchCase.Sample]
    let skipped: String?

    /// The median run by seconds (the middle one; the lower middle for an even count).
    var median: BenchCase.Sample? {
        guard !samples.isEmpty else { return nil }
        return samples.sorted { $0.seconds < $1.seconds }[(samples.count - 1) / 2]
    }

    var filesPerSecond: Double? { median.map { Double($0.files) / $0.seconds } }
}

/// Runs cases round by round (every case once per round, so that slow drift
/// of the machine's load spreads over all of them) and keeps every sample.
enum BenchRunner {
    static func run(_ cases: [BenchCase], runs: Int, progress: (String) -> Void) -> [CaseResult] {
        var samples = Array(repeating: [BenchCase.Sample](), count: cases.count)
        var skipped = Array(repeating: String?.none, count: cases.count)
        for round in 1...runs {
            for (index, benchCase) in cases.enumerated() where skipped[index] == nil {
                do {
                    let sample = try benchCase.body()
                    samples[index].append(sample)
                    progress(
                        "  round \(round)/\(runs) \(benchCase.name): \(Format.fixed(sample.seconds, 3)) s, "
                            + "\(Format.fixed(Double(sample.files) / sample.seconds, 0)) files/s")
                } catch {
                    skipped[index] = "\(error)"
                    progress("  \(benchCase.name): skipped: \(error)")
                }
            }
        }
        return cases.indices.map {
            CaseResult(name: cases[$0].name, note: cases[$0].note, samples: samples[$0], skipped: skipped[$0])
        }
    }
}

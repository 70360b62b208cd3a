import Foundation

/// Temperature scaling and the choice of the abstention threshold, both fitted on held-out data.
public enum Calibration {
    /// In-place softmax of `z / temperature`.
    @inline(__always)
    public static func softmax(_ z: inout [Float], temperature: Float) {
        var m = -Float.infinity
        for v in z where v > m { m = v }
        var sum: Float = 0
        for k in z.indices { let e = exp((z[k] - m) / temperature); z[k] = e; sum += e }
        for k in z.indices { z[k] /= sum }
    }

    /// The temperature minimizing negative log-likelihood of `labels` (class indices) given
    /// uncalibrated `logits`, searched on a log grid from 0.05 to 20 and refined once.
    public static func fitTemperature(logits: [[Float]], labels: [Int]) -> Double {
        func nll(_ t: Double) -> Double {
            var total = 0.0
            for (z, y) in zip(logits, labels) {
                var m = -Float.infinity
                for v in z where v > m { m = v }
                var sum = 0.0
                for v in z { sum += Foundation.exp(Double(v - m) / t) }
                total += -(Double(z[y] - m) / t - Foundation.log(sum))
            }
            return total / Double(max(labels.count, 1))
        }
        var best = 1.0, bestLoss = Double.infinity
        for i in 0...60 {
            let t = 0.05 * Foundation.pow(400, Double(i) / 60)
            let l = nll(t)
            if l < bestLoss { bestLoss = l; best = t }
        }
        for i in -10...10 {
            let t = best * Foundation.pow(1.1, Double(i) / 10)
            let l = nll(t)
            if l < bestLoss { bestLoss = l; best = t }
        }
        return best
    }

    /// The lowest confidence threshold whose wrong-answer rate (wrong answers over all series)
    /// on the given validation answers stays at or below `maxWrongRate`.
    public static func threshold(confidences: [Double], correct: [Bool], maxWrongRate: Double) -> Double {
        let n = confidences.count
        guard n > 0 else { return 0.5 }
        let order = confidences.indices.sorted { confidences[$0] > confidences[$1] }
        var wrong = 0
        var chosen = 1.0
        var i = 0
        while i < n {
            // take all answers with the same confidence together
            var j = i
            var wrongHere = 0
            while j < n && confidences[order[j]] == confidences[order[i]] {
                if !correct[order[j]] { wrongHere += 1 }
                j += 1
            }
            if Double(wrong + wrongHere) / Double(n) > maxWrongRate { break }
            wrong += wrongHere
            chosen = confidences[order[i]]
            i = j
        }
        return chosen
    }

    /// Two operating points chosen together: an answer is accepted when its confidence reaches
    /// `main`, or when it `agrees` with an unambiguous rule match of the series' own descriptions
    /// and its confidence reaches `agreement` (≤ `main`, ≥ `agreementFloor`). Of all pairs whose
    /// wrong answers stay at or below `maxWrongRate` of the series, the one answering most series
    /// (ties: the higher `main`). `main` alone is searched over at most `candidates` confidences;
    /// with `fixedMain`, only the agreement point is searched (none when `fixedMain` already
    /// exceeds the wrong-answer budget).
    public static func thresholds(confidences: [Double], correct: [Bool], agrees: [Bool], maxWrongRate: Double,
                                  agreementFloor: Double = 0.5, fixedMain: Double? = nil, candidates: Int = 400)
        -> (main: Double, agreement: Double)
    {
        let n = confidences.count
        guard n > 0 else { return (0.5, 0.5) }
        let budget = Int((maxWrongRate * Double(n)).rounded(.down) + 1e-9)
        let order = confidences.indices.sorted { confidences[$0] > confidences[$1] }
        let agreeing = order.filter { agrees[$0] }
        // Candidate main thresholds: distinct confidences, thinned to `candidates`, plus 1.
        var distinct: [Double] = []
        for i in order where distinct.last != confidences[i] { distinct.append(confidences[i]) }
        let step = max(1, distinct.count / candidates)
        var mains = stride(from: 0, to: distinct.count, by: step).map { distinct[$0] }
        mains.insert(1.000_001, at: 0)
        var best = (main: fixedMain ?? threshold(confidences: confidences, correct: correct, maxWrongRate: maxWrongRate),
                    agreement: 0.0)
        best.agreement = best.main
        if let fixedMain { mains = [fixedMain] }
        var bestCount = -1
        for t in mains {
            var wrong = 0, count = 0
            for i in order { guard confidences[i] >= t else { break }; count += 1; if !correct[i] { wrong += 1 } }
            guard wrong <= budget else { break }
            // Extend with agreeing answers below t, tied confidences together.
            var agreement = t
            var k = agreeing.firstIndex { confidences[$0] < t } ?? agreeing.count
            while k < agreeing.count {
                let c = confidences[agreeing[k]]
                guard c >= agreementFloor else { break }
                var j = k, w = 0
                while j < agreeing.count && confidences[agreeing[j]] == c { if !correct[agreeing[j]] { w += 1 }; j += 1 }
                if wrong + w > budget { break }
                wrong += w
                count += j - k
                agreement = c
                k = j
            }
            if count > bestCount { bestCount = count; best = (t, min(agreement, t)) }
        }
        return best
    }

    /// Expected calibration error over `bins` equal-width confidence bins.
    public static func expectedCalibrationError(confidences: [Double], correct: [Bool], bins: Int = 10) -> Double {
        guard !confidences.isEmpty else { return 0 }
        var count = [Int](repeating: 0, count: bins)
        var confSum = [Double](repeating: 0, count: bins)
        var hits = [Int](repeating: 0, count: bins)
        for (c, ok) in zip(confidences, correct) {
            let b = min(Int(c * Double(bins)), bins - 1)
            count[b] += 1
            confSum[b] += c
            if ok { hits[b] += 1 }
        }
        var ece = 0.0
        for b in 0..<bins where count[b] > 0 {
            ece += abs(confSum[b] - Double(hits[b])) / Double(confidences.count)
        }
        return ece
    }
}

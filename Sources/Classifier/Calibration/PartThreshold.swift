/// The operating point of answers naming a class outside the trunk (``BodyPartModel/partThreshold``).
///
/// Out of fold on the trusted labels, the model's errors at high confidence are nearly all about a
/// trunk scan's extent (ABDOMEN or ABDOMENPELVIS, CHEST inside a chest-abdomen-pelvis study, a
/// "lung" PET/CT labelled WHOLEBODY): one threshold for every class is set by them, and leaves a
/// brain MR at 0.96 unanswered although such answers are right 97 % of the time from 0.85 on. The
/// part threshold is chosen on the part answers alone, with their own accuracy bar, inside the
/// same wrong-answer budget as everything else. Only answers the descriptions name take it: an MR
/// with no text is BREAST by IDC's habits, not by a hospital's.
extension Calibration {
    /// The lowest confidence `t` (not below `floor`) such that the held-out answers marked `part`
    /// (class outside the trunk, named by the descriptions) whose confidence reaches `t` are right
    /// at least `minAccuracy` of the time (smoothed: one wrong answer more than seen), and the
    /// wrong answers of all series
    /// (those `answered` already, plus the part answers this adds) stay within `maxWrongRate` of
    /// the series. Thresholds are tried from the top down; the search stops where the budget is
    /// spent. Nil when no threshold below `ceiling` qualifies (the main threshold already answers
    /// everything this could).
    public static func partThreshold(confidences: [Double], correct: [Bool], part: [Bool], answered: [Bool],
                                     ceiling: Double, minAccuracy: Double = 0.97, maxWrongRate: Double = 0.02,
                                     floor: Double = 0.5) -> Double? {
        let n = confidences.count
        guard n > 0 else { return nil }
        let budget = Int((maxWrongRate * Double(n)).rounded(.down))
        var wrong = confidences.indices.filter { answered[$0] && !correct[$0] }.count
        let order = confidences.indices.filter { part[$0] }.sorted { confidences[$0] > confidences[$1] }
        var seen = 0, right = 0
        var chosen: Double? = nil
        var i = 0
        while i < order.count {
            let c = confidences[order[i]]
            guard c >= floor else { break }
            var j = i, added = 0, addedWrong = 0, addedRight = 0
            while j < order.count && confidences[order[j]] == c {
                let k = order[j]
                added += 1
                if correct[k] { addedRight += 1 } else if !answered[k] { addedWrong += 1 }
                j += 1
            }
            seen += added
            right += addedRight
            wrong += addedWrong
            guard wrong <= budget else { break }
            if c < ceiling && Double(right) / Double(seen + 1) >= minAccuracy { chosen = c }
            i = j
        }
        return chosen
    }

    /// Per class, the lowest confidence (not below `floor`) at which that class's held-out answers
    /// are right at least `minAccuracy` of the time (smoothed: one wrong answer more than seen);
    /// `never` (above any confidence) for a class no threshold brings there. `classOf` gives each
    /// row's answer class, nil for rows this does not decide. A trunk class is wrong for different
    /// reasons than another: ABDOMEN at 0.97 is right 86 % of the time out of fold (the pelvis is
    /// often in the scan), PELVIS at 0.9 98 %, so one threshold for both is wrong for both.
    ///
    /// With a `ceiling` (the main threshold), only the answers the lower threshold adds count: those
    /// from the ceiling up are given anyway, and a phantom called "Chest" answered CHEST at 0.99
    /// says nothing about CHEST at 0.9.
    public static func classThresholds(confidences: [Double], correct: [Bool], classOf: [Int?], minAccuracy: Double = 0.97,
                                       floor: Double = 0.5, never: Double = 1.01, ceiling: Double = .infinity) -> [Int: Double] {
        var rows: [Int: [Int]] = [:]
        for i in confidences.indices where confidences[i] < ceiling { if let c = classOf[i] { rows[c, default: []].append(i) } }
        var out: [Int: Double] = [:]
        for (c, list) in rows {
            let order = list.sorted { confidences[$0] > confidences[$1] }
            var seen = 0, right = 0, chosen = never, i = 0
            while i < order.count {
                let t = confidences[order[i]]
                guard t >= floor else { break }
                while i < order.count && confidences[order[i]] == t {
                    seen += 1
                    if correct[order[i]] { right += 1 }
                    i += 1
                }
                if Double(right) / Double(seen + 1) >= minAccuracy { chosen = t }
            }
            out[c] = chosen
        }
        return out
    }
}

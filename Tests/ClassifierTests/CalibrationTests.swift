import Testing
@testable import Classifier

@Suite("Calibration")
struct CalibrationTests {
    @Test("temperature scaling recovers the temperature that generated the labels")
    func temperature() {
        var rng = SplitMix(seed: 3)
        var logits: [[Float]] = [], labels: [Int] = []
        for _ in 0..<4000 {
            let z: [Float] = (0..<4).map { _ in Float(rng.unit() * 8) }
            var p = z
            Calibration.softmax(&p, temperature: 2)
            let u = Float(rng.unit())
            var acc: Float = 0, y = 3
            for k in 0..<4 { acc += p[k]; if u < acc { y = k; break } }
            logits.append(z); labels.append(y)
        }
        let t = Calibration.fitTemperature(logits: logits, labels: labels)
        #expect(abs(t - 2) < 0.3)
    }

    @Test("calibrated confidence is monotonic in the logit margin")
    func monotonic() {
        var previous: Float = 0
        for margin in stride(from: Float(0), through: 10, by: 0.5) {
            var z: [Float] = [margin, 0, 0]
            Calibration.softmax(&z, temperature: 1.7)
            #expect(z[0] >= previous)
            previous = z[0]
        }
    }

    @Test("a stricter wrong-answer limit never lowers the threshold")
    func thresholdMonotonic() {
        var rng = SplitMix(seed: 9)
        let conf = (0..<1000).map { _ in rng.unit() }
        let correct = conf.map { c in rng.unit() < c }
        var last = 0.0
        for limit in [0.2, 0.1, 0.05, 0.02, 0.01, 0.0] {
            let t = Calibration.threshold(confidences: conf, correct: correct, maxWrongRate: limit)
            #expect(t >= last)
            let wrong = zip(conf, correct).filter { $0.0 >= t && !$0.1 }.count
            #expect(Double(wrong) / 1000 <= limit)
            last = t
        }
    }

    @Test("the agreement point answers more series within the same wrong-answer limit")
    func agreementPoint() {
        var rng = SplitMix(seed: 11)
        let n = 2000
        let conf = (0..<n).map { _ in 0.4 + 0.6 * rng.unit() }
        let agrees = conf.map { _ in rng.unit() < 0.5 }
        // Agreeing answers are right 99.5 % of the time, others as often as their confidence says.
        let correct = zip(conf, agrees).map { c, a in rng.unit() < (a ? 0.995 : c * c) }
        let alone = Calibration.threshold(confidences: conf, correct: correct, maxWrongRate: 0.01)
        let t = Calibration.thresholds(confidences: conf, correct: correct, agrees: agrees, maxWrongRate: 0.01)
        #expect(t.agreement <= t.main && t.agreement >= 0.5)
        var answered = 0, wrong = 0
        for i in 0..<n where conf[i] >= t.main || (agrees[i] && conf[i] >= t.agreement) {
            answered += 1
            if !correct[i] { wrong += 1 }
        }
        #expect(Double(wrong) / Double(n) <= 0.01)
        #expect(answered > conf.filter { $0 >= alone }.count)
        let fixed = Calibration.thresholds(confidences: conf, correct: correct, agrees: agrees, maxWrongRate: 0.01, fixedMain: 0.99)
        #expect(fixed.main == 0.99 && fixed.agreement <= 0.99)
    }

    @Test("expected calibration error is zero for a perfectly calibrated bin")
    func ece() {
        let conf = [0.75, 0.75, 0.75, 0.75]
        #expect(Calibration.expectedCalibrationError(confidences: conf, correct: [true, true, true, false]) < 1e-9)
        #expect(abs(Calibration.expectedCalibrationError(confidences: conf, correct: [false, false, false, false]) - 0.75) < 1e-9)
    }

    @Test("the part threshold is the lowest at which part answers stay right often enough, within the wrong-answer budget")
    func partThreshold() {
        // Ten part answers, right from 0.95 down to 0.60, then a wrong one at 0.55 and right ones below.
        let conf = [0.99, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.52, 0.51]
        let correct = [true, true, true, true, true, true, true, true, true, false, true, true]
        let part = [Bool](repeating: true, count: conf.count)
        let answered = conf.map { $0 >= 0.97 }
        let t = Calibration.partThreshold(confidences: conf, correct: correct, part: part, answered: answered, ceiling: 0.97,
                                          minAccuracy: 0.85, maxWrongRate: 0.5)
        #expect(t == 0.6)
        // A budget with room for no wrong answer stops at the same place; one with none left stops at once.
        #expect(Calibration.partThreshold(confidences: conf, correct: correct, part: part, answered: answered, ceiling: 0.97,
                                          minAccuracy: 0.5, maxWrongRate: 0.05) == 0.6)
        // Wrong answers the main threshold already gives spend the budget.
        let spent = conf.indices.map { $0 < 2 }
        let wrongFirst = conf.indices.map { $0 >= 2 }
        #expect(Calibration.partThreshold(confidences: conf, correct: wrongFirst, part: part, answered: spent, ceiling: 0.97,
                                          minAccuracy: 0.5, maxWrongRate: 0.1) == nil)
        // Rows not marked part never count, and nothing at or above the ceiling is chosen.
        let none = [Bool](repeating: false, count: conf.count)
        #expect(Calibration.partThreshold(confidences: conf, correct: correct, part: none, answered: answered, ceiling: 0.97) == nil)
        #expect(Calibration.partThreshold(confidences: conf, correct: correct, part: part, answered: answered, ceiling: 0.5,
                                          minAccuracy: 0.5, maxWrongRate: 0.5) == nil)
    }

    @Test("each trunk class gets the lowest threshold its own answers earn; one that never earns it gets `never`")
    func classThresholds() {
        // Class 0: right all the way down to 0.55. Class 1: wrong at the top. Rows of class nil do not count.
        var conf: [Double] = [], correct: [Bool] = [], cls: [Int?] = []
        for k in 0..<40 { conf.append(0.95 - Double(k) * 0.01); correct.append(true); cls.append(0) }
        for k in 0..<40 { conf.append(0.99 - Double(k) * 0.01); correct.append(k % 5 != 0); cls.append(1) }
        conf.append(0.98); correct.append(false); cls.append(nil)
        let t = Calibration.classThresholds(confidences: conf, correct: correct, classOf: cls, minAccuracy: 0.97, never: 0.9)
        #expect(abs(t[0]! - 0.56) < 1e-9)
        #expect(t[1] == 0.9)
        #expect(t.count == 2)
        // A stricter bar never lowers a threshold.
        let strict = Calibration.classThresholds(confidences: conf, correct: correct, classOf: cls, minAccuracy: 0.99, never: 0.9)
        #expect(strict[0]! >= t[0]!)
    }
}

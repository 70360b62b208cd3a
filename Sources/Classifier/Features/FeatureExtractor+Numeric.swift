/// Geometric and numeric features: orientation, slice thickness, pixel spacing, frames,
/// instance count, table z-extent, contrast, patient age; each as a bucket label.
extension FeatureExtractor {
    /// `slots`: the series' attribute values in ``keywords`` order.
    func addNumeric(_ slots: [String?], instanceCount n: Int, into v: inout FeatureVector) {
        let modality = slots[Slot.modality] ?? ""
        var orientation: StaticString? = nil
        if let iop = slots[Slot.orientation], Self.parse(iop, into: &v.numbers) >= 6 {
            let r = (v.numbers[0], v.numbers[1], v.numbers[2])
            let c = (v.numbers[3], v.numbers[4], v.numbers[5])
            let n = (abs(r.1 * c.2 - r.2 * c.1), abs(r.2 * c.0 - r.0 * c.2), abs(r.0 * c.1 - r.1 * c.0))
            let m = max(n.0, n.1, n.2)
            orientation = m < 0.8 ? "OBLIQUE" : (m == n.2 ? "AXIAL" : (m == n.1 ? "CORONAL" : "SAGITTAL"))
            v.orientation = m < 0.8 ? 3 : (m == n.2 ? 0 : (m == n.1 ? 1 : 2))
        }
        if let orientation {
            addLabel(orientation, field: .orientation, into: &v)
            addCross(modality, orientation, field: .modalityOrientation, into: &v)
        }
        if let st = slots[Slot.sliceThickness], Self.parse(st, into: &v.numbers) >= 1 {
            let t = v.numbers[0]
            v.values[0] = Float(t)
            let label: StaticString = t <= 1.0 ? "ST<=1" : t <= 2.0 ? "ST<=2" : t <= 3.5 ? "ST<=3.5" : t <= 6 ? "ST<=6" : "ST>6"
            addLabel(label, field: .sliceThickness, into: &v)
            addCross(modality, label, field: .modalityThickness, into: &v)
        }
        if let ps = slots[Slot.pixelSpacing] ?? slots[Slot.imagerPixelSpacing], Self.parse(ps, into: &v.numbers) >= 1 {
            let p = v.numbers[0]
            v.values[1] = Float(p)
            let label: StaticString = p < 0.15 ? "PS<0.15" : p < 0.3 ? "PS<0.3" : p < 0.6 ? "PS<0.6" : p < 1.0 ? "PS<1" : p < 2.0 ? "PS<2" : "PS>=2"
            addLabel(label, field: .pixelSpacing, into: &v)
        }
        if let nf = slots[Slot.frames], Self.parse(nf, into: &v.numbers) >= 1 {
            let f = v.numbers[0]
            v.values[3] = Float(f)
            addLabel(f <= 1 ? "F1" : f <= 10 ? "F<=10" : f <= 100 ? "F<=100" : "F>100", field: .frames, into: &v)
        }
        addLabel(n <= 1 ? "N1" : n <= 10 ? "N<=10" : n <= 60 ? "N<=60" : n <= 200 ? "N<=200" : "N>200", field: .instances, into: &v)
        if let z = slots[Slot.zExtent], Self.parse(z, into: &v.numbers) >= 1 {
            let e = v.numbers[0]
            v.values[2] = Float(e)
            addLabel(e < 60 ? "Z<60" : e < 150 ? "Z<150" : e < 350 ? "Z<350" : e < 600 ? "Z<600" : e < 1000 ? "Z<1000" : "Z>=1000",
                     field: .zExtent, into: &v)
        }
        if let contrast = slots[Slot.contrast], contrast.utf8.contains(where: { $0 > 0x20 }) {
            addLabel("CONTRAST", field: .contrast, into: &v)
            v.values[4] = 1
        }
        if let age = slots[Slot.age], Self.parse(age, into: &v.numbers) >= 1 {
            var years = v.numbers[0]
            if age.hasSuffix("M") { years /= 12 } else if age.hasSuffix("W") { years /= 52 } else if age.hasSuffix("D") { years /= 365 }
            v.values[5] = Float(years)
            addLabel(years < 2 ? "A<2" : years < 12 ? "A<12" : years < 18 ? "A<18" : years < 40 ? "A<40" : years < 65 ? "A<65" : "A>=65",
                     field: .patientAge, into: &v)
        }
    }

    /// Hashes modality crossed with a derived label.
    func addCross(_ modality: String, _ label: StaticString, field: FeatureField, into v: inout FeatureVector) {
        guard !modality.isEmpty else { return }
        let start = v.text.count
        let range = ByteText.withBytes(modality) { ByteText.appendNormalized($0, to: &v.text) }
        guard !range.isEmpty else { return }
        v.text.append(ByteText.space)
        label.withUTF8Buffer { v.text.append(contentsOf: $0) }
        let full = start..<v.text.count
        let hv = v.text.withUnsafeBufferPointer { FeatureHashing.add(hashing.start(field, .category), $0, full) }
        v.add(hashing.bucket(hv), field, full)
    }

    /// Parses up to 8 decimal numbers separated by `\` (or any non-number byte) into `out`;
    /// returns how many were read. Allocation-free once `out` has capacity.
    static func parse(_ s: String, into out: inout [Double]) -> Int {
        out.removeAll(keepingCapacity: true)
        return ByteText.withBytes(s) { buf in
            var i = 0
            while i < buf.count && out.count < 8 {
                var b = buf[i]
                guard (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E else { i += 1; continue }
                var sign = 1.0
                if b == 0x2D || b == 0x2B { sign = b == 0x2D ? -1 : 1; i += 1 }
                var value = 0.0, digits = 0, scale = 1.0, fraction = false
                while i < buf.count {
                    b = buf[i]
                    if b >= 0x30 && b <= 0x39 {
                        if fraction { scale /= 10; value += Double(b - 0x30) * scale } else { value = value * 10 + Double(b - 0x30) }
                        digits += 1
                    } else if b == 0x2E && !fraction { fraction = true } else { break }
                    i += 1
                }
                if i < buf.count && (buf[i] == 0x65 || buf[i] == 0x45) {
                    var j = i + 1, esign = 1.0, e = 0.0
                    if j < buf.count && (buf[j] == 0x2D || buf[j] == 0x2B) { esign = buf[j] == 0x2D ? -1 : 1; j += 1 }
                    while j < buf.count && buf[j] >= 0x30 && buf[j] <= 0x39 { e = e * 10 + Double(buf[j] - 0x30); j += 1 }
                    value *= pow10(esign * e)
                    i = j
                }
                if digits > 0 { out.append(sign * value) }
            }
            return out.count
        }
    }

    static func pow10(_ e: Double) -> Double {
        var r = 1.0
        let n = Int(abs(e))
        for _ in 0..<min(n, 300) { r *= 10 }
        return e < 0 ? 1 / r : r
    }
}

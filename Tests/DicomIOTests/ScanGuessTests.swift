import BodypartTesting
import CDcmtk
import DicomCore
import Foundation
import Testing

@testable import DicomIO

/// The pre-scan enters a UN (or implicit VR) value that starts with an item tag as a sequence, on
/// a guess; when the guess does not parse, the value is skipped as bytes and the scan goes on in
/// the containers around it. Abandoning a guess used to pop every enclosing frame and then the
/// empty stack once more: the next frame pushed was written before the stack's heap block, which
/// corrupted the heap of whatever ran beside it (the full test run died in unrelated tests).
@Suite struct ScanGuessTests {
    typealias H = HostileDicom

    /// (0008,1140) SQ { item { (0009,1010) UN whose value starts like an item of 2 GiB } then,
    /// still inside the sequence, (0010,0010) PN where an item belongs }, then (0010,0020).
    static func guessInsideASequence() -> (bytes: [UInt8], misplacedAt: Int) {
        let guess = H.u16(0xFFFE) + H.u16(0xE000) + H.u32(0x7FFF_FFFF) + [UInt8](repeating: 0x41, count: 8)
        let item = H.element(0x0009, 0x1010, "UN", guess, explicit: true)
        let misplaced = H.element(0x0010, 0x0010, "PN", H.text("DOE^J"), explicit: true)
        let content = H.u16(0xFFFE) + H.u16(0xE000) + H.u32(UInt32(item.count)) + item + misplaced
        let before = H.element(0x0008, 0x0060, "CS", H.text("CT"), explicit: true)
        let sequence = H.header(0x0008, 0x1140, "SQ", length: UInt32(content.count), explicit: true)
        let bytes = before + sequence + content + H.element(0x0010, 0x0020, "LO", H.text("ID"), explicit: true)
        return (bytes, before.count + sequence.count + content.count - misplaced.count)
    }

    static func scan(_ bytes: [UInt8]) -> bp_scan_result {
        var result = bp_scan_result()
        _ = bytes.withUnsafeBytes {
            bp_scan_buffer(
                $0.baseAddress, $0.count, Int32(BP_SCAN_EXPLICIT_LE), 0, UInt32(BP_SCAN_DEFAULT_MAX_DEPTH), &result)
        }
        return result
    }

    static func message(_ result: bp_scan_result) -> String {
        withUnsafeBytes(of: result.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    @Test func anAbandonedGuessKeepsTheSequenceAroundIt() {
        let (bytes, misplacedAt) = Self.guessInsideASequence()
        // Many times over: the bad pop wrote outside the stack only when the heap allowed it.
        for _ in 0..<200 {
            let result = Self.scan(bytes)
            #expect(result.status == Int32(BP_E_MALFORMED), "\(Self.message(result))")
            #expect(result.offset == UInt64(misplacedAt))
            #expect(
                Self.message(result).contains("(0010,0010) at byte \(misplacedAt) inside a sequence"),
                "\(Self.message(result))")
            #expect(result.deepest == 2)
            if result.status != Int32(BP_E_MALFORMED) || !Self.message(result).contains("(0010,0010)") { break }
        }
    }

    @Test func anAbandonedGuessAtTheTopLevelReadsOn() throws {
        // The same value outside any sequence, then a real sequence: the value is skipped, the
        // sequence entered (the bad pop left a frame of heap bytes in its place: a valid file
        // was refused as "inside a sequence, where an item belongs").
        let guess = H.u16(0xFFFE) + H.u16(0xE000) + H.u32(0x7FFF_FFFF) + [UInt8](repeating: 0x41, count: 8)
        let code = H.element(0x0008, 0x0100, "SH", H.text("CT"), explicit: true)
        let body =
            H.element(0x0021, 0x0010, "LO", H.text("BODYPART TEST"), explicit: true)
            + H.element(0x0021, 0x1010, "UN", guess, explicit: true)
            + H.header(0x0022, 0x0015, "SQ", length: UInt32(8 + code.count), explicit: true)
            + H.u16(0xFFFE) + H.u16(0xE000) + H.u32(UInt32(code.count)) + code
        for _ in 0..<200 {
            let result = Self.scan(body)
            #expect(result.status == Int32(BP_OK), "\(Self.message(result))")
            #expect(result.deepest == 1)
            if result.status != Int32(BP_OK) { break }
        }
        try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary)
        let folder = try TestEnvironment.temporaryFolder("scan-guess")
        defer { TestEnvironment.remove(folder) }
        let path = folder.appendingPathComponent("guess.dcm").path
        try Data(H.file(transferSyntax: H.explicitLittleEndian, body: body)).write(to: URL(fileURLWithPath: path))
        let header = try HeaderReader().read(path)
        #expect(header.dataset.string(.modality) == "CT")
        let object = try DicomObject(path: path)
        #expect(object.pixelDataBytes.count == 8)
    }
}

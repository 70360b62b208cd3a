import BodypartTesting
import CDcmtk
import DicomCore
import Foundation
import Testing

@testable import DicomIO

/// Issue 14.1: sequences nested thousands of levels deep overflowed DCMTK's
/// recursive parser (exit 139). Every reader path now bounds depth and
/// lengths before DCMTK parses; the excess is one line of error.
@Suite struct NestingLimitTests {
    init() throws { try Dcmtk.setUp(privateDictionary: TestEnvironment.privateDictionary) }

    static func write(_ bytes: [UInt8], _ name: String) throws -> (URL, String) {
        let folder = try TestEnvironment.temporaryFolder("nesting")
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (folder, path)
    }

    static func expectDepthError(_ path: String) {
        for read in [{ _ = try HeaderReader().read(path) }, { _ = try DicomObject(path: path) }] as [() throws -> Void] {
            do {
                try read()
                Issue.record("a 6,000-level nest was read")
            } catch let error as DicomError {
                #expect(error.kind == "malformed")
                #expect(error.description.contains("nested deeper than \(BP_SCAN_DEFAULT_MAX_DEPTH) levels"), "\(error)")
                #expect(!error.description.contains("\n"))
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test(arguments: [HostileDicom.Lengths.undefined, .defined])
    func sixThousandLevelsAreRefusedNotACrash(lengths: HostileDicom.Lengths) throws {
        let (folder, path) = try Self.write(HostileDicom.nestedSequences(depth: 6000, lengths: lengths), "deep.dcm")
        defer { TestEnvironment.remove(folder) }
        Self.expectDepthError(path)
    }

    @Test func implicitVRNestingIsFoundWithoutADictionary() throws {
        let bytes = HostileDicom.nestedSequences(depth: 6000, lengths: .defined,
                                                 transferSyntax: HostileDicom.implicitLittleEndian)
        let (folder, path) = try Self.write(bytes, "deep-implicit.dcm")
        defer { TestEnvironment.remove(folder) }
        Self.expectDepthError(path)
    }

    @Test func theLimitItselfIsReadOnAWorkerThread() async throws {
        let depth = Int(BP_SCAN_DEFAULT_MAX_DEPTH)
        let (folder, path) = try Self.write(HostileDicom.nestedSequences(depth: depth), "limit.dcm")
        defer { TestEnvironment.remove(folder) }
        // clean reads on Dispatch worker threads (512 KiB stacks): the limit must be safe there.
        let result = await withCheckedContinuation { (done: CheckedContinuation<String, Never>) in
            Thread.detachNewThread {
                do {
                    let header = try HeaderReader().read(path)
                    let object = try DicomObject(path: path)
                    done.resume(returning: (header.dataset.string(.modality) ?? "?") + " " + String(object.pixelDataBytes.count))
                } catch { done.resume(returning: "\(error)") }
            }
        }
        #expect(result == "CT 8")
        let (tooDeepFolder, tooDeep) = try Self.write(HostileDicom.nestedSequences(depth: depth + 1), "over.dcm")
        defer { TestEnvironment.remove(tooDeepFolder) }
        Self.expectDepthError(tooDeep)
    }

    @Test func aLengthBeyondTheFileIsTruncatedNotAnAllocation() throws {
        let (folder, path) = try Self.write(HostileDicom.hugeLength(), "huge.dcm")
        defer { TestEnvironment.remove(folder) }
        #expect(throws: DicomError.self) { _ = try HeaderReader().read(path) }
        do { _ = try DicomObject(path: path) } catch {
            #expect(error.kind == "truncated")
            #expect(error.description.contains("(0008,103E)"), "\(error)")
        }
    }

    @Test func bufferedDatasetsAreBoundedToo() throws {
        // The dataset alone (what a C-STORE carries), past the 132-byte preamble and the meta header.
        let file = HostileDicom.nestedSequences(depth: 6000)
        let metaLength = Int(file[140]) | Int(file[141]) << 8
        let dataset = Array(file[(144 + metaLength)...])
        #expect(throws: DicomError.self) {
            _ = try DicomObject(datasetBytes: dataset, transferSyntaxUID: HostileDicom.explicitLittleEndian, label: "c-store")
        }
        let shallow = HostileDicom.nestedSequences(depth: 3)
        let shallowMeta = Int(shallow[140]) | Int(shallow[141]) << 8
        let object = try DicomObject(datasetBytes: Array(shallow[(144 + shallowMeta)...]),
                                     transferSyntaxUID: HostileDicom.explicitLittleEndian, label: "c-store")
        #expect(object.header.dataset.string(.modality) == "CT")
    }
}

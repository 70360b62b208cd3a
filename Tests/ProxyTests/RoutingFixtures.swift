import BodypartTesting
import DicomCore
import DicomIO
import Foundation

/// Real series for the routing tests, copied from dicom-dev into a test
/// folder (and edited there with DCMTK's dcmodify where a case needs it),
/// each one the shipped model answers as the test says (checked by the
/// tests through the proxy's own decisions in the spool).
enum RoutingFixtures {
    /// A brain MR (TCGA-GBM T1 post, 4 slices) with the study and series descriptions a site's RIS
    /// writes: the model answers HEAD (≈ 0.98). Its own text ("FH-HEAD^Brain Protocols", "T1post")
    /// leaves the model abstaining.
    static func brainMR(in folder: URL) throws -> [String] {
        try copy("plotly__dash-vtk/demos/data/mri_brain", into: folder.appendingPathComponent("brain-mr"),
                 edits: ["(0008,1030)=MRI BRAIN W/WO CONTRAST", "(0008,103e)=AX T1 POST BRAIN"])
    }

    /// Chest CT: three single-slice series of one study (axial, coronal, sagittal), each CHEST ≈ 0.99.
    static func chestCT(in folder: URL) throws -> [String] {
        let source = TestEnvironment.dicomDevFiles.appendingPathComponent("SaltyJoke__Image-Registration/data-sample/A072894")
        return try copy(files: ["19010103-Chest-058.dcm", "axial/19010103-40.dcm", "sagittal/19010103-066.dcm"]
                            .map { source.appendingPathComponent($0).path },
                        into: folder.appendingPathComponent("chest-ct"), edits: [])
    }

    /// A chest CT (3 JPEG Lossless slices of "ROUTINE CHEST NON-CON") whose BodyPartExamined says HEAD: the model
    /// still answers CHEST ≈ 0.98 (the stored value is wrong).
    static func chestCTSayingHead(in folder: URL) throws -> [String] {
        let source = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk@e50bf6d/demos/data/ct_scans")
        return try copy(files: ["1-001.dcm", "1-009.dcm", "1-017.dcm"].map { source.appendingPathComponent($0).path },
                        into: folder.appendingPathComponent("chest-ct-head"), edits: ["(0018,0015)=HEAD"])
    }

    /// A lung CT (3 slices of "ThoraxRoutine") the model does not answer (CHEST 0.77, abstained).
    static func unanswered(in folder: URL) throws -> [String] {
        let source = TestEnvironment.dicomDevFiles.appendingPathComponent("plotly__dash-vtk/demos/data/ct_lung")
        return try copy(files: ["1-01.dcm", "1-02.dcm", "1-03.dcm"].map { source.appendingPathComponent($0).path },
                        into: folder.appendingPathComponent("unanswered"), edits: [])
    }

    private static func copy(_ devFolder: String, into target: URL, edits: [String]) throws -> [String] {
        try copy(files: TestEnvironment.files(under: TestEnvironment.dicomDevFiles.appendingPathComponent(devFolder)), into: target,
                 edits: edits)
    }

    private static func copy(files: [String], into target: URL, edits: [String]) throws -> [String] {
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        var copies: [String] = []
        for (index, file) in files.enumerated() {
            let copy = target.appendingPathComponent(String(format: "%02d.dcm", index)).path
            try FileManager.default.copyItem(atPath: file, toPath: copy)
            copies.append(copy)
        }
        if !edits.isEmpty {
            let result = try TestEnvironment.run(Peers.tool("dcmodify"), ["-nb"] + edits.flatMap { ["-i", $0] } + copies)
            guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["dcmodify": result.stderr]) }
        }
        return copies
    }

    /// Series Instance UID → how many of its instances are in `folder`.
    static func seriesCounts(_ folder: URL) -> [String: Int] {
        var counts: [String: Int] = [:]
        for file in TestEnvironment.files(under: folder) {
            if let uid = try? HeaderReader().read(file).dataset.string(.seriesInstanceUID) { counts[uid, default: 0] += 1 }
        }
        return counts
    }

    /// Series Instance UID → instances, for files to send.
    static func seriesCounts(_ files: [String]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for file in files { counts[series([file]), default: 0] += 1 }
        return counts
    }

    static func series(_ files: [String]) -> String { (try? HeaderReader().read(files[0]).dataset.string(.seriesInstanceUID)) ?? "" }
}

extension RoutingFixtures {
    /// A new UID under 2.25 (random).
    static func uid() -> String { "2.25.\(UInt64.random(in: 1...UInt64.max))\(UInt32.random(in: 1...UInt32.max))" }

    /// The brain MR of `brainMR` as a new study of `patient` (new study, series and instance UIDs).
    static func brainStudy(of patient: String, date: String, in folder: URL, name: String) throws -> [String] {
        let files = try copy("plotly__dash-vtk/demos/data/mri_brain", into: folder.appendingPathComponent(name), edits: [
            "(0008,1030)=MRI BRAIN W/WO CONTRAST", "(0008,103e)=AX T1 POST BRAIN", "(0010,0020)=\(patient)", "(0008,0020)=\(date)",
            "(0020,000d)=\(uid())", "(0020,000e)=\(uid())",
        ])
        for file in files { try edit([file], ["(0008,0018)=\(uid())"]) }
        return files
    }

    /// Earlier studies of `patient` for an archive, one file each (new UIDs; the instance UID in
    /// the meta header follows): name → (dicom-dev file, study date, study description).
    static func priors(of patient: String, in folder: URL) throws -> [String: String] {
        let sources: [(String, String, String, String)] = [
            ("head-ct", "neurolabusc__dcm_qa_ct/In/Philips/S21610/S1000/I10", "19910301", "CT HEAD WITHOUT CONTRAST"),
            ("brain-mr", "plotly__dash-vtk/demos/data/mri_brain/1-09.dcm", "19900115", "MRI BRAIN W/WO CONTRAST"),
            ("brain-mr-old", "plotly__dash-vtk/demos/data/mri_brain/1-17.dcm", "19800101", "MRI BRAIN W/WO CONTRAST"),
            ("chest-ct", "SaltyJoke__Image-Registration/data-sample/A072894/axial/19010103-40.dcm", "19910601", "CT CHEST WO IV CONT"),
            ("abdomen-ct", "fo-dicom__fo-dicom/Tests/FO-DICOM.Tests/Test Data/GH342.dcm", "19910901", "CT ABDOMEN WITH CONTRAST"),
        ]
        var studies: [String: String] = [:]
        for (name, source, date, description) in sources {
            let files = try copy(files: [TestEnvironment.dicomDevFiles.appendingPathComponent(source).path],
                                 into: folder.appendingPathComponent("prior-" + name),
                                 edits: ["(0010,0020)=\(patient)", "(0008,0020)=\(date)", "(0008,1030)=\(description)",
                                         "(0020,000d)=\(uid())", "(0020,000e)=\(uid())", "(0008,0018)=\(uid())"])
            // The brain MR priors carry the series text a site writes (as `brainMR`): the model answers HEAD.
            if name.hasPrefix("brain-mr") { try edit(files, ["(0008,103e)=AX T1 POST BRAIN"]) }
            studies[name] = files[0]
        }
        return studies
    }

    static func edit(_ files: [String], _ edits: [String]) throws {
        let result = try TestEnvironment.run(Peers.tool("dcmodify"), ["-nb"] + edits.flatMap { ["-i", $0] } + files)
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["dcmodify": result.stderr]) }
    }

    static func study(_ file: String) -> String { (try? HeaderReader().read(file).dataset.string(.studyInstanceUID)) ?? "" }

    /// Study Instance UIDs of the files in `folder`, with how many files each.
    static func studyCounts(_ folder: URL) -> [String: Int] {
        var counts: [String: Int] = [:]
        for file in TestEnvironment.files(under: folder) { counts[study(file), default: 0] += 1 }
        return counts
    }
}

import DicomNet
import Foundation

/// `PriorQuerying` over DicomNet's C-FIND/C-MOVE SCU (Study Root), one
/// association per call, with the proxy's AE title and timeouts.
struct ArchiveQuerier: PriorQuerying {
    let settings: AssociationSettings

    /// A move that some sub-operations failed is a failure (the fetch is retried).
    struct IncompleteMove: Error, CustomStringConvertible {
        let result: MoveResult
        var description: String {
            "C-MOVE ended \(result.status.hex): \(result.completed) moved, \(result.failed) failed, \(result.warning) with warnings"
        }
    }

    private func scu(_ archive: Destination) -> QueryRetrieveSCU {
        QueryRetrieveSCU(peer: DicomPeer(aeTitle: archive.aeTitle, host: archive.host, port: archive.port), settings: settings)
    }

    func findStudies(patientID: String, archive: Destination) throws -> [PriorStudy] {
        let matches = try scu(archive).find(level: .study, keys: [
            "PatientID": patientID, "StudyInstanceUID": "", "StudyDate": "", "StudyDescription": "", "ModalitiesInStudy": "",
            "BodyPartExamined": "",
        ])
        return matches.compactMap { match in
            guard let uid = match["StudyInstanceUID"], !uid.isEmpty else { return nil }
            return PriorStudy(studyInstanceUID: uid, studyDate: Self.text(match["StudyDate"]),
                              studyDescription: Self.text(match["StudyDescription"]),
                              modalities: (match["ModalitiesInStudy"] ?? "").split(separator: "\\").map {
                                  $0.trimmingCharacters(in: .whitespaces)
                              }.filter { !$0.isEmpty },
                              bodyPartExamined: Self.text(match["BodyPartExamined"]))
        }
    }

    func findSeries(studyInstanceUID: String, patientID: String, archive: Destination) throws -> [PriorSeries] {
        let matches = try scu(archive).find(level: .series, keys: [
            "StudyInstanceUID": studyInstanceUID, "SeriesInstanceUID": "", "Modality": "", "SeriesDescription": "",
            "BodyPartExamined": "", "ProtocolName": "",
        ])
        return matches.compactMap { match in
            guard let uid = match["SeriesInstanceUID"], !uid.isEmpty else { return nil }
            return PriorSeries(seriesInstanceUID: uid, modality: Self.text(match["Modality"]),
                               seriesDescription: Self.text(match["SeriesDescription"]),
                               bodyPartExamined: Self.text(match["BodyPartExamined"]), protocolName: Self.text(match["ProtocolName"]))
        }
    }

    func moveStudy(_ studyInstanceUID: String, patientID: String, from archive: Destination, to destinationAE: String) throws -> Int {
        let result = try scu(archive).move(level: .study, keys: ["StudyInstanceUID": studyInstanceUID], to: destinationAE)
        guard result.failed == 0 else { throw IncompleteMove(result: result) }
        return result.completed
    }

    private static func text(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}

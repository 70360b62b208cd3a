import Foundation

/// A study the archive returned for a patient (C-FIND, study level).
public struct PriorStudy: Sendable, Hashable, Codable {
    public var studyInstanceUID: String
    /// DICOM DA (YYYYMMDD), when the archive gave one.
    public var studyDate: String?
    public var studyDescription: String?
    /// ModalitiesInStudy, split.
    public var modalities: [String]
    public var bodyPartExamined: String?

    public init(studyInstanceUID: String, studyDate: String? = nil, studyDescription: String? = nil, modalities: [String] = [],
                bodyPartExamined: String? = nil) {
        self.studyInstanceUID = studyInstanceUID
        self.studyDate = studyDate
        self.studyDescription = studyDescription
        self.modalities = modalities
        self.bodyPartExamined = bodyPartExamined
    }
}

/// A series of a prior study (C-FIND, series level).
public struct PriorSeries: Sendable, Hashable, Codable {
    public var seriesInstanceUID: String
    public var modality: String?
    public var seriesDescription: String?
    public var bodyPartExamined: String?
    public var protocolName: String?

    public init(seriesInstanceUID: String, modality: String? = nil, seriesDescription: String? = nil,
                bodyPartExamined: String? = nil, protocolName: String? = nil) {
        self.seriesInstanceUID = seriesInstanceUID
        self.modality = modality
        self.seriesDescription = seriesDescription
        self.bodyPartExamined = bodyPartExamined
        self.protocolName = protocolName
    }
}

/// The query/retrieve side the priors need from an archive: find a
/// patient's studies, a study's series, and move a study to an AE title.
/// DicomNet's C-FIND/C-MOVE SCU implements it for the proxy; every call
/// throws on a failure status or a broken association (the fetch is then
/// retried with the queue's backoff).
public protocol PriorQuerying: Sendable {
    /// C-FIND at study level by PatientID (StudyDate, StudyDescription, ModalitiesInStudy, BodyPartExamined).
    func findStudies(patientID: String, archive: Destination) throws -> [PriorStudy]
    /// C-FIND at series level of one study (Modality, SeriesDescription, BodyPartExamined, ProtocolName).
    func findSeries(studyInstanceUID: String, patientID: String, archive: Destination) throws -> [PriorSeries]
    /// C-MOVE of a whole study to `destinationAE`; returns the sub-operations completed.
    func moveStudy(_ studyInstanceUID: String, patientID: String, from archive: Destination, to destinationAE: String) throws -> Int
}

/// The standard attributes bodypart reads or writes by name. The full data
/// dictionary lives in DCMTK; this list is what the Swift layers refer to.
extension Tag {
    public static let specificCharacterSet = Tag(0x0008, 0x0005)
    public static let imageType = Tag(0x0008, 0x0008)
    public static let sopClassUID = Tag(0x0008, 0x0016)
    public static let sopInstanceUID = Tag(0x0008, 0x0018)
    public static let modality = Tag(0x0008, 0x0060)
    public static let manufacturer = Tag(0x0008, 0x0070)
    public static let institutionName = Tag(0x0008, 0x0080)
    public static let stationName = Tag(0x0008, 0x1010)
    public static let studyDescription = Tag(0x0008, 0x1030)
    public static let seriesDescription = Tag(0x0008, 0x103E)
    public static let manufacturerModelName = Tag(0x0008, 0x1090)
    public static let anatomicRegionSequence = Tag(0x0008, 0x2218)
    public static let codeValue = Tag(0x0008, 0x0100)
    public static let codingSchemeDesignator = Tag(0x0008, 0x0102)
    public static let codeMeaning = Tag(0x0008, 0x0104)
    public static let patientSex = Tag(0x0010, 0x0040)
    public static let patientAge = Tag(0x0010, 0x1010)
    public static let contrastBolusAgent = Tag(0x0018, 0x0010)
    public static let bodyPartExamined = Tag(0x0018, 0x0015)
    public static let sliceThickness = Tag(0x0018, 0x0050)
    public static let protocolName = Tag(0x0018, 0x1030)
    public static let receiveCoilName = Tag(0x0018, 0x1250)
    public static let viewPosition = Tag(0x0018, 0x5101)
    public static let patientPosition = Tag(0x0018, 0x5100)
    public static let studyInstanceUID = Tag(0x0020, 0x000D)
    public static let seriesInstanceUID = Tag(0x0020, 0x000E)
    public static let seriesNumber = Tag(0x0020, 0x0011)
    public static let instanceNumber = Tag(0x0020, 0x0013)
    public static let imagePositionPatient = Tag(0x0020, 0x0032)
    public static let imageOrientationPatient = Tag(0x0020, 0x0037)
    public static let laterality = Tag(0x0020, 0x0060)
    public static let imageLaterality = Tag(0x0020, 0x0062)
    public static let numberOfFrames = Tag(0x0028, 0x0008)
    public static let pixelSpacing = Tag(0x0028, 0x0030)
    public static let reasonForStudy = Tag(0x0032, 0x1030)
    public static let requestedProcedureDescription = Tag(0x0032, 0x1060)
    public static let performedProcedureStepDescription = Tag(0x0040, 0x0254)
    public static let modifiedAttributesSequence = Tag(0x0400, 0x0550)
    public static let originalAttributesSequence = Tag(0x0400, 0x0561)
    public static let attributeModificationDateTime = Tag(0x0400, 0x0562)
    public static let modifyingSystem = Tag(0x0400, 0x0563)
    public static let sourceOfPreviousValues = Tag(0x0400, 0x0564)
    public static let reasonForTheAttributeModification = Tag(0x0400, 0x0565)
    public static let pixelData = Tag(0x7FE0, 0x0010)
    public static let patientID = Tag(0x0010, 0x0020)
    public static let accessionNumber = Tag(0x0008, 0x0050)
    public static let transferSyntaxUID = Tag(0x0002, 0x0010)

    /// Keyword → tag for the attributes above (the names used in JSON output
    /// and in the classifier's metadata).
    public static let byKeyword: [String: Tag] = [
        "SpecificCharacterSet": .specificCharacterSet, "ImageType": .imageType,
        "SOPClassUID": .sopClassUID, "SOPInstanceUID": .sopInstanceUID, "Modality": .modality,
        "Manufacturer": .manufacturer, "InstitutionName": .institutionName, "StationName": .stationName,
        "StudyDescription": .studyDescription, "SeriesDescription": .seriesDescription,
        "ManufacturerModelName": .manufacturerModelName, "AnatomicRegionSequence": .anatomicRegionSequence,
        "PatientSex": .patientSex, "PatientAge": .patientAge, "ContrastBolusAgent": .contrastBolusAgent,
        "BodyPartExamined": .bodyPartExamined, "SliceThickness": .sliceThickness,
        "ProtocolName": .protocolName, "ReceiveCoilName": .receiveCoilName, "ViewPosition": .viewPosition, "PatientPosition": .patientPosition,
        "StudyInstanceUID": .studyInstanceUID, "SeriesInstanceUID": .seriesInstanceUID,
        "SeriesNumber": .seriesNumber, "InstanceNumber": .instanceNumber,
        "ImagePositionPatient": .imagePositionPatient, "ImageOrientationPatient": .imageOrientationPatient,
        "Laterality": .laterality, "ImageLaterality": .imageLaterality, "NumberOfFrames": .numberOfFrames,
        "PixelSpacing": .pixelSpacing, "ReasonForStudy": .reasonForStudy,
        "RequestedProcedureDescription": .requestedProcedureDescription,
        "PerformedProcedureStepDescription": .performedProcedureStepDescription,
        "OriginalAttributesSequence": .originalAttributesSequence,
    ]

    /// The keywords of the attributes the classifier reads, in output order.
    public static let classifierKeywords: [String] = [
        "Modality", "SOPClassUID", "BodyPartExamined", "StudyDescription", "SeriesDescription", "ProtocolName",
        "RequestedProcedureDescription", "PerformedProcedureStepDescription", "ReasonForStudy", "ImageType",
        "Manufacturer", "ManufacturerModelName", "InstitutionName", "StationName", "ViewPosition",
        "PatientPosition", "Laterality", "ImageLaterality", "ImageOrientationPatient", "ImagePositionPatient",
        "SliceThickness", "PixelSpacing", "NumberOfFrames", "ContrastBolusAgent", "PatientSex", "PatientAge",
        "SpecificCharacterSet", "ReceiveCoilName",
    ]
}

/// From a covered range of regions to a DICOM Body Part Examined defined
/// term (PS3.16 CID 4031): the smallest term covering the whole range, with
/// one convention: a range that starts at the head or neck and reaches the
/// pelvis or the legs is WHOLEBODY (the "skull base to mid-thigh" of whole-
/// body PET/CT), and one that reaches the legs from the chest or abdomen,
/// too, since no smaller term covers it.
public enum BodyPartMapping {
    /// The defined term for `from`…`to` (from ≤ to).
    public static func term(from: BodyRegion, to: BodyRegion) -> String {
        switch (from, to) {
        case (.head, .head): "HEAD"
        case (.neck, .neck): "NECK"
        case (.chest, .chest): "CHEST"
        case (.abdomen, .abdomen): "ABDOMEN"
        case (.pelvis, .pelvis): "PELVIS"
        case (.legs, .legs): "LOWERLIMB"
        case (.head, .neck): "HEADNECK"
        case (.neck, .chest): "NECKCHEST"
        case (.neck, .abdomen): "NECKCHESTABDOMEN"
        case (.chest, .abdomen): "CHESTABDOMEN"
        case (.chest, .pelvis): "CHESTABDPELVIS"
        case (.abdomen, .pelvis): "ABDOMENPELVIS"
        case (.pelvis, .legs): "PELVISLOWEXTREMT"
        default: "WHOLEBODY"
        }
    }
}

import DicomCore
import DicomIO

/// A series as the pixel check sees it: its slices' headers.
public struct PixelSeries: Sendable {
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var slices: [SliceHeader]

    public init(studyInstanceUID: String, seriesInstanceUID: String, slices: [SliceHeader]) {
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.slices = slices
    }
}

/// Walks paths, reads the headers the pixel check needs and groups files by
/// series (StudyInstanceUID, SeriesInstanceUID), in first-seen order.
public enum PixelSeriesScanner {
    /// A path that could not be used, with the one-line reason.
    public struct Failure: Sendable {
        public var path: String
        public var message: String
    }

    public static func scan(_ paths: [String]) -> (series: [PixelSeries], failures: [Failure]) {
        var order: [String] = []
        var groups: [String: PixelSeries] = [:]
        var failures: [Failure] = []
        for entry in FileWalker(paths) {
            switch entry {
            case .problem(let path, let reason):
                failures.append(Failure(path: path, message: "\(path): \(reason)"))
            case .file(let path):
                do {
                    let slice = try SliceHeader.read(path)
                    let key = slice.studyInstanceUID + "|" + slice.seriesInstanceUID
                    if groups[key] == nil {
                        order.append(key)
                        groups[key] = PixelSeries(studyInstanceUID: slice.studyInstanceUID,
                                                  seriesInstanceUID: slice.seriesInstanceUID, slices: [])
                    }
                    groups[key]!.slices.append(slice)
                } catch {
                    failures.append(Failure(path: path, message: error.description))
                }
            }
        }
        return (order.map { groups[$0]! }, failures)
    }
}

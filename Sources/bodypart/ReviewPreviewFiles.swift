import Audit
import DicomIO
import Foundation
import Preview

/// The previews of a reviewed series as PNG files: finds the series' files
/// through the audit (`file_progress`, schema v3), renders the mid slice and
/// the coronal reformat, and writes `<SeriesInstanceUID>-mid.png` and
/// `-coronal.png` into a folder. Shared by `review show --previews` and
/// `audit report --html`.
enum ReviewPreviewFiles {
    /// One picture written, or why not.
    struct Picture {
        var view: Preview.View
        /// The PNG written, nil when the view could not be made.
        var file: String?
        var width = 0
        var height = 0
        var caption: String
    }

    /// What was done for one series.
    struct Outcome {
        var pictures: [Picture]
        /// Why nothing could be rendered (no files recorded, files gone).
        var note: String?
        /// What the renderer assumed or left out.
        var notes: [String]
    }

    /// Readies DCMTK's decoders (no private dictionary is needed for pixels).
    static func setUp() throws {
        do { try Dcmtk.setUp(privateDictionary: nil) } catch {
            Console.error(error.description)
            throw ExitStatus.internalError
        }
    }

    /// The series' files that still exist: for each file recorded (by the
    /// run that opened the review, else by any run), the written copy when
    /// present, else the file read. Also how many were recorded.
    static func files(of review: ReviewRecord, in store: AuditStore) throws(AuditError) -> (
        present: [String], recorded: [String]
    ) {
        var rows = try store.files(series: review.seriesInstanceUID, runID: review.runID)
        if rows.isEmpty { rows = try store.files(series: review.seriesInstanceUID) }
        var seen = Set<String>()
        var present: [String] = []
        for row in rows {
            let candidates = [row.outputPath, row.sourcePath].compactMap { $0 }.filter {
                $0.hasPrefix("/") || !$0.contains(":")
            }
            guard let path = candidates.first(where: isFile), seen.insert(path).inserted else { continue }
            present.append(path)
        }
        return (present, rows.map(\.sourcePath))
    }

    static func isFile(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return !path.isEmpty && FileManager.default.fileExists(atPath: path, isDirectory: &folder) && !folder.boolValue
    }

    /// Renders and writes the previews of `review` into `folder` (created
    /// when missing). A folder or file that cannot be written exits 73.
    static func write(
        _ review: ReviewRecord, store: AuditStore, into folder: String, renderer: PreviewRenderer = PreviewRenderer()
    ) throws
        -> Outcome
    {
        let files: (present: [String], recorded: [String])
        do { files = try Self.files(of: review, in: store) } catch {
            Console.error(error.description)
            throw AuditCommand.exitCode(for: error)
        }
        let base = fileName(review.seriesInstanceUID)
        let note: String?
        if files.recorded.isEmpty {
            note =
                "the audit records no files for this series (an audit written before bodypart kept each file's series)"
        } else if files.present.isEmpty {
            note =
                "the \(files.recorded.count) file(s) recorded for this series are no longer present (first: \(files.recorded[0]))"
        } else {
            note = nil
        }
        guard note == nil else {
            for view in Preview.View.allCases { remove(folder + "/" + base + "-\(view.rawValue).png") }
            return Outcome(
                pictures: Preview.View.allCases.map { Picture(view: $0, file: nil, caption: "not made: " + note!) },
                note: note, notes: [])
        }
        let previews = renderer.render(files.present)
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            Console.error("\(folder): cannot create the previews folder (\((error as NSError).localizedDescription))")
            throw ExitStatus.cannotCreate
        }
        var pictures: [Picture] = []
        for preview in previews.all {
            let file = folder + "/" + base + "-\(preview.view.rawValue).png"
            guard let image = preview.image, let png = preview.png else {
                remove(file)
                pictures.append(Picture(view: preview.view, file: nil, caption: preview.caption))
                continue
            }
            do { try Data(png).write(to: URL(fileURLWithPath: file), options: .atomic) } catch {
                Console.error("\(file): cannot write (\((error as NSError).localizedDescription))")
                throw ExitStatus.cannotCreate
            }
            pictures.append(
                Picture(
                    view: preview.view, file: file, width: image.width, height: image.height, caption: preview.caption))
        }
        return Outcome(pictures: pictures, note: nil, notes: previews.notes)
    }

    /// A UID as a file name: letters, digits, `.` and `-` kept, others `_`.
    static func fileName(_ uid: String) -> String {
        let safe = String(uid.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "_" })
        return safe.isEmpty || safe.hasPrefix(".") ? "series" + safe : safe
    }

    private static func remove(_ file: String) {
        if isFile(file) { try? FileManager.default.removeItem(atPath: file) }
    }
}

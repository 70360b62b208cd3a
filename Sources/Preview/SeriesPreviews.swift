/// One preview picture of a series, or why there is none.
public struct Preview: Sendable {
    /// Which view.
    public enum View: String, Sendable, CaseIterable {
        /// The middle slice of the stack, in the plane it was acquired.
        case mid
        /// A coronal reformat of an axial stack: one row band of every slice,
        /// stacked head (top) to foot along the slice positions.
        case coronal

        /// Words for captions and reports.
        public var title: String {
            switch self {
            case .mid: "mid slice"
            case .coronal: "coronal reformat"
            }
        }
    }

    public var view: View
    /// The picture; nil when the view could not be made (`caption` says why).
    public var image: GrayImage?
    /// What the picture shows (slice, position, window), or why it is missing.
    public var caption: String

    public init(view: View, image: GrayImage?, caption: String) {
        self.view = view
        self.image = image
        self.caption = caption
    }

    /// A view that could not be made.
    static func skipped(_ view: View, _ reason: String) -> Preview { Preview(view: view, image: nil, caption: reason) }

    /// The picture as PNG bytes, nil when skipped.
    public var png: [UInt8]? { image.map(PNGEncoder.encode) }
}

/// The previews of one series (`PreviewRenderer.render`).
public struct SeriesPreviews: Sendable {
    public var mid: Preview
    public var coronal: Preview
    /// The window both pictures use (nil when no pixels were read).
    public var window: PreviewWindow?
    /// What was assumed or left out (missing rescale or spacing, files unreadable…).
    public var notes: [String]

    public var all: [Preview] { [mid, coronal] }
}

/// The pictures shown with one open review in the HTML report. The report
/// only links them: whoever writes the report (the command line) renders the
/// PNG files beside it and passes their paths relative to the HTML file, so
/// this library reads no pixels.
public struct ReviewPreviews: Sendable, Hashable {
    /// One picture, or why it is missing.
    public struct Picture: Sendable, Hashable {
        /// `mid`, `coronal` (for `data-view` and file names).
        public var view: String
        /// Words for the page: `mid slice`, `coronal reformat`.
        public var title: String
        /// The PNG file relative to the report (`/`-separated, not encoded);
        /// nil when the picture could not be made.
        public var path: String?
        public var width: Int
        public var height: Int
        /// What the picture shows (slice, position, window), or why it is missing.
        public var caption: String

        public init(view: String, title: String, path: String?, width: Int = 0, height: Int = 0, caption: String) {
            self.view = view
            self.title = title
            self.path = path
            self.width = width
            self.height = height
            self.caption = caption
        }
    }

    public var pictures: [Picture]
    /// Why there are no pictures at all (the files are gone), or what was
    /// assumed while making them.
    public var note: String?

    public init(pictures: [Picture], note: String? = nil) {
        self.pictures = pictures
        self.note = note
    }
}

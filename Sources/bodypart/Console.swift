import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes lines to stdout (buffered) and stderr, for the CLI only.
enum Console {
    private static let buffer = Mutex<[UInt8]>([])

    /// Prints one line to standard output (buffered; see `flush`).
    static func out(_ line: String) {
        buffer.withLock { bytes in
            bytes.append(contentsOf: line.utf8)
            bytes.append(0x0A)
            if bytes.count >= 1 << 16 { write(fd: 1, bytes); bytes.removeAll(keepingCapacity: true) }
        }
    }

    /// Prints `bodypart: message` to standard error.
    static func error(_ message: String) {
        flush()
        write(fd: 2, Array("bodypart: \(message)\n".utf8))
    }

    /// Prints raw text to standard error (progress lines).
    static func status(_ text: String) {
        write(fd: 2, Array(text.utf8))
    }

    /// True when standard error is a terminal (progress bars), false in pipes and CI.
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Writes buffered standard output.
    static func flush() {
        buffer.withLock { bytes in
            write(fd: 1, bytes)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    private static func write(fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { if errno == EINTR { continue } else { return } }
            offset += written
        }
    }
}

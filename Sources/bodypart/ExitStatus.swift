import ArgumentParser

/// bodypart's exit codes, grouped by kind (sysexits-style; see `--help`).
enum ExitStatus {
    static let ok = ExitCode(0)
    static let someSkipped = ExitCode(1)
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let noInput = ExitCode(66)
    static let internalError = ExitCode(70)
    static let cannotCreate = ExitCode(73)
    static let ioError = ExitCode(74)
    /// Another bodypart run holds the audit file or target tree (EX_TEMPFAIL: try again later).
    static let inUse = ExitCode(75)
}

import ArgumentParser

/// `bodypart proxy`: the inline DICOM proxy and its spool tools.
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "A DICOM storage proxy between modalities and PACS: store, fix, forward, lose nothing.",
        discussion: """
            `bodypart proxy --destination PACS@host:104 ...` runs the proxy (see `bodypart proxy run --help`); \
            `bodypart proxy status` lists what waits in the spool and what is quarantined; \
            `bodypart proxy retry` re-queues quarantined objects; `bodypart proxy route --config FILE PATH...` \
            says which route each series on disk takes and why. See docs/proxy.md.
            """,
        subcommands: [ProxyRunCommand.self, ProxyStatusCommand.self, ProxyRetryCommand.self, ProxyRouteCommand.self],
        defaultSubcommand: ProxyRunCommand.self
    )
}

/// Options shared by `proxy status` and `proxy retry`: where the spool is.
struct ProxySpoolOptions: ParsableArguments {
    @Option(help: "YAML configuration (its spool and destinations are used).")
    var config: String?

    @Option(help: "Spool folder (default: the configuration's, else bodypart-spool).")
    var spool: String?

    @Option(name: .customLong("destination"), help: "Only this destination (AE@host:port); repeatable.")
    var destinations: [String] = []
}

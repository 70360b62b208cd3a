import DicomCore
import DicomIO
import Foundation

/// The set-up most proxy tests begin with: a temporary folder, a storescp
/// receiving into `folder/recv` on a free port, a free port for the proxy,
/// and the proxy's arguments (spool, audit, the fast-retry test
/// configuration) aimed at that receiver. `close()` stops the receiver,
/// then removes the folder:
///
///     let bed = try ProxyTestbed("proxy-kill")
///     defer { bed.close() }
///     let proxy = try bed.proxy()
///     defer { proxy.stop() }
public final class ProxyTestbed: @unchecked Sendable {
    public let folder: URL
    /// Where the storescp writes what it receives.
    public let received: URL
    public let scpPort: UInt16
    public let proxyPort: UInt16
    public let scp: Peers.Background
    /// `Peers.arguments` for this folder and receiver.
    public let arguments: [String]

    /// Makes the folder `name`-… and starts the receiver (storescp, every transfer syntax accepted).
    public init(_ name: String) throws {
        folder = try TestEnvironment.temporaryFolder(name)
        (scpPort, proxyPort) = (Peers.freePort(), Peers.freePort())
        received = folder.appendingPathComponent("recv")
        do {
            arguments = try Peers.arguments(folder, destinationPort: scpPort)
            scp = try Peers.storescp(into: received, port: scpPort, log: folder.appendingPathComponent("scp.log"))
        } catch {
            TestEnvironment.remove(folder)
            throw error
        }
    }

    /// The arguments with `extra` after them and, given `config` (YAML), that file as `--config`.
    public func arguments(extra: [String] = [], config: String? = nil) throws -> [String] {
        var arguments = self.arguments + extra
        if let config {
            let path = folder.appendingPathComponent("test-config.yaml").path
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            arguments[arguments.firstIndex(of: "--config")! + 1] = path
        }
        return arguments
    }

    /// Starts the proxy on `proxyPort` (with `arguments`, by default this bed's), its log in `folder/LOG`.
    public func proxy(_ arguments: [String]? = nil, log: String = "proxy.log") throws -> Peers.Background {
        try Peers.proxy(arguments ?? self.arguments, port: proxyPort, log: folder.appendingPathComponent(log))
    }

    /// Stops the receiver and removes the folder.
    public func close() {
        scp.stop()
        TestEnvironment.remove(folder)
    }
}

extension Peers {
    /// A file's header has no SOP Class or Instance UID.
    public struct MissingUID: Error, CustomStringConvertible {
        public let file: String
        public var description: String { "\(file): no SOP Class or SOP Instance UID" }
    }

    /// The SOP Class and SOP Instance UIDs of `file` (what a raw C-STORE names).
    public static func sopIdentity(_ file: String) throws -> (sopClass: String, sopInstance: String) {
        let dataset = try HeaderReader().read(file).dataset
        guard let sopClass = dataset.string(.sopClassUID), let sop = dataset.string(.sopInstanceUID) else {
            throw MissingUID(file: file)
        }
        return (sopClass, sop)
    }
}

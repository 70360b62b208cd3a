import DicomNet
import Foundation
import Yams

extension ProxyConfiguration {
    /// Reads a YAML configuration (keys as in Rules/proxy.yaml). Unknown keys
    /// are errors, so that a typo never silently falls back to a default.
    public static func load(yamlFile path: String) throws(ProxyError) -> ProxyConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .configuration("cannot read \(path): \(error.localizedDescription)")
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw .configuration("\(path) is not valid YAML: \(error)") }
        var configuration = ProxyConfiguration()
        guard let root else { return configuration }
        guard let map = root as? [String: Any] else { throw .configuration("\(path): the top level must be a mapping") }
        let lines = Self.keyLines(text)
        try configuration.apply(map, file: path, line: { lines[$0] })
        if map["routes"] != nil, let node = try? Yams.compose(yaml: text), let routes = node.mapping?["routes"] {
            configuration.routes = try RouteTable.parse(routes, file: path, taxonomy: nil)
            configuration.routesFile = path
        }
        return configuration
    }

    /// The line of each key, top level and one level down (`console.users`), for error messages.
    static func keyLines(_ text: String) -> [String: Int] {
        guard let node = try? Yams.compose(yaml: text), let mapping = node.mapping else { return [:] }
        var lines: [String: Int] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            lines[name] = key.mark?.line
            for (inner, _) in value.mapping ?? [:] {
                if let innerName = inner.string { lines[name + "." + innerName] = inner.mark?.line }
            }
        }
        return lines
    }

    mutating func apply(_ map: [String: Any], file: String, line: (String) -> Int? = { _ in nil }) throws(ProxyError) {
        for (key, value) in map {
            switch key {
            case "port": port = try Self.port(value, key, file)
            case "ae_title": aeTitle = try Self.text(value, key, file)
            case "listen_address":
                listenAddress = try Self.text(value, key, file)
                if listenAddress == "*" || listenAddress.isEmpty { listenAddress = "0.0.0.0" }
            case "destinations":
                guard let list = value as? [Any] else { throw .configuration("\(file): destinations must be a list") }
                destinations = []
                for item in list {
                    if let text = item as? String {
                        destinations.append(try Destination(parsing: text))
                    } else if let entry = item as? [String: Any] {
                        var ae = "ANY-SCP"
                        if let value = entry["ae_title"] { ae = try Self.text(value, "ae_title", file) }
                        let host = try Self.text(entry["host"] ?? "", "host", file)
                        let port = try Self.port(entry["port"] ?? 0, "port", file)
                        var destination = try Destination(parsing: "\(ae)@\(host):\(port)")
                        let place = line(key).map { "\(file):\($0)" } ?? file
                        for name in entry.keys where !["ae_title", "host", "port", "tls", "trusted_cas"].contains(name) {
                            throw .configuration("\(place): unknown key destinations.\(name) (ae_title, host, port, tls, trusted_cas)")
                        }
                        if entry["tls"] as? Bool == true {
                            let cas = try entry["trusted_cas"].map { v throws(ProxyError) in try ProxyTLS.paths(v, "trusted_cas", place) } ?? []
                            guard !cas.isEmpty else {
                                throw .configuration("\(place): destination \(destination) with tls: true needs trusted_cas (its CA certificate)")
                            }
                            destination.tls = TLSSettings(trustedCAs: cas, verifyPeer: true)
                        } else if entry["trusted_cas"] != nil {
                            throw .configuration("\(place): destination \(destination): trusted_cas without tls: true")
                        }
                        destinations.append(destination)
                    } else {
                        throw .configuration("\(file): each destination is AE@host:port or {ae_title, host, port}")
                    }
                }
            case "archives": archives = try Self.destinationList(value, key, file)
            case "routes": continue  // read with its line marks in load(yamlFile:)
            case "spool": spool = try Self.text(value, key, file)
            case "audit": audit = try Self.text(value, key, file)
            case "allow":
                let place = line(key).map { "\(file):\($0)" } ?? file
                guard let list = value as? [Any] else {
                    throw .configuration("\(place): allow must be a list of AE titles or {ae: AE, from: CIDR} entries")
                }
                allowed = try list.map { item throws(ProxyError) in try Self.callerRule(item, place) }
            case "metrics_port": metricsPort = try Self.port(value, key, file)
            case "console":
                if let port = try console.apply(value, file: file, line: line) { metricsPort = port }
            case "policy": policyFile = try Self.text(value, key, file)
            case "model": modelFile = try Self.text(value, key, file)
            case "rules": rulesFolder = try Self.text(value, key, file)
            case "max_associations": maxAssociations = try Self.integer(value, key, file)
            case "forward_associations": forwardAssociations = try Self.integer(value, key, file)
            case "max_pdu": maxPDU = try Self.integer(value, key, file)
            case "timeouts":
                guard let entry = value as? [String: Any] else { throw .configuration("\(file): timeouts must be a mapping") }
                for (name, seconds) in entry {
                    switch name {
                    case "acse": acseTimeout = try Self.integer(seconds, "timeouts.acse", file)
                    case "dimse": dimseTimeout = try Self.integer(seconds, "timeouts.dimse", file)
                    case "stop": stopTimeout = try Self.integer(seconds, "timeouts.stop", file)
                    case "idle_release": idleRelease = try Self.number(seconds, "timeouts.idle_release", file)
                    default: throw .configuration("\(file): unknown key timeouts.\(name) (acse, dimse, stop, idle_release)")
                    }
                }
            case "retry":
                guard let entry = value as? [String: Any] else { throw .configuration("\(file): retry must be a mapping") }
                for (name, setting) in entry {
                    switch name {
                    case "initial_delay": retry.initialDelay = try Self.number(setting, "retry.initial_delay", file)
                    case "max_delay": retry.maximumDelay = try Self.number(setting, "retry.max_delay", file)
                    case "max_attempts": retry.maximumAttempts = try Self.integer(setting, "retry.max_attempts", file)
                    case "max_age": retry.maximumAge = try Self.number(setting, "retry.max_age", file)
                    default:
                        throw .configuration("\(file): unknown key retry.\(name) (initial_delay, max_delay, max_attempts, max_age)")
                    }
                }
            case "pixel": try pixel.apply(value, file: file)
            case "tls": tls = try ProxyTLS.parse(value, place: line(key).map { "\(file):\($0)" } ?? file)
            default:
                throw .configuration("\(line(key).map { "\(file):\($0)" } ?? file): unknown key '\(key)'")
            }
        }
    }

    /// A list of `AE@host:port` or `{ae_title, host, port}` (destinations, archives).
    private static func destinationList(_ value: Any, _ key: String, _ file: String) throws(ProxyError) -> [Destination] {
        guard let list = value as? [Any] else { throw .configuration("\(file): \(key) must be a list") }
        var out: [Destination] = []
        for item in list {
            if let text = item as? String {
                out.append(try Destination(parsing: text))
            } else if let entry = item as? [String: Any] {
                var ae = "ANY-SCP"
                if let value = entry["ae_title"] { ae = try Self.text(value, "ae_title", file) }
                let host = try Self.text(entry["host"] ?? "", "host", file)
                let port = try Self.port(entry["port"] ?? 0, "port", file)
                out.append(try Destination(parsing: "\(ae)@\(host):\(port)"))
            } else {
                throw .configuration("\(file): each entry of \(key) is AE@host:port or {ae_title, host, port}")
            }
        }
        return out
    }

    /// An `allow:` entry: `CT1` (AE title only), `{ae: CT1, from: 10.1.2.0/24}`, or `{from: 10.1.2.0/24}` (any AE title).
    private static func callerRule(_ item: Any, _ place: String) throws(ProxyError) -> CallerRule {
        if let entry = item as? [String: Any] {
            var rule = CallerRule()
            for (name, setting) in entry {
                switch name {
                case "ae": rule.aeTitle = try text(setting, "allow.ae", place)
                case "from":
                    let cidr = try text(setting, "allow.from", place)
                    guard let range = AddressRange(parsing: cidr) else {
                        throw .configuration("\(place): allow.from '\(cidr)' is not an IPv4 or IPv6 address or CIDR range (10.1.2.0/24, fd00::/8)")
                    }
                    rule.from = range
                default: throw .configuration("\(place): unknown key allow.\(name) (ae, from)")
                }
            }
            guard rule.aeTitle != nil || rule.from != nil else { throw .configuration("\(place): an allow entry needs ae or from") }
            return rule
        }
        if item is [Any] { throw .configuration("\(place): each allow entry is an AE title or {ae, from}") }
        return CallerRule(aeTitle: "\(item)")
    }

    private static func text(_ value: Any, _ key: String, _ file: String) throws(ProxyError) -> String {
        if let text = value as? String { return text }
        if let number = value as? Int { return String(number) }
        throw .configuration("\(file): \(key) must be text")
    }

    private static func integer(_ value: Any, _ key: String, _ file: String) throws(ProxyError) -> Int {
        if let number = value as? Int { return number }
        if let text = value as? String, let number = Int(text) { return number }
        throw .configuration("\(file): \(key) must be a whole number")
    }

    private static func number(_ value: Any, _ key: String, _ file: String) throws(ProxyError) -> Double {
        if let number = value as? Double { return number }
        if let number = value as? Int { return Double(number) }
        if let text = value as? String, let number = Double(text) { return number }
        throw .configuration("\(file): \(key) must be a number")
    }

    private static func port(_ value: Any, _ key: String, _ file: String) throws(ProxyError) -> UInt16 {
        let number = try integer(value, key, file)
        guard let port = UInt16(exactly: number), port > 0 else { throw .configuration("\(file): \(key) must be 1...65535") }
        return port
    }
}

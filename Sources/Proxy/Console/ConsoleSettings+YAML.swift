import Foundation

extension ConsoleSettings {
    /// Reads the `console:` mapping. `port` sets the configuration's
    /// `metricsPort` (the old top-level `metrics_port` is its alias), so it
    /// is returned rather than stored here. `line` names the line of a key
    /// path (`console.users`) for error messages.
    mutating func apply(_ value: Any, file: String, line: (String) -> Int?) throws(ProxyError) -> UInt16? {
        func at(_ key: String) -> String { line(key).map { "\(file):\($0)" } ?? file }
        guard let map = value as? [String: Any] else {
            throw .configuration("\(at("console")): console must be a mapping")
        }
        var port: UInt16?
        for (key, setting) in map {
            switch key {
            case "listen":
                guard let text = setting as? String else {
                    throw .configuration("\(at("console.listen")): console.listen must be an address")
                }
                listen = text
            case "port":
                guard let number = setting as? Int, let value = UInt16(exactly: number), value > 0 else {
                    throw .configuration("\(at("console.port")): console.port must be 1...65535")
                }
                port = value
            case "token_sha256":
                guard let text = setting as? String else {
                    throw .configuration("\(at("console.token_sha256")): console.token_sha256 must be text")
                }
                tokenSHA256 = text.lowercased()
            case "users":
                guard let list = setting as? [Any] else {
                    throw .configuration(
                        "\(at("console.users")): console.users must be a list of {name, password_sha256}")
                }
                users = []
                for item in list {
                    guard let entry = item as? [String: Any] else {
                        throw .configuration("\(at("console.users")): each console user is {name, password_sha256}")
                    }
                    for name in entry.keys where name != "name" && name != "password_sha256" {
                        throw .configuration(
                            "\(at("console.users")): unknown key console.users.\(name) (name, password_sha256)")
                    }
                    guard let name = entry["name"].map({ "\($0)" }), let hash = entry["password_sha256"] as? String
                    else {
                        throw .configuration("\(at("console.users")): each console user needs name and password_sha256")
                    }
                    users.append(ConsoleUser(name: name, passwordSHA256: hash))
                }
            default:
                throw .configuration(
                    "\(at("console.\(key)")): unknown key console.\(key) (listen, port, token_sha256, users)")
            }
        }
        return port
    }
}

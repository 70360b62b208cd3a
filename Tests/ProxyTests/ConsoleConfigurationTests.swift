import BodypartTesting
import Foundation
import Proxy
import Testing

/// The `console:` section of the proxy configuration.
struct ConsoleConfigurationTests {
    static func load(_ yaml: String) throws -> ProxyConfiguration {
        let folder = try TestEnvironment.temporaryFolder("console-config")
        defer { TestEnvironment.remove(folder) }
        let path = folder.appendingPathComponent("proxy.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try ProxyConfiguration.load(yamlFile: path)
    }

    static let hash = String(repeating: "ab", count: 32)

    @Test func consoleSectionSetsAddressPortAndCredentials() throws {
        let configuration = try Self.load(
            """
            destinations: [PACS@127.0.0.1:104]
            console:
              listen: 0.0.0.0
              port: 9200
              token_sha256: \(Self.hash.uppercased())
              users:
                - { name: alice, password_sha256: \(Self.hash) }
                - name: bob
                  password_sha256: \(Self.hash)
            """)
        #expect(configuration.metricsPort == 9200)
        #expect(configuration.console.listen == "0.0.0.0")
        #expect(configuration.console.tokenSHA256 == Self.hash)
        #expect(configuration.console.users.map(\.name) == ["alice", "bob"])
        #expect(configuration.console.pagesEnabled)
        try configuration.validate()
    }

    @Test func defaultsListenOnLoopbackWithPagesOffAndMetricsPortIsAnAlias() throws {
        let configuration = try Self.load("destinations: [PACS@127.0.0.1:104]\nmetrics_port: 9102\n")
        #expect(configuration.metricsPort == 9102)
        #expect(configuration.console.listen == "127.0.0.1")
        #expect(!configuration.console.pagesEnabled)
        #expect(ConsoleSettings.howToEnable.contains("console.token_sha256"))
    }

    @Test func unknownKeysAndBadHashesAreErrorsWithKeyAndLine() throws {
        let unknown = #expect(throws: ProxyError.self) {
            try Self.load("port: 11112\nconsole:\n  listen: 127.0.0.1\n  pasword: x\n")
        }
        #expect("\(unknown!)".contains("proxy.yaml:4: unknown key console.pasword"), "\(unknown!)")
        let top = #expect(throws: ProxyError.self) { try Self.load("port: 11112\nconsol:\n  port: 1\n") }
        #expect("\(top!)".contains("proxy.yaml:2: unknown key 'consol'"), "\(top!)")
        let userKey = #expect(throws: ProxyError.self) {
            try Self.load("console:\n  users:\n    - { name: a, password: x }\n")
        }
        #expect("\(userKey!)".contains("console.users.password"), "\(userKey!)")
        let configuration = try Self.load("destinations: [PACS@127.0.0.1:104]\nconsole:\n  token_sha256: secret\n")
        let bad = #expect(throws: ProxyError.self) { try configuration.validate() }
        #expect("\(bad!)".contains("console.token_sha256 must be 64 hex digits"), "\(bad!)")
    }
}

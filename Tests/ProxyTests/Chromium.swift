import BodypartTesting
import Foundation

/// Debian's headless Chromium (installed by `make test-deps`) and curl,
/// to drive the proxy's web console as a browser and a script would.
enum Chromium {
    /// What Chromium made of a page.
    struct Page {
        /// The DOM after loading, serialised (`--dump-dom`).
        let dom: String
        /// Messages the page logged to its console, from `--enable-logging=stderr` (lines `INFO:CONSOLE:N] "text", source: URL`).
        let consoleMessages: [String]
    }

    /// Loads `url` (credentials may sit in it: `http://user:password@127.0.0.1:PORT/`) and returns its DOM.
    static func load(_ url: String, profile: URL) throws -> Page {
        let output = try TestEnvironment.run(
            Peers.tool("chromium"),
            [
                "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--user-data-dir=\(profile.path)",
                "--enable-logging=stderr", "--v=0", "--dump-dom", url,
            ])
        let messages = output.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Page(dom: output.stdout, consoleMessages: messages)
    }

    /// The `value` of the first `<input name="NAME" value="...">` in `dom`.
    static func inputValue(_ name: String, in dom: String) -> String? {
        guard let range = dom.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = dom[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// `data-count` of the element with `id`.
    static func count(_ id: String, in dom: String) -> Int? {
        guard let range = dom.range(of: "id=\"\(id)\" data-count=\"") else { return nil }
        let rest = dom[range.upperBound...]
        return rest.firstIndex(of: "\"").flatMap { Int(rest[..<$0]) }
    }
}

/// curl against the console: status code and body.
enum HTTP {
    struct Reply {
        let status: Int
        let body: String
        let location: String?
        /// The response's header lines, as curl printed them.
        let headers: String
    }

    static func request(
        _ url: String, method: String = "GET", form: [(String, String)] = [], headers: [String] = [],
        user: String? = nil
    ) throws -> Reply {
        var arguments = ["-s", "-X", method, "-o", "-", "-D", "/dev/stderr", "-w", "\n%{http_code}"]
        if let user { arguments += ["-u", user] }
        for header in headers { arguments += ["-H", header] }
        for (name, value) in form { arguments += ["--data-urlencode", "\(name)=\(value)"] }
        let output = try TestEnvironment.run("/usr/bin/curl", arguments + [url])
        var body = output.stdout
        let status = body.split(separator: "\n").last.flatMap { Int($0) } ?? 0
        if let newline = body.lastIndex(of: "\n") { body = String(body[..<newline]) }
        let location = output.stderr.split(separator: "\r\n").first { $0.lowercased().hasPrefix("location:") }
            .map { $0.dropFirst("location:".count).trimmingCharacters(in: .whitespaces) }
        return Reply(status: status, body: body, location: location, headers: output.stderr)
    }
}

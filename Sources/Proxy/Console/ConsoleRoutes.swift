import Foundation
import Hummingbird

/// The console's routes: `/metrics` and `/healthz` open, every page behind
/// `ConsoleAuth`, every action a POST with the caller's CSRF token that
/// answers 303 back to its page with a notice.
struct ConsoleRoutes: Sendable {
    let service: ProxyService
    let auth: ConsoleAuth
    let pages: ConsolePages
    let actions: ConsoleActions

    init(service: ProxyService) {
        self.service = service
        auth = ConsoleAuth(settings: service.configuration.console)
        pages = ConsolePages(service: service, auth: auth)
        actions = ConsoleActions(service: service)
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("metrics") { _, _ in ConsoleRoutes.plain(service.respond("/metrics")) }
        router.get("healthz") { _, _ in ConsoleRoutes.plain(service.respond("/healthz")) }
        router.get(
            "/",
            use: page { request, identity in try pages.overview(identity: identity, notice: request.query("notice")) })
        router.get(
            "queues",
            use: page { request, identity in try pages.queues(identity: identity, notice: request.query("notice")) })
        router.get(
            "queues/discard",
            use: page { request, identity in
                pages.confirmDiscard(
                    identity: identity, destination: request.query("destination") ?? "",
                    name: request.query("name") ?? "")
            })
        router.get(
            "series",
            use: page { request, identity in try pages.series(identity: identity, query: request.uri.queryParameters) })
        router.get(
            "series/:uid",
            use: page { _, identity, context in
                try pages.seriesDetail(identity: identity, uid: context.parameters.get("uid") ?? "")
            })
        router.get(
            "reviews",
            use: page { request, identity in try pages.reviews(identity: identity, notice: request.query("notice")) })
        router.post("queues/retry", use: action { form, identity in try actions.retry(form, identity: identity) })
        router.post("queues/discard", use: action { form, identity in try actions.discard(form, identity: identity) })
        router.post("reviews/verdict", use: action { form, identity in try actions.verdict(form, identity: identity) })
        return router
    }

    typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response

    /// A page: the pages must be configured and the caller known.
    private func page(_ render: @escaping @Sendable (Request, String) throws -> String) -> Handler {
        page { request, identity, _ in try render(request, identity) }
    }

    private func page(_ render: @escaping @Sendable (Request, String, BasicRequestContext) throws -> String) -> Handler
    {
        { [auth] request, context in
            switch ConsoleRoutes.gate(request, auth) {
            case .refused(let response): return response
            case .allowed(let identity): return ConsoleRoutes.html(.ok, try render(request, identity, context))
            }
        }
    }

    /// An action: a known caller, a form carrying that caller's CSRF token;
    /// answers 303 to the page the action names, or 403 without the token.
    private func action(_ perform: @escaping @Sendable ([String: String], String) throws -> String) -> Handler {
        { [auth] request, _ in
            var request = request
            switch ConsoleRoutes.gate(request, auth) {
            case .refused(let response): return response
            case .allowed(let identity):
                let body = try await request.collectBody(upTo: 65_536)
                let form = ConsoleRoutes.form(String(buffer: body))
                guard auth.checkCSRF(form["csrf"], identity: identity) else {
                    return ConsoleRoutes.text(
                        .forbidden,
                        "refused: the form's CSRF token is missing or not yours; reload the page and try again\n")
                }
                let location: String
                do { location = try perform(form, identity) } catch {
                    return ConsoleRoutes.text(.badRequest, "refused: \(error)\n")
                }
                return Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
            }
        }
    }

    private enum Gate { case allowed(String), refused(Response) }

    private static func gate(_ request: Request, _ auth: ConsoleAuth) -> Gate {
        guard auth.settings.pagesEnabled else { return .refused(text(.notFound, ConsoleSettings.howToEnable)) }
        guard let identity = auth.identity(authorization: request.headers[.authorization]) else {
            var response = text(
                .unauthorized, "unauthorized: give the console's bearer token or a console user's name and password\n")
            response.headers[.wwwAuthenticate] = "Basic realm=\"bodypart console\", charset=\"UTF-8\""
            return .refused(response)
        }
        return .allowed(identity)
    }

    static func plain(_ response: ConsoleServer.Response) -> Response {
        Response(
            status: .init(code: response.status), headers: [.contentType: response.contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: response.body)))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .init("Content-Security-Policy")!:
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `application/x-www-form-urlencoded` fields (the last of a repeated name wins).
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first, !name.isEmpty { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }
}

extension Request {
    /// A query parameter, nil when absent or empty.
    func query(_ name: String) -> String? {
        guard let value = uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return value
    }
}

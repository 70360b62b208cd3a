import Anatomy
import Audit
import BodypartTesting
import Classifier
import Cleanup
import DicomCore
import Foundation
import Testing
import Yams
@testable import Proxy

/// The route table on its own: YAML, conditions, containment, order and `stop`.
struct RouteTableTests {
    static let taxonomy = try! Taxonomy.load(from: TestEnvironment.rules.appendingPathComponent("body-parts.yaml"))
    static let declared = [Destination(aeTitle: "BRAIN_APP", host: "127.0.0.1", port: 1), Destination(aeTitle: "PACS", host: "127.0.0.1", port: 2),
                           Destination(aeTitle: "NECK_APP", host: "127.0.0.1", port: 3)]

    static func table(_ yaml: String) throws -> RouteTable {
        try RouteTable.parse(try #require(try Yams.compose(yaml: yaml)), file: "test.yaml", taxonomy: taxonomy)
    }

    static func decision(_ bodyPart: String?, confidence: Double = 0.97, kind: DecisionKind = .filled) -> SeriesDecision {
        let prediction = Prediction(bodyPart: bodyPart, topClass: bodyPart ?? "CHEST", confidence: confidence, abstained: bodyPart == nil,
                                    alternatives: [], evidence: [], modelID: "test")
        // SeriesDecision has no public memberwise init: built as the spool stores it.
        let json = #"{"kind":"\#(kind.rawValue)","reason":"","modificationReason":"COERCE","descriptions":{},"prediction":"#
            + String(decoding: try! JSONEncoder().encode(prediction), as: UTF8.self) + "}"
        return try! JSONDecoder().decode(SeriesDecision.self, from: Data(json.utf8))
    }

    static func dataset(_ values: [(DicomCore.Tag, String, String)]) -> DataSet {
        DataSet(elements: values.sorted { $0.0 < $1.0 }.map { DataElement(tag: $0.0, vr: .CS, keyword: $0.1, value: .text($0.2)) })
    }

    @Test func bodyPartsMatchByTheTaxonomyEquivalentOrContained() throws {
        let table = try Self.table("""
            - name: headneck
              bodyPart: HEADNECK
              destinations: NECK_APP
            - name: brain
              bodyPart: BRAIN
              destinations: [BRAIN_APP]
            - name: default
              destinations: [PACS]
            """)
        func to(_ part: String?) -> [String] {
            table.route(Self.decision(part), dataset: DataSet(elements: []), taxonomy: Self.taxonomy, destinations: Self.declared).rules
        }
        #expect(to("HEAD") == ["headneck", "brain"])  // HEADNECK contains HEAD; BRAIN ~ HEAD
        #expect(to("BRAIN") == ["headneck", "brain"])
        #expect(to("NECK") == ["headneck"])
        #expect(to("CHEST") == ["default"])
        #expect(to(nil) == ["default"])  // abstained: no body part to route by
    }

    @Test func attributeTestsConfidenceDecisionAndStop() throws {
        let table = try Self.table("""
            - name: station
              attributes:
                StationName: { regex: "^MR[0-9]+$" }
                InstitutionName: { one_of: [A, B] }
                OperatorsName: { absent: true }
              min_confidence: 0.9
              decision: [FILLED, CONFIRMED]
              destinations: [BRAIN_APP]
              stop: true
            - name: all
              destinations: [PACS]
            """)
        func route(_ d: SeriesDecision, _ station: String) -> RoutingDecision {
            let data = Self.dataset([(DicomCore.Tag(0x0008, 0x1010), "StationName", station), (DicomCore.Tag(0x0008, 0x0080), "InstitutionName", "B")])
            return table.route(d, dataset: data, taxonomy: Self.taxonomy, destinations: Self.declared)
        }
        #expect(route(Self.decision("HEAD"), "MR12").rules == ["station"])  // stop: the second rule is not offered
        #expect(route(Self.decision("HEAD"), "MR12").destinations == ["BRAIN_APP@127.0.0.1:1"])
        #expect(route(Self.decision("HEAD"), "CT1").rules == ["all"])
        #expect(route(Self.decision("HEAD", confidence: 0.8), "MR12").rules == ["all"])
        #expect(route(Self.decision("HEAD", kind: .flagged), "MR12").rules == ["all"])
        let why = route(Self.decision("HEAD"), "CT1").trace[0].reasons
        #expect(why.contains("✗ StationName 'CT1' does not match /^MR[0-9]+$/"), "\(why)")
        #expect(why.contains("✓ InstitutionName 'B' in [A, B]"), "\(why)")
        #expect(why.contains("✓ OperatorsName absent"), "\(why)")
    }

    @Test func withoutADefaultRouteAnUntakenSeriesGoesNowhere() throws {
        let table = try Self.table("- name: brain\n  bodyPart: HEAD\n  destinations: [BRAIN_APP]\n")
        let route = table.route(Self.decision("CHEST"), dataset: DataSet(elements: []), taxonomy: Self.taxonomy, destinations: Self.declared)
        #expect(route.isDefault && route.destinations.isEmpty)
    }

    @Test func priorsSettingsAreReadAndCheckedAgainstTheArchives() throws {
        let table = try Self.table("""
            - name: brain
              bodyPart: HEAD
              destinations: [BRAIN_APP]
              priors: { archive: ARCHIVE, max_studies: 2, max_age: 5y, modalities: [CT, MR] }
            """)
        let priors = try #require(table.rules.first?.priors)
        #expect(priors.maxStudies == 2 && priors.modalities == ["CT", "MR"])
        #expect(priors.maxAttempts == PriorSettings.defaultMaxAttempts && PriorSettings.defaultMaxAttempts == 5)
        let capped = try Self.table("- name: brain\n  destinations: [BRAIN_APP]\n  priors: { archive: ARCHIVE, max_attempts: 3 }\n")
        #expect(capped.rules.first?.priors?.maxAttempts == 3)
        #expect(capped.summary.first?.hasSuffix("(priors from ARCHIVE, ≤ 3, given up after 3 failed attempts)") == true, "proxy --check")
        #expect(throws: ProxyError.self) {
            try Self.table("- name: brain\n  destinations: [BRAIN_APP]\n  priors: { archive: ARCHIVE, max_attempts: 0 }\n")
        }
        #expect(abs((priors.maxAge ?? 0) - 5 * 365.25 * 86400) < 1)
        #expect(throws: ProxyError.self) { try table.validate(destinations: Self.declared, archives: [], file: "test.yaml") }
        try table.validate(destinations: Self.declared, archives: [Destination(aeTitle: "ARCHIVE", host: "127.0.0.1", port: 4)],
                           file: "test.yaml")
    }
}

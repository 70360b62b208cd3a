import Audit
import Foundation
import Testing

/// CSV and JSON exports of decisions and changes.
@Suite struct ExportTests {
    @Test func csvQuotesAndHasOneRowPerRecord() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        let csv = AuditExport.csv(decisions: try temp.store.decisions(filter: DecisionFilter()))
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 8)
        #expect(lines[0] == AuditExport.decisionColumns.joined(separator: ","))
        #expect(lines[1].contains(#""{""SeriesDescription"":""THORAX""}""#), "quotes doubled inside a quoted field")
        #expect(lines[7].contains(",,ABSTAINED,") == false && lines[7].contains(",0.31,ABSTAINED,not confident,"))
        #expect(lines[1].contains("2026-09-21T14:13:20.125Z"))
        let changes = AuditExport.csv(changes: try temp.store.changes(runID: nil, series: nil))
        #expect(changes.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 5)
        #expect(changes.contains(#","(0018,0015)",BodyPartExamined,L_SPINE,LSPINE,"#), "the tag holds a comma: quoted")
        #expect(AuditExport.field("a,b") == "\"a,b\"" && AuditExport.field("x\ny") == "\"x\ny\"" && AuditExport.field(nil).isEmpty)
    }

    @Test func jsonParsesWithNullsAndEvidenceObjects() throws {
        let temp = try TempStore()
        defer { temp.remove() }
        try Sample.fill(temp.store)
        let text = AuditExport.json(decisions: try temp.store.decisions(filter: DecisionFilter()),
                                    changes: try temp.store.changes(runID: nil, series: nil))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let decisions = try #require(object["decisions"] as? [[String: Any]])
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(decisions.count == 7 && changes.count == 4)
        #expect((decisions[0]["evidence"] as? [String: Any])?["SeriesDescription"] as? String == "THORAX")
        #expect(decisions[6]["modality"] is NSNull && decisions[6]["predictedBodyPart"] is NSNull)
        #expect(changes[0]["oldValue"] is NSNull && changes[0]["newValue"] as? String == "CHEST")
        #expect((changes[0]["hash"] as? String)?.count == 64)
        let onlyChanges = AuditExport.json(decisions: nil, changes: [])
        #expect(onlyChanges.contains("\"changes\"") && !onlyChanges.contains("\"decisions\""))
    }
}

import Foundation
import GRDB

extension AuditStore {
    /// Every run, oldest first, with its current status.
    public func runs() throws(AuditError) -> [RunRecord] {
        try read { db in try RunRecord.fetchAll(db, sql: RunRecord.selectSQL + " ORDER BY r.id") }
    }

    /// One run by id, or nil.
    public func run(id: Int64) throws(AuditError) -> RunRecord? {
        try read { db in try RunRecord.fetchOne(db, sql: RunRecord.selectSQL + " WHERE r.id = ?", arguments: [id]) }
    }

    /// Changes in id order, optionally of one run and/or one series.
    public func changes(runID: Int64?, series: String?) throws(AuditError) -> [ChangeRecord] {
        try read { db in
            var request = ChangeRecord.all()
            if let runID { request = request.filter(Column("runID") == runID) }
            if let series { request = request.filter(Column("seriesInstanceUID") == series) }
            return try request.order(Column("id")).fetchAll(db)
        }
    }

    /// Decisions in id order that match the filter.
    public func decisions(filter: DecisionFilter) throws(AuditError) -> [DecisionRecord] {
        try read { db in try Self.request(filter).order(Column("id")).fetchAll(db) }
    }

    /// Errors in id order, optionally of one run.
    public func errors(runID: Int64?) throws(AuditError) -> [ErrorRecord] {
        try read { db in
            var request = ErrorRecord.all()
            if let runID { request = request.filter(Column("runID") == runID) }
            return try request.order(Column("id")).fetchAll(db)
        }
    }

    static func request(_ filter: DecisionFilter) -> QueryInterfaceRequest<DecisionRecord> {
        var request = DecisionRecord.all()
        if let runID = filter.runID { request = request.filter(Column("runID") == runID) }
        if let decision = filter.decision { request = request.filter(Column("decision") == decision.uppercased()) }
        if let series = filter.series { request = request.filter(Column("seriesInstanceUID") == series) }
        if let study = filter.study { request = request.filter(Column("studyInstanceUID") == study) }
        if let patient = filter.patientID { request = request.filter(Column("patientID") == patient) }
        if let accession = filter.accessionNumber { request = request.filter(Column("accessionNumber") == accession) }
        if let bodyPart = filter.bodyPart?.uppercased() {
            request = request.filter(
                Column("predictedBodyPart").uppercased == bodyPart || Column("currentBodyPartExamined").uppercased == bodyPart
                    || Column("newBodyPartExamined").uppercased == bodyPart)
        }
        if let since = filter.since { request = request.filter(Column("createdAt") >= since) }
        return request
    }
}

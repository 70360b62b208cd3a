import Anatomy
import Audit
import Classifier
import Cleanup
import Foundation

extension PriorFetcher {
    /// Why an attempt failed, and the priors it left unmoved (none when the patient's query failed).
    struct Failure {
        var reason: String
        var priors: [(study: PriorStudy, regions: [String])] = []
    }

    /// Works one job: query, match, move. Returns nil when done, else the
    /// failure (the job is retried; priors already moved are not moved again).
    /// Each row about one prior starts with its date and region (`PriorNote`).
    func fetch(_ job: inout PriorJob) -> Failure? {
        guard let archive = archives.first(where: { $0.description == job.archive }),
              let settings = router.table.rules.first(where: { $0.name == job.rule })?.priors
        else { return nil }  // the rule or archive is gone from the configuration: nothing to do
        var rows: [RoutingRecord] = []
        func row(_ kind: String, prior: PriorStudy? = nil, regions: [String] = [], status: String? = nil, _ detail: String) {
            rows.append(job.row(kind, prior: prior, regions: regions, status: status, detail, runID: audit.runID))
        }
        defer { audit.enqueue(routings: rows) }
        let studies: [PriorStudy]
        do { studies = try querier.findStudies(patientID: job.patientID, archive: archive) } catch {
            row("prior-failed", status: "failed", "C-FIND studies of PatientID \(job.patientID) at \(job.archive): \(error)")
            metrics.prior(failed: 1)
            return Failure(reason: "C-FIND: \(error)")
        }
        let candidates = studies.filter { $0.studyInstanceUID != job.studyInstanceUID }
            .sorted { ($0.studyDate ?? "") > ($1.studyDate ?? "") }
        row("prior-query", status: "success",
            "C-FIND PatientID \(job.patientID) at \(job.archive): \(candidates.count) earlier stud\(candidates.count == 1 ? "y" : "ies")")
        let counting = !job.counted
        job.counted = true
        if counting { metrics.prior(found: candidates.count) }
        let reference = PriorJob.date(job.studyDate) ?? Date()
        var alreadySent = (try? store.priorsMoved(to: job.destination)) ?? []
        condition.lock()
        for key in sent where key.hasPrefix(job.destination + "|") { alreadySent.insert(String(key.dropFirst(job.destination.count + 1))) }
        condition.unlock()
        var matched: [(study: PriorStudy, region: String)] = []
        for prior in candidates {
            let uid = prior.studyInstanceUID
            if let maxAge = settings.maxAge, let date = PriorJob.date(prior.studyDate), reference.timeIntervalSince(date) > maxAge {
                row("prior-skip", prior: prior, "older than max_age"); continue
            }
            if !settings.modalities.isEmpty, Set(prior.modalities).isDisjoint(with: settings.modalities) {
                row("prior-skip", prior: prior, "modalities \(prior.modalities.joined(separator: "\\")) not in [\(settings.modalities.joined(separator: ", "))]")
                continue
            }
            let regions: [String]
            let level: String
            do { (regions, level) = try self.regions(of: prior, job: job, archive: archive) } catch {
                row("prior-failed", prior: prior, status: "failed", "C-FIND series of \(uid): \(error)")
                metrics.prior(failed: 1)
                return Failure(reason: "C-FIND series: \(error)", priors: [(prior, [])])
            }
            guard let hit = regions.first(where: { PriorFetcher.sameRegion($0, job.region, router.taxonomy) }) else {
                let shown = regions.isEmpty ? "no region (the classifier abstained)" : "region \(regions.joined(separator: ", "))"
                row("prior-skip", prior: prior, regions: regions, "\(shown) from the \(level) does not match \(job.region)")
                continue
            }
            if matched.count >= settings.maxStudies {
                row("prior-skip", prior: prior, regions: [hit], "region \(hit) matches \(job.region), beyond max_studies \(settings.maxStudies)")
                continue
            }
            matched.append((prior, hit))
            if counting { metrics.prior(matched: 1) }
            row("prior-match", prior: prior, regions: [hit], "region \(hit) from the \(level) (\(prior.studyDescription ?? "no description"), "
                + "\(prior.studyDate ?? "no date")) matches \(job.region)")
        }
        var failure: Failure?
        for (prior, region) in matched {
            let uid = prior.studyInstanceUID
            if alreadySent.contains(uid) {
                row("prior-skip", prior: prior, regions: [region], "already sent to \(job.destination)"); continue
            }
            do {
                let moved = try querier.moveStudy(uid, patientID: job.patientID, from: archive, to: job.destinationAE)
                row("prior-move", prior: prior, regions: [region], status: "success", "C-MOVE \(uid) from \(job.archive) to \(job.destinationAE): \(moved) object(s)")
                metrics.prior(moved: 1)
                condition.lock()
                sent.insert(job.destination + "|" + uid)
                condition.unlock()
            } catch {
                row("prior-failed", prior: prior, regions: [region], status: "failed",
                    "C-MOVE \(uid) from \(job.archive) to \(job.destinationAE): \(error)")
                metrics.prior(failed: 1)
                failure = Failure(reason: "C-MOVE: \(error)", priors: (failure?.priors ?? []) + [(prior, [region])])
            }
        }
        return failure
    }

    /// A prior's regions: from its study-level attributes, or, when the
    /// classifier abstains on those, from each of its series.
    private func regions(of prior: PriorStudy, job: PriorJob, archive: Destination) throws -> ([String], String) {
        var study: [String: String] = [:]
        study["StudyDescription"] = prior.studyDescription
        study["BodyPartExamined"] = prior.bodyPartExamined
        study["Modality"] = prior.modalities.first { !["SR", "PR", "KO", "SEG", "REG"].contains($0) } ?? prior.modalities.first
        if let region = classify(study) { return ([region], "study") }
        let series = try querier.findSeries(studyInstanceUID: prior.studyInstanceUID, patientID: job.patientID, archive: archive)
        var regions: [String] = []
        for item in series {
            var attributes = study
            attributes["Modality"] = item.modality ?? attributes["Modality"]
            attributes["SeriesDescription"] = item.seriesDescription
            attributes["BodyPartExamined"] = item.bodyPartExamined ?? prior.bodyPartExamined
            attributes["ProtocolName"] = item.protocolName
            if let region = classify(attributes), !regions.contains(region) { regions.append(region) }
        }
        return (regions, "series")
    }

    /// The classifier's answer for these attributes, the way the proxy decides a series (nil: abstained or skipped).
    private func classify(_ attributes: [String: String]) -> String? {
        RouteRule.predictedBodyPart(enricher.decide(series: SeriesMetadata(attributes: attributes.filter { !$0.value.isEmpty })))
    }

    /// Same region, or one containing the other (HEAD ~ BRAIN, HEADNECK ⊃ HEAD, HEAD ⊂ HEADNECK).
    static func sameRegion(_ prior: String, _ new: String, _ taxonomy: Taxonomy) -> Bool {
        taxonomy.areEquivalent(prior, new) || taxonomy.contains(prior, new) || taxonomy.contains(new, prior)
    }
}

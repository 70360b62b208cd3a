import Foundation
import Testing

@testable import Proxy

@Suite struct DestinationTests {
    @Test func parsesAETitleHostAndPort() throws {
        let destination = try Destination(parsing: "PACS@127.0.0.1:104")
        #expect(destination.aeTitle == "PACS")
        #expect(destination.host == "127.0.0.1")
        #expect(destination.port == 104)
        #expect(destination.description == "PACS@127.0.0.1:104")
    }

    @Test func hostAndPortAloneUseAnyScp() throws {
        #expect(try Destination(parsing: "pacs.local:11112").aeTitle == "ANY-SCP")
    }

    @Test(arguments: ["PACS@host", "PACS@:104", "PACS@host:0", "WAYTOOLONGAETITLE17@h:1", "@h:1"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: ProxyError.self) { try Destination(parsing: text) }
    }

    @Test func backoffDoublesAndIsCapped() {
        var schedule = RetrySchedule()
        schedule.initialDelay = 1
        schedule.maximumDelay = 10
        #expect(schedule.delay(afterAttempt: 1) == 1)
        #expect(schedule.delay(afterAttempt: 2) == 2)
        #expect(schedule.delay(afterAttempt: 4) == 8)
        #expect(schedule.delay(afterAttempt: 5) == 10)
        #expect(schedule.delay(afterAttempt: 60) == 10)
    }

    @Test func spoolEntryNameRoundTrips() {
        let entry = SpoolEntry(sequence: 42, seriesInstanceUID: "1.2.3", sopInstanceUID: "1.2.3.4", arrival: Date())
        let parsed = SpoolEntry(fileName: entry.fileName, arrival: entry.arrival)
        #expect(parsed == entry)
        #expect(SpoolEntry(fileName: ".recv-1-1.part", arrival: Date()) == nil)
        #expect(SpoolEntry.safe("1.2_3/4") == "1.2-3-4")
    }
}

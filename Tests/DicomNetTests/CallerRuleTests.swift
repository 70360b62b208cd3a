import DicomNet
import Testing

/// The allow-list's address ranges and entries.
@Suite struct CallerRuleTests {
    @Test func ipv4Ranges() throws {
        let range = try #require(AddressRange(parsing: "10.1.2.0/24"))
        #expect(range.contains("10.1.2.77"))
        #expect(!range.contains("10.1.3.1"))
        #expect(range.contains("::ffff:10.1.2.9"), "an IPv4-mapped peer on a dual-stack socket")
        #expect(!range.contains("fd00::1"))
        #expect(range.description == "10.1.2.0/24")
        #expect(AddressRange(parsing: "10.1.2.99/24") == range, "host bits are cleared")
        #expect(try #require(AddressRange(parsing: "127.0.0.1")).contains("127.0.0.1"))
        #expect(!(try #require(AddressRange(parsing: "127.0.0.1")).contains("127.0.0.2")))
        #expect(try #require(AddressRange(parsing: "0.0.0.0/0")).contains("192.168.7.7"))
    }

    @Test func ipv6Ranges() throws {
        let range = try #require(AddressRange(parsing: "fd00:1:2::/48"))
        #expect(range.contains("fd00:1:2:ffff::5"))
        #expect(!range.contains("fd00:1:3::5"))
        #expect(!range.contains("10.1.2.3"))
        #expect(try #require(AddressRange(parsing: "::1")).contains("::1"))
    }

    @Test(arguments: ["10.1.2.0/33", "10.1.2/24", "host.example.org", "fd00::/129", "10.1.2.0/", "/24", ""])
    func malformedRangesAreRejected(_ text: String) {
        #expect(AddressRange(parsing: text) == nil)
    }

    @Test func entriesNeedEveryPartToHold() throws {
        let both = CallerRule(aeTitle: "CT1", from: AddressRange(parsing: "10.1.2.0/24"))
        #expect(both.matches(callingAE: "CT1", address: "10.1.2.3"))
        #expect(both.matches(callingAE: " CT1 ", address: "10.1.2.3"), "AE title padding is insignificant")
        #expect(!both.matches(callingAE: "CT2", address: "10.1.2.3"))
        #expect(!both.matches(callingAE: "CT1", address: "10.9.2.3"))
        #expect(CallerRule(aeTitle: "CT1").matches(callingAE: "CT1", address: "203.0.113.5"))
        #expect(CallerRule(from: AddressRange(parsing: "10.1.2.0/24")).matches(callingAE: "ANY", address: "10.1.2.200"))
    }
}

import BodypartTesting
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A bare DICOM Upper Layer client (PS3.8) written for the tests, to send
/// what no well-behaved tool sends: a C-STORE whose command and dataset
/// disagree, or a dataset cut off mid-stream. One presentation context
/// (id 1), Explicit VR Little Endian.
final class RawAssociation {
    static let explicitLittleEndian = "1.2.840.10008.1.2.1"
    private let fd: Int32

    /// Connects and negotiates `sopClass` in Explicit VR Little Endian; throws when not accepted.
    init(port: UInt16, calling: String = "MODALITY", called: String = "BODYPART", sopClass: String) throws {
        guard let fd = Peers.connectLoopback(port) else { throw Failure("cannot connect to \(port)") }
        self.fd = fd
        var body: [UInt8] = [0x00, 0x01, 0x00, 0x00] + Self.ae(called) + Self.ae(calling) + Array(repeating: 0, count: 32)
        body += Self.item(0x10, Array("1.2.840.10008.3.1.1.1".utf8))
        body += Self.item(0x20, [0x01, 0, 0, 0] + Self.item(0x30, Array(sopClass.utf8))
                                + Self.item(0x40, Array(Self.explicitLittleEndian.utf8)))
        body += Self.item(0x50, Self.item(0x51, Self.bigEndian32(16384)))
        try send(pdu: 0x01, body)
        let (type, answer) = try receivePDU()
        // A-ASSOCIATE-AC, and its presentation context (item 0x21) accepted (result 0).
        guard type == 0x02, let context = answer.indices.dropFirst(68).first(where: { answer[$0] == 0x21 }),
              answer.count > context + 6, answer[context + 6] == 0
        else { close(fd); throw Failure("association not accepted (PDU type \(type))") }
    }

    deinit { close(fd) }

    /// Sends a C-STORE-RQ naming `sopInstance`, then `dataset` (Explicit VR
    /// LE, no meta header). With `cutAfter`, only that many dataset bytes go,
    /// not marked last, and the connection is closed: returns nil. Otherwise
    /// returns the response's status.
    func store(sopClass: String, sopInstance: String, dataset: [UInt8], cutAfter: Int? = nil) throws -> UInt16? {
        var command: [UInt8] = []
        command += Self.element(0x0002, Self.uid(sopClass))
        command += Self.element(0x0100, [0x01, 0x00])
        command += Self.element(0x0110, [0x01, 0x00])
        command += Self.element(0x0700, [0x00, 0x00])
        command += Self.element(0x0800, [0x00, 0x00])  // a dataset follows
        command += Self.element(0x1000, Self.uid(sopInstance))
        command = Self.element(0x0000, Self.littleEndian32(UInt32(command.count))) + command
        try send(pdu: 0x04, Self.pdv(command, isCommand: true, isLast: true))
        let part = cutAfter.map { Array(dataset.prefix($0)) } ?? dataset
        var offset = 0
        while offset < part.count {
            let chunk = Array(part[offset..<min(part.count, offset + 16000)])
            offset += chunk.count
            try send(pdu: 0x04, Self.pdv(chunk, isCommand: false, isLast: cutAfter == nil && offset == part.count))
        }
        if cutAfter != nil { shutdown(fd, Int32(SHUT_RDWR)); return nil }
        let (type, answer) = try receivePDU()
        guard type == 0x04 else { throw Failure("expected P-DATA, got PDU type \(type)") }
        // PDV: length(4) id(1) header(1), then the command set; find (0000,0900).
        let set = Array(answer.dropFirst(6))
        var i = 0
        while i + 8 <= set.count {
            let element = UInt16(set[i + 2]) | UInt16(set[i + 3]) << 8
            let length = Int(set[i + 4]) | Int(set[i + 5]) << 8 | Int(set[i + 6]) << 16 | Int(set[i + 7]) << 24
            if element == 0x0900, length == 2 { return UInt16(set[i + 8]) | UInt16(set[i + 9]) << 8 }
            i += 8 + length
        }
        throw Failure("no status in the response")
    }

    /// A-RELEASE-RQ, its answer, then the connection closed as the requestor must (PS3.8
    /// §9.2.3) — or, with `close: false`, left open as some peers do.
    func release(close: Bool = true) throws {
        try send(pdu: 0x05, [0, 0, 0, 0])
        _ = try receivePDU()
        if close { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ text: String) { description = text }
    }

    /// The dataset of a Part 10 file in Explicit VR Little Endian (everything after the meta group).
    static func dataset(ofFile path: String) throws -> [UInt8] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var i = 132
        while i + 8 <= bytes.count, bytes[i] == 0x02, bytes[i + 1] == 0x00 {
            let vr = String(decoding: bytes[(i + 4)..<(i + 6)], as: UTF8.self)
            if ["OB", "OW", "OF", "SQ", "UT", "UN"].contains(vr) {
                let length = Int(bytes[i + 8]) | Int(bytes[i + 9]) << 8 | Int(bytes[i + 10]) << 16 | Int(bytes[i + 11]) << 24
                i += 12 + length
            } else {
                i += 8 + (Int(bytes[i + 6]) | Int(bytes[i + 7]) << 8)
            }
        }
        return Array(bytes[i...])
    }

    // MARK: Encoding

    private func send(pdu type: UInt8, _ body: [UInt8]) throws {
        let bytes = [type, 0] + Self.bigEndian32(UInt32(body.count)) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure("send failed: \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    private func receivePDU() throws -> (UInt8, [UInt8]) {
        let header = try receive(6)
        let length = Int(header[2]) << 24 | Int(header[3]) << 16 | Int(header[4]) << 8 | Int(header[5])
        return (header[0], try receive(length))
    }

    private func receive(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while got < count {
            let n = out[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure("connection closed or timed out after \(got) of \(count) bytes") }
            got += n
        }
        return out
    }

    private static func pdv(_ data: [UInt8], isCommand: Bool, isLast: Bool) -> [UInt8] {
        bigEndian32(UInt32(data.count + 2)) + [0x01, (isCommand ? 1 : 0) | (isLast ? 2 : 0)] + data
    }

    /// A command element (group 0000, implicit VR little endian).
    private static func element(_ element: UInt16, _ value: [UInt8]) -> [UInt8] {
        [0x00, 0x00, UInt8(element & 0xFF), UInt8(element >> 8)] + littleEndian32(UInt32(value.count)) + value
    }

    private static func uid(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return bytes.count % 2 == 0 ? bytes : bytes + [0]
    }

    private static func item(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        [type, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }

    private static func ae(_ title: String) -> [UInt8] {
        Array((title + String(repeating: " ", count: 16)).utf8.prefix(16))
    }

    private static func bigEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    private static func littleEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
}

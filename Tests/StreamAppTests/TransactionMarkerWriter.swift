import Foundation
import Glibc
import StreamCore
import Testing

/// Appends a transaction commit marker (a control record batch) to a partition of a broker, as a
/// transaction coordinator does at the end of a transaction.
///
/// librdkafka's mock cluster writes no markers of its own, but it stores a produced batch as it
/// is. Its consumers then meet the marker as on a real broker: an offset without a record for
/// the application. The request is a Produce request (version 3) with one record
/// batch (magic 2) whose attributes mark it transactional and control, and one record whose key is
/// a commit marker (version 0, type 1).
enum TransactionMarkerWriter {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends the marker to `topic`'s `partition` on the broker at `address` (`127.0.0.1:PORT`),
    /// which must lead the partition, and waits for the broker's response.
    static func appendCommitMarker(address: String, topic: String, partition: Int32, timestamp: Int64) throws {
        let request = produceRequest(topic: topic, partition: partition, batch: commitBatch(timestamp: timestamp))
        let response = try exchange(address: address, request: request)
        // Response v3: correlation id, topic count, topic name, partition count, partition, error code.
        let errorOffset = 4 + 4 + 2 + topic.utf8.count + 4 + 4
        guard response.count >= errorOffset + 2 else {
            throw Failure(description: "short Produce response of \(response.count) bytes")
        }
        let error = Int16(bitPattern: UInt16(response[errorOffset]) << 8 | UInt16(response[errorOffset + 1]))
        guard error == 0 else { throw Failure(description: "the broker refused the marker: error \(error)") }
    }

    private static func commitBatch(timestamp: Int64) -> [UInt8] {
        var record = Bytes()
        record.int8(0)  // attributes
        record.varint(0)  // timestamp delta
        record.varint(0)  // offset delta
        record.varint(4)  // key: control record version 0, type 1 (commit)
        record.int16(0)
        record.int16(1)
        record.varint(6)  // value: version 0, coordinator epoch 0
        record.int16(0)
        record.int32(0)
        record.varint(0)  // headers

        var checked = Bytes()  // everything the CRC covers: attributes to the end
        checked.int16(0x30)  // transactional and control
        checked.int32(0)  // last offset delta
        checked.int64(timestamp)
        checked.int64(timestamp)
        checked.int64(4_242)  // producer id
        checked.int16(0)  // producer epoch
        checked.int32(-1)  // base sequence
        checked.int32(1)  // records
        checked.varint(Int64(record.bytes.count))
        checked.bytes += record.bytes

        var batch = Bytes()
        batch.int64(0)  // base offset, set by the broker
        batch.int32(Int32(4 + 1 + 4 + checked.bytes.count))  // length after this field
        batch.int32(-1)  // partition leader epoch
        batch.int8(2)  // magic
        batch.int32(Int32(bitPattern: CRC32C.checksum(checked.bytes)))
        batch.bytes += checked.bytes
        return batch.bytes
    }

    private static func produceRequest(topic: String, partition: Int32, batch: [UInt8]) -> [UInt8] {
        var body = Bytes()
        body.int16(0)  // API key: Produce
        body.int16(3)  // version
        body.int32(1)  // correlation id
        body.string("memestream-test")
        body.int16(-1)  // transactional id: null
        body.int16(1)  // acks
        body.int32(10_000)  // timeout, ms
        body.int32(1)
        body.string(topic)
        body.int32(1)
        body.int32(partition)
        body.int32(Int32(batch.count))
        body.bytes += batch
        var frame = Bytes()
        frame.int32(Int32(body.bytes.count))
        return frame.bytes + body.bytes
    }

    /// Sends `request` and returns the response body after its size field. Every wait is bounded
    /// by a 10 s socket timeout.
    private static func exchange(address: String, request: [UInt8]) throws -> [UInt8] {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw Failure(description: "expected HOST:PORT, got \(address)")
        }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket failed: errno \(errno)") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr.s_addr = inet_addr(String(parts[0]))
        let connected = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect to \(address) failed: errno \(errno)") }
        let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { throw Failure(description: "sent \(sent) of \(request.count) bytes") }
        let size = try receive(descriptor, count: 4)
        let length = Int(UInt32(size[0]) << 24 | UInt32(size[1]) << 16 | UInt32(size[2]) << 8 | UInt32(size[3]))
        guard length < 1 << 20 else { throw Failure(description: "response size \(length) is not plausible") }
        return try receive(descriptor, count: length)
    }

    private static func receive(_ descriptor: Int32, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        // Each pass receives at least one byte or fails, so there are at most `count` passes.
        for _ in 0...count where received < count {
            let result = bytes.withUnsafeMutableBytes {
                recv(descriptor, $0.baseAddress! + received, count - received, 0)
            }
            guard result > 0 else {
                throw Failure(description: "the broker closed or timed out after \(received) bytes")
            }
            received += result
        }
        return bytes
    }

    /// Big-endian Kafka protocol fields and zigzag varints.
    private struct Bytes {
        var bytes: [UInt8] = []
        mutating func int8(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }
        mutating func int16(_ value: Int16) { append(UInt64(UInt16(bitPattern: value)), width: 2) }
        mutating func int32(_ value: Int32) { append(UInt64(UInt32(bitPattern: value)), width: 4) }
        mutating func int64(_ value: Int64) { append(UInt64(bitPattern: value), width: 8) }
        mutating func string(_ text: String) {
            int16(Int16(text.utf8.count))
            bytes += Array(text.utf8)
        }
        mutating func varint(_ value: Int64) {
            var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
            while zigzag >= 0x80 {
                bytes.append(UInt8(zigzag & 0x7F) | 0x80)
                zigzag >>= 7
            }
            bytes.append(UInt8(zigzag))
        }
        private mutating func append(_ value: UInt64, width: Int) {
            for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
                bytes.append(UInt8((value >> UInt64(shift)) & 0xFF))
            }
        }
    }
}

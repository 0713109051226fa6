import Testing

@testable import StreamCore

@Suite struct IOZstdTests {
    @Test(arguments: [0, 1, 17, 100_000, 3_000_000])
    func oneShotRoundTrip(size: Int) throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8](repeating: 0, count: size)
        for index in 0..<size {
            // A mix of repeats and noise so the data compresses but not trivially.
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[index] = index % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 56) : UInt8(index % 7)
        }
        let compressed = try Zstd.compress(bytes)
        #expect(compressed.starts(with: Zstd.frameMagic))
        let restored = try Zstd.decompress(compressed)
        #expect(restored == bytes)
    }

    @Test func decompressEmptyInputIsEmpty() throws {
        #expect(try Zstd.decompress([]) == [])
    }

    @Test func decompressTruncatedFrameThrows() throws {
        let compressed = try Zstd.compress(Array(repeating: 7, count: 10_000) + Array(0..<255))
        let cut = Array(compressed.dropLast(5))
        #expect(throws: FileIOError.self) { try Zstd.decompress(cut) }
    }

    @Test func decompressGarbageThrows() throws {
        #expect(throws: FileIOError.self) { try Zstd.decompress([1, 2, 3, 4, 5, 6, 7, 8]) }
    }

    @Test func decompressRespectsSizeLimit() throws {
        let compressed = try Zstd.compress([UInt8](repeating: 0, count: 100_000))
        #expect(throws: FileIOError.self) { try Zstd.decompress(compressed, maximumSize: 1000) }
    }

    @Test func frameMagicDetection() {
        let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0]
        magic.withUnsafeBytes { #expect(Zstd.hasFrameMagic($0)) }
        let plain: [UInt8] = Array("{\"a\":1}".utf8)
        plain.withUnsafeBytes { #expect(!Zstd.hasFrameMagic($0)) }
        for low: UInt8 in [0x50, 0x5A, 0x5F] {
            [low, 0x2A, 0x4D, 0x18].withUnsafeBytes { #expect(Zstd.hasSkippableFrameMagic($0)) }
        }
        [0x60, 0x2A, 0x4D, 0x18].withUnsafeBytes { #expect(!Zstd.hasSkippableFrameMagic($0)) }
        magic.withUnsafeBytes { #expect(!Zstd.hasSkippableFrameMagic($0)) }
    }
}

import Testing

@testable import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Files loaded whole: only regular files within the limit are read, and nothing blocks.
@Suite struct IOSmallFileTests {
    @Test func regularFileIsRead() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("small.conf")
        try writeFile(path, Array("group=a\n".utf8))
        #expect(try SmallFile.read(path: path, limit: 100) == Array("group=a\n".utf8))
        #expect(try SmallFile.read(path: path, limit: 8) == Array("group=a\n".utf8))
    }

    @Test func fileOverLimitIsRejected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("big.conf")
        try writeFile(path, [UInt8](repeating: 0x61, count: 101))
        let failure = try #require(throws: SmallFile.Failure.self) { try SmallFile.read(path: path, limit: 100) }
        #expect(failure.description == "is 101 bytes, larger than the limit of 100")
    }

    /// A FIFO without a writer would block a plain open forever.
    @Test func fifoIsRejectedWithoutBlocking() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("pipe")
        try #require(mkfifo(path, 0o600) == 0)
        let failure = try #require(throws: SmallFile.Failure.self) { try SmallFile.read(path: path, limit: 100) }
        #expect(failure.description == "is a FIFO, not a regular file")
    }

    @Test(arguments: [
        ("/dev/zero", "is a character device, not a regular file"), ("/", "is a directory, not a regular file"),
    ])
    func specialFileIsRejected(path: String, reason: String) throws {
        let failure = try #require(throws: SmallFile.Failure.self) { try SmallFile.read(path: path, limit: 100) }
        #expect(failure.description == reason)
    }

    /// Files in /proc report a size of 0, so the reader must not trust the size from `fstat`.
    @Test func procFileIsReadToItsEnd() throws {
        let bytes = try SmallFile.read(path: "/proc/self/status", limit: 1 << 20)
        #expect(bytes.count > 100)
        #expect(String(decoding: bytes, as: UTF8.self).contains("VmRSS"))
    }

    @Test func missingFileGivesErrno() throws {
        let failure = try #require(throws: SmallFile.Failure.self) {
            try SmallFile.read(path: "/nonexistent/memestream.conf", limit: 100)
        }
        #expect(failure.code == ENOENT)
        #expect(failure.description.hasPrefix("open failed: "))
    }
}

import Testing

@testable import StreamApp

@Suite struct AllocatorSettingsTests {
    @Test func glibcTakesTheMmapThreshold() {
        #if canImport(Glibc)
        #expect(AllocatorSettings.apply())
        #endif
    }
}

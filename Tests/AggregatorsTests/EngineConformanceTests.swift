import Aggregators
import Foundation
import StreamCore
import Testing

@Suite struct EngineConformanceTests {
    @Test(arguments: ConformanceCase.allNames)
    func caseProducesExpectedRecords(name: String) throws {
        let conformanceCase = try ConformanceCase.load(name)
        let driver = TestDriver()
        try conformanceCase.feed(driver)
        let actual = sortedByTickAndKey(driver.readRecords())
        #expect(actual.count == conformanceCase.expectedLines.count, "record count of \(name)")
        for (index, (line, expected)) in zip(actual, conformanceCase.expectedLines).enumerated() {
            let difference = differenceBetween(actual: line, expected: expected)
            #expect(
                difference == nil,
                "\(name) line \(index + 1): \(difference ?? "")\n  got      \(line)\n  expected \(expected)"
            )
            if difference != nil { break }
        }
    }

    @Test(arguments: ConformanceCase.allNames)
    func caseRejectsExpectedRecords(name: String) throws {
        let conformanceCase = try ConformanceCase.load(name)
        let driver = TestDriver()
        try conformanceCase.feed(driver)
        let actual = driver.readRejections().map { "\($0.partition)/\($0.offset)/\($0.rejection.reason.rawValue)" }
        let expected = conformanceCase.expectedRejections.map { "\($0.0)/\($0.1)/\($0.2)" }
        #expect(actual.sorted() == expected.sorted())
    }

    @Test func sharedCasesArePresent() {
        #expect(!ConformanceCase.allNames.isEmpty, "no cases under \(ConformanceCase.sharedDirectory.path)")
    }
}

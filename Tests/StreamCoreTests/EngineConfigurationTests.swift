import StreamCore
import Testing

/// The ranges of engine settings that the engine's event-time arithmetic relies on.
@Suite struct EngineConfigurationTests {
    @Test func defaultsAreValid() {
        #expect(EngineConfiguration().invalidSetting == nil)
    }

    @Test func limitsAreValid() {
        var configuration = EngineConfiguration()
        configuration.tickMilliseconds = EngineConfiguration.maximumDurationMilliseconds
        configuration.outOfOrdernessMilliseconds = 0
        configuration.allowedLatenessMilliseconds = EngineConfiguration.maximumDurationMilliseconds
        configuration.maxFutureSkewMilliseconds = 0
        configuration.maxEventBytes = 1
        #expect(configuration.invalidSetting == nil)
    }

    @Test(arguments: [
        ("tick", Int64(0), "tickMilliseconds is 0; use 1 to 10000000000000"),
        ("outOfOrderness", -1, "outOfOrdernessMilliseconds is -1; use 0 to"),
        ("allowedLateness", Int64.max, "allowedLatenessMilliseconds is 9223372036854775807"),
        ("maxFutureSkew", 10_000_000_000_001, "maxFutureSkewMilliseconds is 10000000000001"),
    ])
    func durationOutOfRangeIsNamed(setting: String, value: Int64, message: String) {
        var configuration = EngineConfiguration()
        switch setting {
        case "tick": configuration.tickMilliseconds = value
        case "outOfOrderness": configuration.outOfOrdernessMilliseconds = value
        case "allowedLateness": configuration.allowedLatenessMilliseconds = value
        default: configuration.maxFutureSkewMilliseconds = value
        }
        let invalidSetting = configuration.invalidSetting ?? ""
        #expect(invalidSetting.hasPrefix(message), "\(invalidSetting)")
    }

    @Test func emptyEventSizeLimitIsNamed() {
        var configuration = EngineConfiguration()
        configuration.maxEventBytes = 0
        #expect(configuration.invalidSetting == "maxEventBytes is 0; use at least 1")
    }
}

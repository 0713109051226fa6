import Testing

@testable import StreamApp

@Suite struct DevClusterCommandTests {
    @Test(arguments: [
        ("memes:8", "memes", 8), ("meme.features_v1:1", "meme.features_v1", 1), ("a-b:10000", "a-b", 10_000),
    ])
    func topicSpecParses(text: String, name: String, partitions: Int) throws {
        let topic = try DevClusterCommand.parseTopic(text)
        #expect(topic.name == name)
        #expect(topic.partitions == partitions)
    }

    @Test(arguments: ["memes", "memes:", "memes:0", "memes:x", ":4", "bad name:4", "..:1", "memes:10001"])
    func invalidTopicSpecIsRejected(text: String) {
        #expect(throws: UsageError.self) { try DevClusterCommand.parseTopic(text) }
    }
}

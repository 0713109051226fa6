/// Every subcommand of `memestream`, in the order the top-level help lists them.
enum Subcommands {
    static var all: [any Subcommand.Type] {
        [
            RunCommand.self,
            ReplayCommand.self,
            ImportKuaiRandCommand.self,
            BenchCommand.self,
            DevClusterCommand.self,
            GenerateCommand.self,
            DemoCommand.self,
            RoundTripCommand.self,
        ]
    }
}

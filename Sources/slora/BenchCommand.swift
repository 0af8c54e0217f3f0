// `slora bench`: benchmark commands that print a table (never part of the tests).

import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks that print a table.",
        subcommands: [CPUBenchCommand.self, GPUBenchCommand.self, ServeBenchCommand.self])
}

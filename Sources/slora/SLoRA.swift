// The slora command line: subcommands that run the engine on a model.

import ArgumentParser

@main
struct SLoRA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slora",
        abstract: "Serve many LoRA adapters over one Llama-family base model (S-LoRA design).",
        subcommands: [ServeCommand.self, GenerateCommand.self, TokenizeCommand.self, BenchCommand.self, GPUCheckCommand.self])
}

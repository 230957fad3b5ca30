import ArgumentParser

@main
struct CobradorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cobrador",
        abstract: "Gets freelancers and small firms paid: a ledger of clients, invoices and payments, and the reminders that follow them.",
        discussion: """
            Every command reads the configuration from --config, else $COBRADOR_CONFIG,
            else /etc/cobrador/cobrador.toml. Start with `cobrador init --config
            ./cobrador.toml`.
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, CheckCommand.self, ClientCommand.self, InvoiceCommand.self, PaymentCommand.self,
            NegotiationCommand.self, ContactCommand.self, ImportCommand.self, StatusCommand.self, PlanCommand.self, PreviewCommand.self, SendTestCommand.self, RunCommand.self, LogCommand.self, ResolveCommand.self, InterestCommand.self, EvidenceCommand.self,
        ]
    )
}

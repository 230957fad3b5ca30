import CobradorCore
import CobradorMail

/// What must hold before cobrador writes to clients: `check` reports it, and every run and
/// reload refuses to start without it, so that a template typo never reaches a client as
/// "Dear ," and the example sender never leaves through a relay.
enum SendingReadiness {
    /// Every template problem, each naming its file and line: a name the message context
    /// lacks, a missing digest, a formal notice that leaves out what the law asks it to state.
    static func templateProblems(_ templates: TemplateSet, _ configuration: Configuration) -> [String] {
        let messages = templates.unknownNames(in: MessageContext.sample(.en, sender: configuration.sender)) { !TemplateSet.isDigest($0) }
        let digest = templates.unknownNames(in: DigestContext.sample(owner: configuration.sender.legalName), matching: TemplateSet.isDigest)
        var problems = (messages + digest).map { "\($0.file):\($0.line): \($0.message)" }
        for language in Language.allCases where configuration.digestMinute != nil && !templates.has("digest", language: language, part: "text") {
            problems.append("\(configuration.templatesPath)/\(language.rawValue)/digest.text.mustache: missing: the owner's daily digest")
        }
        for template in eventTemplates(configuration.policy) {
            for language in Language.allCases {
                for part in ["subject", "text"] where !templates.has(template, language: language, part: part) {
                    problems.append("\(configuration.templatesPath)/\(language.rawValue)/\(template).\(part).mustache: missing: the \(template) message")
                }
            }
        }
        let formal = Set((configuration.cadence + configuration.profiles.flatMap(\.cadence)).filter { $0.name == "formal-notice" }.map(\.template))
        for template in formal.sorted() {
            for language in Language.allCases where templates.has(template, language: language, part: "text") {
                do {
                    let gaps = try templates.missingFormalParts(template, language: language, sample: MessageContext.sample(language, sender: configuration.sender))
                    problems += gaps.map { "\(configuration.templatesPath)/\(language.rawValue)/\(template): a formal notice must state \($0)" }
                } catch {
                    problems.append("\(error)")
                }
            }
        }
        return problems
    }

    /// The messages besides the cadence's that the policy sends: an open plan's instalment
    /// reminders always; broken promises and plans, and thanks, when turned on.
    static func eventTemplates(_ policy: ContactPolicy) -> [String] {
        var templates = ["instalment-reminder"]
        if policy.promiseBrokenMessage { templates.append("promise-broken") }
        if policy.planBrokenMessage { templates.append("plan-broken") }
        if policy.thankYou { templates.append("thank-you") }
        return templates
    }

    /// Set when `[sender]` still holds what `cobrador init` writes without your details.
    static func exampleSenderProblem(_ configuration: Configuration) -> String? {
        let sender = configuration.sender
        guard isExampleSender(name: sender.legalName, email: sender.email, iban: sender.iban) else { return nil }
        return "sender: \(configuration.file) still has the example sender; set [sender] legal_name, email and iban to yours"
    }

    /// Whether any of these is the example `cobrador init` writes when not given yours.
    static func isExampleSender(name: String, email: String, iban: String?) -> Bool {
        name == InitCommand.placeholderName || email == InitCommand.placeholderEmail || iban == InitCommand.placeholderIBAN
    }

    /// What stops `run` (and a reload) before anything is sent: template problems, and the
    /// example sender when messages go through a relay (the Maildir transport only rehearses).
    static func runProblems(_ templates: TemplateSet, _ configuration: Configuration) -> [String] {
        var problems = templateProblems(templates, configuration)
        if case .smtp = configuration.transport, let sender = exampleSenderProblem(configuration) {
            problems.append(sender + " before messages go through the relay")
        }
        return problems
    }
}

/// A template context as typed values: what a message is rendered with. swift-mustache reads
/// nested `[String: Any]` (`rendered`), but a skeleton only needs the context's shape and
/// texts, which a typed value gives without a dynamic cast or a sort per key
/// (`TemplateSkeletons.filling(for:)`); the dictionaries are built only when swift-mustache
/// itself renders (a new shape, a template read directly).
package indirect enum TemplateContext: Sendable, Equatable {
    case text(String)
    case flag(Bool)
    /// Keys in ascending order (`object(_:)` and `ordered(_:)` sort them when they are not).
    case object([Entry])
    case list([TemplateContext])

    package struct Entry: Sendable, Equatable {
        package var key: String
        package var value: TemplateContext

        package init(_ key: String, _ value: TemplateContext) {
            self.key = key
            self.value = value
        }
    }

    /// An object from its entries, in key order whatever order they come in.
    package static func object(_ entries: Entry...) -> TemplateContext {
        ordered(entries)
    }

    /// An object from its entries, in key order whatever order they come in.
    package static func ordered(_ entries: [Entry]) -> TemplateContext {
        .object(entries.indices.dropFirst().allSatisfy { entries[$0 - 1].key < entries[$0].key } ? entries : entries.sorted { $0.key < $1.key })
    }

    /// A text, or false when there is none: an absent value makes its `{{#section}}` render nothing.
    package static func textOrFalse(_ value: String?) -> TemplateContext { value.map(TemplateContext.text) ?? .flag(false) }

    /// The value swift-mustache renders: `String`, `Bool`, `[String: Any]`, `[Any]`.
    package var rendered: Any {
        switch self {
        case .text(let text): text
        case .flag(let flag): flag
        case .object(let entries): Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value.rendered) }) as [String: Any]
        case .list(let elements): elements.map(\.rendered) as [Any]
        }
    }
}

/// A template context as typed values: what a message is rendered with. swift-mustache reads
/// nested `[String: Any]` (`rendered`), but a skeleton only needs the context's shape and
/// texts, which a typed value gives without a dynamic cast or a sort per key
/// (`TemplateSkeletons.filling(for:)`); the dictionaries are built only when swift-mustache
/// itself renders (a new shape, a template read directly).
package indirect enum TemplateContext: Sendable, Equatable {
    case text(String)
    case flag(Bool)
    case keyed(Object)
    case list([TemplateContext])

    /// An object's entries, in ascending key order and each key once, whatever order they
    /// were given in: a skeleton numbers its texts in this order, so another order would put
    /// one text where another belongs.
    package struct Object: Sendable, Equatable {
        package private(set) var entries: [Entry]

        package init(_ entries: [Entry]) {
            let ordered = entries.indices.dropFirst().allSatisfy { entries[$0 - 1].key < entries[$0].key } ? entries : entries.sorted { $0.key < $1.key }
            precondition(ordered.indices.dropFirst().allSatisfy { ordered[$0 - 1].key != ordered[$0].key }, "a template context object names a key twice")
            self.entries = ordered
        }
    }

    package struct Entry: Sendable, Equatable {
        package var key: String
        package var value: TemplateContext

        package init(_ key: String, _ value: TemplateContext) {
            self.key = key
            self.value = value
        }
    }

    /// An object from its entries.
    package static func object(_ entries: Entry...) -> TemplateContext {
        .keyed(Object(entries))
    }

    /// A text, or false when there is none: an absent value makes its `{{#section}}` render nothing.
    package static func textOrFalse(_ value: String?) -> TemplateContext { value.map(TemplateContext.text) ?? .flag(false) }

    /// The value swift-mustache renders: `String`, `Bool`, `[String: Any]`, `[Any]`.
    package var rendered: Any {
        switch self {
        case .text(let text): text
        case .flag(let flag): flag
        case .keyed(let object): Dictionary(uniqueKeysWithValues: object.entries.map { ($0.key, $0.value.rendered) }) as [String: Any]
        case .list(let elements): elements.map(\.rendered) as [Any]
        }
    }
}

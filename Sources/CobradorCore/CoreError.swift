/// Everything the core can refuse: a value that is not valid for its field, or a
/// configuration with problems. Messages name the field (or file, line and key) so the
/// owner can fix the input without reading code.
package enum CoreError: Error, Equatable, CustomStringConvertible {
    /// `field` is nil until the caller that knows the field name fills it in with `named(_:)`.
    case invalidValue(field: String?, value: String, reason: String)
    /// Every problem found in a configuration file, in file order.
    case configuration([ConfigurationIssue])

    package static func invalidAmount(_ value: String, reason: String) -> CoreError {
        .invalidValue(field: nil, value: value, reason: reason)
    }

    /// The same error, attributed to `field` (a CLI option, a CSV column, a TOML key).
    package func named(_ field: String) -> CoreError {
        guard case .invalidValue(nil, let value, let reason) = self else { return self }
        return .invalidValue(field: field, value: value, reason: reason)
    }

    package var description: String {
        switch self {
        case .invalidValue(let field, let value, let reason):
            let shown = value.isEmpty ? "an empty value" : "\"\(value.visibleControlCharacters)\""
            return "\(field.map { "\($0): " } ?? "")\(shown) is not valid: \(reason)"
        case .configuration(let issues):
            return issues.map(\.description).joined(separator: "\n")
        }
    }
}

extension String {
    /// The text with CR, LF, NUL and other control characters spelled out (\r, \n, \0, \u{7}),
    /// so an error message quoting a bad value stays on one line and shows the culprit.
    package var visibleControlCharacters: String {
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\r": result += "\\r"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\0": result += "\\0"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

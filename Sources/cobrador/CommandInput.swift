import CobradorCore
import Foundation

/// Turns option values into domain values, naming the option in any error.
enum CommandInput {
    static func parse<T>(_ option: String, _ value: String, _ rule: (String) throws -> T) throws -> T {
        do {
            return try rule(value)
        } catch let error as CoreError {
            throw error.named(option)
        }
    }

    static func parseIfGiven<T>(_ option: String, _ value: String?, _ rule: (String) throws -> T) throws -> T? {
        guard let value else { return nil }
        return try parse(option, value, rule)
    }

    /// The day it is now in the configured time zone (the owner's "today").
    static func today(_ configuration: Configuration, at moment: Date = Date()) -> CalendarDate {
        CalendarDate(moment, in: TimeZone(identifier: configuration.policy.timeZone) ?? .current)
    }
}

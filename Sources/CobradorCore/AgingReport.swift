/// Receivables grouped by how late they are, per client and per currency: the owner's
/// answer to "who owes me what, and since when". Pure: built from open balances and a day.
package struct AgingReport: Sendable {
    /// Lateness buckets, by whole days past the due date on the report's day.
    package enum Bucket: String, CaseIterable, Sendable, Codable {
        /// Not yet due (or due today).
        case current
        case days1to30 = "1-30"
        case days31to60 = "31-60"
        case days61to90 = "61-90"
        case over90 = "90+"

        /// The bucket of an invoice due on `dueDate`, on `day`.
        package init(dueDate: CalendarDate, on day: CalendarDate) {
            self.init(daysOverdue: dueDate.days(until: day))
        }

        /// For each bucket but the last, the earliest due date that still falls in it on
        /// `day`, latest first: a due date on or after `current`'s date is current, and so on;
        /// anything earlier than the last one is 90+. Lets the ledger bucket in SQL with plain
        /// date comparisons, by the same rule as `init(daysOverdue:)`.
        package static func earliestDueDates(on day: CalendarDate) -> [(Bucket, CalendarDate)] {
            [(.current, day), (.days1to30, day.adding(days: -30)), (.days31to60, day.adding(days: -60)), (.days61to90, day.adding(days: -90))]
        }

        package init(daysOverdue: Int) {
            switch daysOverdue {
            case ...0: self = .current
            case 1...30: self = .days1to30
            case 31...60: self = .days31to60
            case 61...90: self = .days61to90
            default: self = .over90
            }
        }
    }

    /// What one client owes in one bucket: one invoice, or several summed by the ledger.
    package struct Item: Sendable {
        package var clientCode: String
        package var clientName: String
        package var balance: Money
        package var bucket: Bucket
        package var invoiceCount: Int
        /// The client or an invoice of this item is paused on the report's day.
        package var paused: Bool
        /// Kinds of the open negotiations covering the client's invoices.
        package var negotiations: Set<NegotiationKind>

        package init(
            clientCode: String, clientName: String, balance: Money, bucket: Bucket, invoiceCount: Int = 1, paused: Bool,
            negotiations: Set<NegotiationKind>
        ) {
            self.clientCode = clientCode
            self.clientName = clientName
            self.balance = balance
            self.bucket = bucket
            self.invoiceCount = invoiceCount
            self.paused = paused
            self.negotiations = negotiations
        }
    }

    /// What one client owes in one currency, split by bucket (minor units).
    package struct Line: Sendable {
        package var clientCode: String
        package var clientName: String
        package var currency: Currency
        package var amounts: [Bucket: Int64]
        package var invoiceCount: Int
        package var paused: Bool
        package var negotiations: Set<NegotiationKind>

        package var total: Money { Money(minorUnits: amounts.values.reduce(0, +), currency: currency) }
        package func amount(_ bucket: Bucket) -> Money { Money(minorUnits: amounts[bucket] ?? 0, currency: currency) }
    }

    package let asOf: CalendarDate
    /// Sorted by currency, then by total owed, largest first.
    package let lines: [Line]
    /// One line per currency with the sum of all clients.
    package let totals: [Line]

    package init(asOf: CalendarDate, items: [Item]) {
        self.asOf = asOf
        var byKey: [String: Line] = [:]
        var totalsByCurrency: [Currency: Line] = [:]
        for item in items where item.balance.minorUnits > 0 {
            let bucket = item.bucket
            let key = "\(item.clientCode)\u{0}\(item.balance.currency.code)"
            var line = byKey[key] ?? Line(
                clientCode: item.clientCode, clientName: item.clientName, currency: item.balance.currency,
                amounts: [:], invoiceCount: 0, paused: false, negotiations: [])
            line.amounts[bucket, default: 0] += item.balance.minorUnits
            line.invoiceCount += item.invoiceCount
            line.paused = line.paused || item.paused
            line.negotiations.formUnion(item.negotiations)
            byKey[key] = line

            var total = totalsByCurrency[item.balance.currency] ?? Line(
                clientCode: "", clientName: "Total", currency: item.balance.currency,
                amounts: [:], invoiceCount: 0, paused: false, negotiations: [])
            total.amounts[bucket, default: 0] += item.balance.minorUnits
            total.invoiceCount += item.invoiceCount
            totalsByCurrency[item.balance.currency] = total
        }
        lines = byKey.values.sorted {
            ($0.currency.code, -$0.total.minorUnits, $0.clientCode) < ($1.currency.code, -$1.total.minorUnits, $1.clientCode)
        }
        totals = totalsByCurrency.values.sorted { $0.currency < $1.currency }
    }
}

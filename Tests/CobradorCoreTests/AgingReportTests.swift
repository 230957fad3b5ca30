import CobradorCore
import Testing

@Suite struct AgingReportTests {
    let today = CalendarDate(iso: "2026-11-29")!
    let euro = Currency(code: "EUR")!
    let pound = Currency(code: "GBP")!

    func item(_ client: String, _ minor: Int64, _ currency: Currency, daysOverdue: Int, paused: Bool = false, negotiations: Set<NegotiationKind> = []) -> AgingReport.Item {
        AgingReport.Item(
            clientCode: client, clientName: client, balance: Money(minorUnits: minor, currency: currency),
            bucket: AgingReport.Bucket(dueDate: today.adding(days: -daysOverdue), on: today), paused: paused, negotiations: negotiations)
    }

    @Test(arguments: [
        (-10, AgingReport.Bucket.current), (0, .current), (1, .days1to30), (30, .days1to30), (31, .days31to60), (60, .days31to60),
        (61, .days61to90), (90, .days61to90), (91, .over90), (400, .over90),
    ])
    func bucketsFollowDaysPastDue(days: Int, bucket: AgingReport.Bucket) {
        #expect(AgingReport.Bucket(daysOverdue: days) == bucket)
    }

    @Test func theDateBoundariesAgreeWithTheDayCounts() {
        let boundaries = AgingReport.Bucket.earliestDueDates(on: today)
        for offset in -5...200 {
            let due = today.adding(days: -offset)
            let bySQLRule = boundaries.first { due >= $0.1 }?.0 ?? .over90
            #expect(bySQLRule == AgingReport.Bucket(daysOverdue: offset), "\(offset) days overdue")
        }
    }

    @Test func groupsPerClientAndCurrencyWithTotals() {
        let report = AgingReport(asOf: today, items: [
            item("ACME", 100_00, euro, daysOverdue: 5),
            item("ACME", 50_00, euro, daysOverdue: 45, negotiations: [.promise]),
            item("ACME", 20_00, pound, daysOverdue: 100),
            item("OLIVO", 300_00, euro, daysOverdue: -3, paused: true),
            item("PAID", 0, euro, daysOverdue: 50),
        ])
        let acmeEuro = report.lines.first { $0.clientCode == "ACME" && $0.currency == euro }
        #expect(acmeEuro?.amount(.days1to30).minorUnits == 100_00)
        #expect(acmeEuro?.amount(.days31to60).minorUnits == 50_00)
        #expect(acmeEuro?.total.minorUnits == 150_00)
        #expect(acmeEuro?.negotiations == [.promise])
        #expect(report.lines.first { $0.clientCode == "OLIVO" }?.paused == true)
        #expect(!report.lines.contains { $0.clientCode == "PAID" })
        #expect(report.totals.map(\.currency) == [euro, pound])
        #expect(report.totals.first?.total.minorUnits == 450_00)
        #expect(report.totals.last?.amount(.over90).minorUnits == 20_00)
        // Largest debtor first within a currency.
        #expect(report.lines.first?.clientCode == "OLIVO")
    }
}

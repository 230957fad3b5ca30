/// A display name and an address, as in `"Acme Ibérica S.L." <pagos@acme.es>`.
package struct Mailbox: Hashable, Sendable {
    package var name: String?
    package var address: String

    package init(name: String?, address: String) {
        self.name = name
        self.address = address
    }
}

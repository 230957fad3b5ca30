/// A file attached to a message (the invoice PDF).
package struct MailAttachment: Hashable, Sendable {
    package var fileName: String
    package var contentType: String
    package var data: [UInt8]

    package init(fileName: String, contentType: String, data: [UInt8]) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}

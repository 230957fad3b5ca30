import CCurlShim
import CobradorCore
import Foundation

/// Sends messages through an SMTP relay with Debian's libcurl (7.88), working around what the
/// shared notes observed: one handle reused across a batch, rebuilt after any non-OK result
/// (the stale-reply bug); TLS required (STARTTLS or implicit) unless `tls = "none"` towards a
/// loopback relay without credentials; the login mechanism pinned; a login libcurl silently
/// skipped stops the message before its body; the outcome rebuilt from the session trace.
///
/// `send` blocks; one transport is used by one thread at a time (a lock enforces it).
package final class SMTPTransport: MailTransport, @unchecked Sendable {
    package let settings: Configuration.SMTPSettings
    private let secret: String?
    private let lock = NSLock()
    private var handle: UnsafeMutableRawPointer?

    private static let globalInit: Void = { _ = curl_global_init(cobrador_global_default()) }()

    /// `secret` is the password, or the bearer token with `auth = "xoauth2"`.
    package init(settings: Configuration.SMTPSettings, secret: String?) {
        _ = Self.globalInit
        self.settings = settings
        self.secret = secret
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
    }

    package func send(_ message: [UInt8], from sender: String, to recipients: [String], beforeBody: () -> Bool, keepWaiting: () -> Bool) -> DeliveryOutcome {
        lock.lock()
        defer { lock.unlock() }
        // libcurl 7.88 writes CR/LF in envelope addresses onto the wire: refuse them here.
        for address in [sender] + recipients {
            guard (try? FieldRules.emailAddress(address)) == address else {
                return DeliveryOutcome(
                    kind: .permanentFailure, reply: "the envelope address \"\(address.visibleForError)\" is not a valid address; nothing was sent")
            }
        }
        guard !recipients.isEmpty else { return DeliveryOutcome(kind: .permanentFailure, reply: "no recipient; nothing was sent") }
        guard let curl = handle ?? makeHandle() else {
            return DeliveryOutcome(kind: .configurationError, reply: "libcurl could not create a handle")
        }
        handle = curl

        return withoutActuallyEscaping(beforeBody) { beforeBody in
            withoutActuallyEscaping(keepWaiting) { keepWaiting in
                transfer(
                    message, from: sender, to: recipients, with: curl,
                    session: SMTPSession(body: message, requireAuth: settings.username != nil, beforeBody: beforeBody, keepWaiting: keepWaiting))
            }
        }
    }

    /// One transfer on the handle; the session must not outlive it.
    private func transfer(_ message: [UInt8], from sender: String, to recipients: [String], with curl: UnsafeMutableRawPointer, session: SMTPSession) -> DeliveryOutcome {
        let context = Unmanaged.passRetained(session)
        defer { context.release() }
        var list: UnsafeMutablePointer<curl_slist>?
        for recipient in recipients { list = curl_slist_append(list, "<\(recipient)>") }
        defer { curl_slist_free_all(list) }

        _ = cobrador_setopt_string(curl, CURLOPT_MAIL_FROM, "<\(sender)>")
        _ = cobrador_setopt_slist(curl, CURLOPT_MAIL_RCPT, list)
        _ = cobrador_setopt_long(curl, CURLOPT_UPLOAD, 1)
        _ = cobrador_setopt_offset(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count))
        _ = cobrador_setopt_pointer(curl, CURLOPT_READDATA, context.toOpaque())
        _ = cobrador_setopt_pointer(curl, CURLOPT_DEBUGDATA, context.toOpaque())
        _ = cobrador_setopt_pointer(curl, CURLOPT_XFERINFODATA, context.toOpaque())
        let result = curl_easy_perform(curl)
        // Never reuse a connection after anything but success: 7.88 may leave stale replies on it.
        if result != CURLE_OK {
            // Closing the connection of a transfer abandoned or timed out would say QUIT and
            // wait the whole timeout again for the answer of a relay that hangs: cut it first.
            if session.abandoned || result == CURLE_OPERATION_TIMEDOUT { cobrador_shut_connection(curl) }
            curl_easy_cleanup(curl)
            handle = nil
        }
        return Self.outcome(result, session)
    }

    /// Connects, greets, starts TLS, logs in and quits without sending anything: what the relay
    /// offers, for `cobrador check --smtp`.
    package func probe() -> DeliveryOutcome {
        lock.lock()
        defer { lock.unlock() }
        guard let curl = makeHandle() else { return DeliveryOutcome(kind: .configurationError, reply: "libcurl could not create a handle") }
        defer { curl_easy_cleanup(curl) }
        let session = SMTPSession(body: [], requireAuth: settings.username != nil)
        let context = Unmanaged.passRetained(session)
        defer { context.release() }
        _ = cobrador_setopt_pointer(curl, CURLOPT_DEBUGDATA, context.toOpaque())
        _ = cobrador_setopt_long(curl, CURLOPT_CONNECT_ONLY, 1)
        let result = curl_easy_perform(curl)
        if result == CURLE_OK && session.requireAuth && !session.sentAuth {
            return DeliveryOutcome(
                kind: .configurationError, reply: "the relay offered no login (AUTH) to these credentials; cobrador will not send without logging in",
                transcript: session.transcript)
        }
        return result == CURLE_OK
            ? DeliveryOutcome(kind: .accepted, code: session.lastCode, reply: session.lastReply, transcript: session.transcript)
            : Self.outcome(result, session)
    }

    private func makeHandle() -> UnsafeMutableRawPointer? {
        guard let curl = curl_easy_init() else { return nil }
        let scheme = settings.tls == .implicit ? "smtps" : "smtp"
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        // The URL's path is the EHLO name.
        _ = cobrador_setopt_string(curl, CURLOPT_URL, "\(scheme)://\(host):\(settings.port)/\(settings.heloName ?? "")")
        _ = cobrador_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        _ = cobrador_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = cobrador_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, settings.connectTimeoutSeconds)
        _ = cobrador_setopt_long(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, settings.responseTimeoutSeconds)
        _ = cobrador_setopt_long(curl, CURLOPT_TCP_NODELAY, 1)
        if settings.tls != .none {
            _ = cobrador_setopt_long(curl, CURLOPT_USE_SSL, cobrador_use_ssl_all())
            _ = cobrador_setopt_long(curl, CURLOPT_SSLVERSION, cobrador_tls_1_2())
            _ = cobrador_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1)
            _ = cobrador_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2)
            if let caFile = settings.caFile { _ = cobrador_setopt_string(curl, CURLOPT_CAINFO, caFile) }
        }
        if let username = settings.username {
            _ = cobrador_setopt_string(curl, CURLOPT_USERNAME, username)
            switch settings.auth {
            case .xoauth2:
                _ = cobrador_setopt_string(curl, CURLOPT_XOAUTH2_BEARER, secret ?? "")
                _ = cobrador_setopt_string(curl, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2")
            case .plain, .login:
                _ = cobrador_setopt_string(curl, CURLOPT_PASSWORD, secret ?? "")
                _ = cobrador_setopt_string(curl, CURLOPT_LOGIN_OPTIONS, "AUTH=\(settings.auth.rawValue.uppercased())")
            }
        }
        _ = cobrador_setopt_long(curl, CURLOPT_VERBOSE, 1)
        _ = cobrador_setopt_debug_callback(curl) { _, type, data, size, context in
            // Only the SMTP dialogue: body bytes (DATA_OUT) are the stored message, and the info
            // lines (TEXT) cost time and say nothing the replies do not.
            guard let context, let data, type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT else { return 0 }
            let session = Unmanaged<SMTPSession>.fromOpaque(context).takeUnretainedValue()
            session.record(type, UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        _ = cobrador_setopt_long(curl, CURLOPT_NOPROGRESS, 0)
        _ = cobrador_setopt_progress_callback(curl) { context, _, _, _, _ in
            guard let context else { return 0 }
            let session = Unmanaged<SMTPSession>.fromOpaque(context).takeUnretainedValue()
            guard !session.abandoned, !session.keepWaiting() else { return 0 }
            session.abandoned = true
            return 1
        }
        _ = cobrador_setopt_read_callback(curl) { buffer, size, count, context in
            guard let buffer, let context else { return Int(CURL_READFUNC_ABORT) }
            return Unmanaged<SMTPSession>.fromOpaque(context).takeUnretainedValue().read(into: buffer, capacity: size * count)
        }
        return curl
    }

    /// The RFC 3463 enhanced status code (class.subject.detail, "5.1.1") that follows the reply
    /// code in `reply` ("550 5.1.1 No such user"), if there is one.
    package static func enhancedStatus(inReply reply: String) -> String? {
        let word = reply.utf8.drop { $0 != UInt8(ascii: " ") }.drop { $0 == UInt8(ascii: " ") }.prefix { $0 != UInt8(ascii: " ") }
        // The class is one digit (2, 4 or 5); the subject and the detail one to three digits each.
        var part = 0
        var length = 0
        for byte in word {
            if byte == UInt8(ascii: "."), part < 2, length > 0 {
                part += 1
                length = 0
            } else if part == 0
                ? length == 0 && (byte == UInt8(ascii: "2") || byte == UInt8(ascii: "4") || byte == UInt8(ascii: "5"))
                : length < 3 && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            {
                length += 1
            } else {
                return nil
            }
        }
        return part == 2 && length > 0 ? String(word) : nil
    }

    /// Maps libcurl's result and the session trace to an outcome (the table in the notes).
    static func outcome(_ result: CURLcode, _ session: SMTPSession) -> DeliveryOutcome {
        let code = session.lastCode
        let enhanced = Self.enhancedStatus(inReply: session.lastReply)
        func outcome(_ kind: DeliveryOutcome.Kind, _ reply: String, relayUnavailable: Bool = false) -> DeliveryOutcome {
            DeliveryOutcome(kind: kind, code: code, enhancedCode: enhanced, reply: reply, transcript: session.transcript, relayUnavailable: relayUnavailable)
        }
        if result == CURLE_OK {
            return outcome(.accepted, session.finalReply ?? session.lastReply)
        }
        if session.refusedUnauthenticated {
            return outcome(.configurationError, "the relay offered no login (AUTH), so cobrador did not send the message without logging in")
        }
        if session.refusedBeforeBody {
            return outcome(.temporaryFailure, "not sent: the ledger could not record that the message was leaving, so its body was held back")
        }
        if result == CURLE_LOGIN_DENIED {
            return outcome(.configurationError, "the relay refused the login: check the username and the password file (\(session.lastReply))")
        }
        if [CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_USE_SSL_FAILED, CURLE_SSL_CACERT_BADFILE].contains(result) {
            let reason = result == CURLE_USE_SSL_FAILED ? "the relay does not offer STARTTLS, and cobrador never sends in clear text"
                : result == CURLE_PEER_FAILED_VERIFICATION ? "the relay's certificate could not be verified (unknown authority, expired, or another name)"
                : "the TLS handshake with the relay failed"
            return outcome(.configurationError, "\(reason): \(String(cString: curl_easy_strerror(result)))")
        }
        // The body went out after 354 and no final reply came: it may have been delivered.
        if session.abandoned {
            return session.dataAccepted && session.bodyFullySent && session.finalReply == nil
                ? outcome(.unknown, "cobrador was stopping and the relay had not given its final answer to the whole message: it may have been delivered")
                : outcome(.temporaryFailure, "cobrador was stopping and the relay had not answered: not delivered, it goes again")
        }
        if session.dataAccepted && session.bodyFullySent && session.finalReply == nil {
            return outcome(
                .unknown, "the message was sent but the relay gave no final answer (\(String(cString: curl_easy_strerror(result)))); it may have been delivered",
                relayUnavailable: true)
        }
        if let code {
            // RFC 5321: 552 to RCPT means "mailbox full for now", like 452.
            if code >= 500 && !(code == 552 && session.decisiveCommand == "RCPT") {
                var refused = outcome(.permanentFailure, session.lastReply)
                // A mailbox that does not exist (5.1.x, or a bare 550/551/553) is a bad address;
                // "5.7.1 relay access denied" and the like refuse us, not the client's address.
                let badMailbox = enhanced.map { $0.hasPrefix("5.1.") } ?? [550, 551, 553].contains(code)
                if session.decisiveCommand == "RCPT" && badMailbox { refused.refusedRecipient = session.lastRecipient }
                return refused
            }
            // 421: the relay is closing the connection (shutting down, too busy).
            if code >= 400 { return outcome(.temporaryFailure, session.lastReply, relayUnavailable: code == 421) }
        }
        return outcome(.temporaryFailure, "the relay could not be reached or answered nothing: \(String(cString: curl_easy_strerror(result)))", relayUnavailable: true)
    }
}

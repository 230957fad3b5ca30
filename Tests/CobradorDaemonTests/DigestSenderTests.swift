import CobradorCore
import Testing

@testable import CobradorDaemon

/// The digest speaks the owner's language, down to the words cobrador itself put in an error.
@Suite struct DigestSenderTests {
    @Test func cobradorsOwnWordsInAFailureAreTranslatedAndTheRelaysAreKept() {
        #expect(
            DigestSender.ownersWords(Pass.givenUp(days: 1) + "451 4.3.0 try later", language: .es)
                == "abandonado tras 1 día de fallos temporales: 451 4.3.0 try later")
        #expect(
            DigestSender.ownersWords(Pass.refusedForPolicy + "554 5.7.1 relay access denied", language: .es)
                == "rechazado por las reglas de seguridad o de uso del servidor (revise la configuración del remitente: inicio de sesión, SPF, DKIM): "
                + "554 5.7.1 relay access denied")
        #expect(DigestSender.ownersWords("550 5.1.1 mailbox unknown", language: .es) == "550 5.1.1 mailbox unknown")
        #expect(DigestSender.ownersWords(Pass.givenUp(days: 3) + "451 later", language: .en) == Pass.givenUp(days: 3) + "451 later")
    }
}

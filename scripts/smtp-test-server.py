#!/usr/bin/python3
"""A scriptable SMTP server on 127.0.0.1 for cobrador's delivery tests (aiosmtpd, from Debian's
python3-aiosmtpd). Prints "READY <port>" once listening, then serves until killed.

  --tls none|starttls|implicit   --cert FILE --key FILE (for starttls and implicit)
  --auth USER:PASSWORD            require this login (AUTH PLAIN and LOGIN)
  --behaviour NAME                accept (default), rcpt-451, rcpt-550, rcpt-552, data-452, data-552,
                                  data-554, final-hang, greet-421, drop-in-data,
                                  rcpt-554-relay-denied (a relay refusing to relay for us),
                                  slow-rcpt[=SECONDS] (each RCPT accepted after half a second,
                                  or SECONDS), rcpt-550-for=ADDRESS (only that one refused)
  --port N                        listen on this port (default: any free one)
  --spool DIR                     accepted messages are written there, byte for byte, as
                                  C<connection>-<n>.eml (the connection number shows reuse)
"""
import argparse, asyncio, itertools, os, ssl, sys
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--tls", default="none", choices=["none", "starttls", "implicit"])
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--auth")
parser.add_argument("--behaviour", default="accept")
parser.add_argument("--spool", required=True)
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()
connections = itertools.count(1)
messages = itertools.count(1)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, options):
        if args.behaviour == "rcpt-451":
            return "451 4.3.0 Temporary local problem, try later"
        if args.behaviour == "rcpt-550":
            return "550 5.1.1 <%s>: Recipient address rejected: user unknown" % address
        if args.behaviour == "rcpt-552":
            return "552 5.2.2 Mailbox full"
        if args.behaviour == "rcpt-554-relay-denied":
            return "554 5.7.1 <%s>: Relay access denied" % address
        if args.behaviour.startswith("slow-rcpt"):
            await asyncio.sleep(float(args.behaviour.partition("=")[2] or 0.5))
        if args.behaviour.startswith("rcpt-550-for=") and address.lower() == args.behaviour.split("=", 1)[1].lower():
            return "550 5.1.1 <%s>: Recipient address rejected: user unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        if args.behaviour == "data-452":
            return "452 4.3.1 Insufficient system storage"
        if args.behaviour == "data-554":
            return "554 5.7.1 Message rejected as spam"
        if args.behaviour == "data-552":
            return "552 5.3.4 Message size exceeds fixed limit"
        if args.behaviour == "final-hang":
            await asyncio.sleep(3600)
        number = next(messages)
        with open(os.path.join(args.spool, "C%d-%d.eml" % (session.connection, number)), "wb") as spool:
            spool.write(envelope.original_content)
        return "250 2.0.0 Ok: queued as Q%d" % number


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False)


class Counted(SMTP):
    def connection_made(self, transport):
        super().connection_made(transport)
        self.session.connection = next(connections)


class Raw(asyncio.Protocol):
    """Misbehaviours aiosmtpd cannot play: a 421 greeting, a connection dropped mid-data."""
    def connection_made(self, transport):
        self.transport = transport
        self.in_data = False
        if args.behaviour == "greet-421":
            transport.write(b"421 4.3.2 Service not available, closing channel\r\n")
            transport.close()
        else:
            transport.write(b"220 test ESMTP\r\n")

    def data_received(self, data):
        if self.in_data:
            self.transport.abort()
            return
        for line in data.split(b"\r\n"):
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.transport.write(b"250-test\r\n250 8BITMIME\r\n")
            elif verb in (b"MAIL", b"RCPT"):
                self.transport.write(b"250 Ok\r\n")
            elif verb == b"DATA":
                self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                self.in_data = True
            elif verb == b"QUIT":
                self.transport.write(b"221 Bye\r\n")
                self.transport.close()


async def main():
    tls = None
    if args.tls != "none":
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)
    loop = asyncio.get_running_loop()
    if args.behaviour in ("greet-421", "drop-in-data"):
        factory = Raw
    else:
        options = dict(hostname="test", auth_require_tls=args.tls != "implicit")
        if args.tls == "starttls":
            options.update(tls_context=tls, require_starttls=True)
        if args.auth:
            options.update(authenticator=authenticator, auth_required=True)
        factory = lambda: Counted(Handler(), **options)
    server = await loop.create_server(factory, "127.0.0.1", args.port, ssl=tls if args.tls == "implicit" else None)
    print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())

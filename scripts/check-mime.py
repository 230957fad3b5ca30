#!/usr/bin/env python3
"""Parses each .eml given as it would be read by a strict mail client and prints, per file, a
JSON object: the decoded Subject, From, To, Cc, Message-ID, the content types of the parts,
their decoded text, and every defect found (an empty list means none). Exits 1 on a parse
error. Used by the tests to check cobrador's MIME output with a parser it did not write.

Structure and defects come from policy=strict. Address headers are decoded with
email.header.decode_header, the RFC 2047 decoder: the strict policy's address parser keeps
the whitespace between two adjacent encoded-words of a display name, which RFC 2047 section 6.2
(and mail clients) drop, so a long name split over several encoded-words would read wrong."""
import email, email.policy, json, sys
from email.header import decode_header, make_header
from email.parser import BytesParser

def rfc2047(value):
    return str(make_header(decode_header(value))) if value is not None else None

def main(paths):
    results = []
    for path in paths:
        raw = open(path, "rb").read()
        problems = []
        if b"\n" in raw.replace(b"\r\n", b""):
            problems.append("bare LF")
        if b"\r" in raw.replace(b"\r\n", b""):
            problems.append("bare CR")
        for number, line in enumerate(raw.split(b"\r\n"), 1):
            if len(line) > 998:
                problems.append(f"line {number} is {len(line)} octets")
        message = BytesParser(policy=email.policy.strict).parsebytes(raw)
        legacy = BytesParser(policy=email.policy.compat32).parsebytes(raw)
        parts = []
        for part in message.walk():
            problems += [f"{part.get_content_type()}: {defect!r}" for defect in part.defects]
            if part.is_multipart():
                parts.append({"type": part.get_content_type()})
                continue
            entry = {"type": part.get_content_type(), "filename": part.get_filename()}
            payload = part.get_payload(decode=True)
            if part.get_content_maintype() == "text":
                entry["text"] = payload.decode(part.get_content_charset() or "ascii")
            else:
                entry["size"] = len(payload)
            parts.append(entry)
        results.append({
            "subject": str(message["Subject"]),
            "from": rfc2047(legacy["From"]),
            "to": rfc2047(legacy["To"]),
            "cc": rfc2047(legacy["Cc"]),
            "message_id": str(message["Message-ID"]),
            "date": str(message["Date"]),
            "auto_submitted": message["Auto-Submitted"],
            "in_reply_to": message["In-Reply-To"],
            "parts": parts,
            "defects": problems,
        })
    json.dump(results, sys.stdout, ensure_ascii=False)

if __name__ == "__main__":
    main(sys.argv[1:])

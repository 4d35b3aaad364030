#!/usr/bin/python3
"""A real SMTP server for tests: accepts mail on a loopback port and stores it.

Usage: smtp_sink.py --port P --out DIR [--fail-with CODE] [--fail-at rcpt|data]

Listens on 127.0.0.1:P (aiosmtpd, Debian package python3-aiosmtpd) and
prints "smtp sink ready" on stdout once it accepts connections. Each message
it accepts is written to DIR/<n>.eml (n = 1, 2, ...) exactly as received
(after SMTP dot-unstuffing), with its envelope in DIR/<n>.json
({"mail_from": ..., "rcpt_tos": [...]}); the .json file appears first and
each file appears atomically (temporary name, then rename), so a test that
sees <n>.eml can read both.

--fail-with CODE answers CODE (e.g. 451 or 550) instead of accepting: at
RCPT TO by default, or at the end of DATA with --fail-at data. Nothing is
stored then. Runs until SIGTERM or SIGINT.
"""

import argparse
import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller

REPLIES = {
    421: "421 4.3.2 Service not available, try later",
    450: "450 4.2.1 Mailbox busy, try later",
    451: "451 4.3.0 Local error in processing, try later",
    452: "452 4.3.1 Insufficient system storage",
    550: "550 5.1.1 Mailbox unavailable",
    553: "553 5.1.3 Mailbox name not allowed",
    554: "554 5.7.1 Transaction failed",
}


class Sink:
    def __init__(self, out, fail_with, fail_at):
        self.out = out
        self.fail_with = fail_with
        self.fail_at = fail_at
        self.count = 0
        self.lock = threading.Lock()

    def _failure(self, stage):
        if self.fail_with is None or self.fail_at != stage:
            return None
        return REPLIES.get(self.fail_with, f"{self.fail_with} Failing as told")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        failure = self._failure("rcpt")
        if failure:
            return failure
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        failure = self._failure("data")
        if failure:
            return failure
        with self.lock:
            self.count += 1
            n = self.count
        self._write(f"{n}.json", json.dumps(
            {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}).encode())
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        self._write(f"{n}.eml", content)
        return "250 Message accepted for delivery"

    def _write(self, name, data):
        temporary = os.path.join(self.out, f".{name}.tmp")
        with open(temporary, "wb") as f:
            f.write(data)
        os.replace(temporary, os.path.join(self.out, name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--fail-with", type=int, default=None)
    parser.add_argument("--fail-at", choices=["rcpt", "data"], default="rcpt")
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    handler = Sink(args.out, args.fail_with, args.fail_at)
    # decode_data=False keeps the bytes as sent (8-bit and all).
    controller = Controller(handler, hostname="127.0.0.1", port=args.port,
                            decode_data=False, ready_timeout=10)
    controller.start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("smtp sink ready", flush=True)
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

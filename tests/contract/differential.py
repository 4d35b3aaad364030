#!/usr/bin/python3
"""Differential test: the request JSON Schemas (schemas/) against the real services.

Usage:
  differential.py --schemas DIR --orders BIN --payments BIN
                  [--max-cases N (1500)] [--max-seconds S (90)] [--seed N (1)] [--verbose]

It starts its own `nats-server -js` on a free 127.0.0.1 port and both services (each with
`--nats-url nats://127.0.0.1:<port> --db <tempdir>/<name>.db`, stdout/stderr to
<tempdir>/<name>.log), waits until each log says "service ready", seeds a few orders and
payments, and then sends generated request bodies to every command and query subject:

  orders.cmd.{create,assign,dispatch,deliver,cancel}   orders.query.{get,list}
  payments.cmd.{register,confirm,fail,refund}          payments.query.{get,list}

Each body starts from a valid one (seeded ids; a fresh tracking_number per create) and breaks
or bends one field (later rounds: two fields): dropped, every JSON type, duplicate keys,
boundary lengths taken from the schema (maxLength, maxLength+1, empty, blank, multi-byte at the
limit), malformed and upper-case ids, boundary amounts, currencies, limits, statuses, cursors,
unknown fields, and whole bodies that are not objects or not JSON.

For each case the verdict of the schema (check_schemas.validate(<request schema>, body) == [])
is compared with the service's answer:
  - schema rejects  -> the service must answer 400;
  - schema accepts  -> any answer but 400 (404/409 are state), and it must be an answer: no
                       timeout, no "no responders", no 5xx;
  - every 400 body must be a valid common/error and, unless its code is INVALID_JSON,
    INVALID_BODY or BODY_TOO_LARGE, name at least one field in `details` (and, when the case
    broke named fields, one of those);
  - every other non-200 body must be a valid common/error too.
A body that is not UTF-8, not JSON (as Python's json reads it, NaN/Infinity refused) or not an
object is schema-invalid. orders.query.list and payments.query.list read an empty or blank
(space, tab, CR, LF) body as {} (schemas/README.md); the verdict for such a body is the
schema's verdict on {}.

Where JSON Schema cannot state a rule the service has (documented in schemas/README.md: same
origin and destination, cursors the service did not issue, integers written 20.0, bodies over
64 KiB, amounts as JSON numbers, the order looked up before driver_id/reason), or where the
JSON text itself is a question RFC 8259 leaves to the parser (a leading byte order mark, an
unpaired surrogate escape), the case is judged by that rule instead of the schema (KNOWN_GAPS
below, each with its reason): the service must still follow the rule, with its error code, so
nothing is ignored; such cases are counted and shown as "known gaps" in the summary.

Output: one line per mismatch (subject, body, schema verdict, status, reply), then
  differential: N cases (subject n, ...), M mismatches, K known gaps (...), T s
Exit 1 on any mismatch, on fewer than 200 cases, or when the set-up fails; 130 when
interrupted (everything started is stopped and the temporary directory removed in every case);
0 otherwise.
Deterministic for a given --seed (the set of cases and their order; --max-seconds may cut the
run shorter). Needs only the Python standard library, nats-server and check_schemas.py.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import pathlib
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_schemas  # noqa: E402  (the schema checker next to this file)

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 5.0          # seconds per request
READY_TIMEOUT = 30.0           # seconds for a service to log "service ready"
STOP_TIMEOUT = 15.0            # SIGTERM, then SIGKILL after this (services flush for <= 10 s)
MAX_BODY_BYTES = 65536         # the services' default --max-body-bytes
MIN_CASES = 200
SCHEMA_BASE = "https://schemas.logistics.example/"
NO_FIELD_CODES = {"INVALID_JSON", "INVALID_BODY", "BODY_TOO_LARGE"}
LIST_SUBJECTS = {"orders.query.list", "payments.query.list"}

SUBJECTS = [
    "orders.cmd.create", "orders.cmd.assign", "orders.cmd.dispatch", "orders.cmd.deliver",
    "orders.cmd.cancel", "orders.query.get", "orders.query.list",
    "payments.cmd.register", "payments.cmd.confirm", "payments.cmd.fail", "payments.cmd.refund",
    "payments.query.get", "payments.query.list",
]


def schema_of(subject):
    service, kind, verb = subject.split(".")
    return f"{service}/{'commands' if kind == 'cmd' else 'queries'}/{verb}"


class SetupError(Exception):
    pass


class Interrupted(BaseException):
    """SIGINT / SIGTERM / SIGHUP: unwinds through the finally blocks that clean up."""


# =========================================================================== NATS client
# Just enough of the NATS client protocol for request-reply: INFO, CONNECT, SUB, PUB/HPUB,
# MSG/HMSG, PING/PONG, +OK/-ERR.


class NatsError(Exception):
    pass


class Reply:
    def __init__(self, payload, headers, status_line):
        self.payload = payload            # bytes
        self.headers = headers            # {lower-case key: value}
        self.status_line = status_line    # "NATS/1.0", "NATS/1.0 503", ... or None (plain MSG)

    @property
    def no_responders(self):
        return self.status_line is not None and self.status_line.split()[1:2] == ["503"] \
            and not self.payload

    @property
    def status(self):
        """The service's status: 200 unless Nats-Service-Error-Code says otherwise."""
        code = self.headers.get("nats-service-error-code")
        if code is None:
            return 200
        try:
            return int(code.strip())
        except ValueError:
            return -1


class NatsClient:
    def __init__(self, host, port, timeout=5.0):
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._buf = bytearray()
        self._pongs = 0
        deadline = time.monotonic() + timeout
        frame = self._next(deadline)
        if frame[0] != "INFO":
            raise NatsError(f"expected INFO from the server, got {frame[0]}")
        self.info = frame[1]
        connect = {"verbose": False, "pedantic": False, "headers": True, "no_responders": True,
                   "protocol": 1, "name": "differential.py", "lang": "python", "version": "0"}
        self._send(b"CONNECT " + json.dumps(connect).encode() + b"\r\n")
        self._inbox = f"_INBOX.{secrets.token_hex(10)}"
        self._send(f"SUB {self._inbox}.* 1\r\n".encode())
        self._ping(deadline)
        self._seq = 0

    def close(self):
        try:
            self._sock.close()
        except OSError:
            pass

    def _send(self, data):
        self._sock.sendall(data)

    def _ping(self, deadline):
        want = self._pongs + 1
        self._send(b"PING\r\n")
        while self._pongs < want:
            self._next(deadline)

    def _recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("deadline passed")
        self._sock.settimeout(left)
        data = self._sock.recv(1 << 16)
        if not data:
            raise NatsError("the server closed the connection")
        self._buf += data

    def _frame(self):
        """One complete protocol frame from the buffer, consumed; None if incomplete."""
        end = self._buf.find(b"\r\n")
        if end < 0:
            return None
        line = bytes(self._buf[:end])
        op, _, rest = line.partition(b" ")
        op = op.upper()
        if op in (b"MSG", b"HMSG"):
            args = rest.split()
            if op == b"MSG":
                subject, size, header_size = args[0], int(args[-1]), 0
            else:
                subject, header_size, size = args[0], int(args[-2]), int(args[-1])
            need = end + 2 + size + 2
            if len(self._buf) < need:
                return None
            data = bytes(self._buf[end + 2:end + 2 + size])
            del self._buf[:need]
            status_line, headers = None, {}
            if op == b"HMSG":
                block = data[:header_size].decode("utf-8", "replace").split("\r\n")
                status_line = block[0]
                for entry in block[1:]:
                    if ":" in entry:
                        key, _, value = entry.partition(":")
                        headers[key.strip().lower()] = value.strip()
            return ("MSG", subject.decode(), Reply(data[header_size:], headers, status_line))
        del self._buf[:end + 2]
        if op == b"PING":
            self._send(b"PONG\r\n")
            return ("PING",)
        if op == b"PONG":
            self._pongs += 1
            return ("PONG",)
        if op == b"INFO":
            return ("INFO", json.loads(rest))
        if op == b"+OK":
            return ("OK",)
        if op == b"-ERR":
            raise NatsError(f"server error: {rest.decode('utf-8', 'replace')}")
        raise NatsError(f"unexpected protocol line: {line[:80]!r}")

    def _next(self, deadline):
        while True:
            frame = self._frame()
            if frame is not None:
                return frame
            self._recv(deadline)

    def request(self, subject, payload, headers=None, timeout=REQUEST_TIMEOUT):
        """The reply (Reply), or None when none came within `timeout` seconds."""
        self._seq += 1
        inbox = f"{self._inbox}.{self._seq}"
        if headers:
            block = ("NATS/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                     + "\r\n").encode()
            self._send(f"HPUB {subject} {inbox} {len(block)} {len(block) + len(payload)}\r\n"
                       .encode() + block + payload + b"\r\n")
        else:
            self._send(f"PUB {subject} {inbox} {len(payload)}\r\n".encode() + payload + b"\r\n")
        deadline = time.monotonic() + timeout
        while True:
            try:
                frame = self._next(deadline)
            except socket.timeout:
                return None
            if frame[0] == "MSG" and frame[1] == inbox:
                return frame[2]
            # anything else (a late reply to an earlier request, PONG, INFO) is dropped


# =========================================================================== processes


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Processes:
    """Everything this script starts; stopped by PID only (SIGTERM, then SIGKILL)."""

    def __init__(self, directory):
        self.dir = pathlib.Path(directory)
        self.started = []   # (name, Popen, log path)

    def start(self, name, command):
        log = self.dir / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       close_fds=True)
        self.started.append((name, process, log))
        return process, log

    def check_alive(self):
        for name, process, log in self.started:
            if process.poll() is not None:
                raise SetupError(f"{name} exited with status {process.returncode}\n"
                                 + self.tail(log))

    @staticmethod
    def tail(log, lines=15):
        try:
            text = log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return f"  ({log}: no log)"
        return "\n".join(f"  {log.name}: {line}" for line in text[-lines:])

    def wait_for_log(self, name, process, log, needle, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if needle in log.read_bytes():
                    return
            except OSError:
                pass
            if process.poll() is not None:
                raise SetupError(f"{name} exited with status {process.returncode} before "
                                 f"logging {needle.decode()!r}\n" + self.tail(log))
            time.sleep(0.05)
        raise SetupError(f"{name} did not log {needle.decode()!r} within {timeout:.0f} s\n"
                         + self.tail(log))

    def stop_all(self):
        """Services first (in parallel; they flush to NATS), then nats-server."""
        for group in ([p for p in self.started if p[0] != "nats-server"],
                      [p for p in self.started if p[0] == "nats-server"]):
            for _, process, _ in group:
                if process.poll() is None:
                    try:
                        process.send_signal(signal.SIGTERM)
                    except ProcessLookupError:
                        pass
            deadline = time.monotonic() + STOP_TIMEOUT
            for name, process, _ in group:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    print(f"differential: {name} (pid {process.pid}) ignored SIGTERM; killing it",
                          file=sys.stderr)
                    process.kill()
                    try:
                        process.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        print(f"differential: {name} (pid {process.pid}) survived SIGKILL",
                              file=sys.stderr)


def start_system(procs, tmp, orders_bin, payments_bin):
    """nats-server + both services; returns the NATS port."""
    nats_server = shutil.which("nats-server")
    if nats_server is None:
        raise SetupError("nats-server is not on PATH")
    for attempt in range(3):
        port = free_port()
        process, log = procs.start("nats-server", [
            nats_server, "-js", "-a", HOST, "-p", str(port), "-sd", str(tmp / "nats")])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.05)
        if process.poll() is None and time.monotonic() < deadline:
            break
        procs.stop_all()
        procs.started.clear()
        if attempt == 2:
            raise SetupError("nats-server did not start\n" + procs.tail(log))
    url = f"nats://{HOST}:{port}"
    for name, binary in (("orders", orders_bin), ("payments", payments_bin)):
        procs.start(name, [binary, "--nats-url", url, "--db", str(tmp / f"{name}.db")])
    for name, process, log in procs.started:
        if name != "nats-server":
            procs.wait_for_log(name, process, log, b"service ready", READY_TIMEOUT)
    return port


# =========================================================================== JSON building


class Raw:
    """A JSON value written exactly as given (number spellings such as 1e2, 1.50, 10.0)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return f"Raw({self.text})"


class Pairs:
    """A JSON object written member by member, so a key may repeat."""

    def __init__(self, items):
        self.items = list(items)


def has_surrogate(text):
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def encode(value, ascii_only=False):
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Pairs):
        return "{" + ",".join(f"{encode(k, ascii_only)}:{encode(v, ascii_only)}"
                              for k, v in value.items) + "}"
    if isinstance(value, dict):
        return encode(Pairs(value.items()), ascii_only)
    if isinstance(value, list):
        return "[" + ",".join(encode(v, ascii_only) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=ascii_only or has_surrogate(value))
    return json.dumps(value)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def nested(depth):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


# =========================================================================== schema facts
# Field rules read from the schema files themselves (following $ref, allOf, anyOf, oneOf), so
# the boundary cases follow the schemas: maxLength N gives N and N+1 characters, etc.


class SchemaFacts:
    def __init__(self, directory):
        self.by_id = {}
        for file in sorted(pathlib.Path(directory).rglob("*.json")):
            try:
                schema = json.loads(file.read_text(encoding="utf-8"))
            except ValueError:
                continue
            if isinstance(schema, dict) and isinstance(schema.get("$id"), str):
                self.by_id[schema["$id"]] = schema

    def _resolve(self, base, ref):
        url = urllib.parse.urljoin(base, ref)
        document, _, fragment = url.partition("#")
        node = self.by_id.get(document)
        for token in [t for t in fragment.split("/") if t] if node is not None else []:
            token = urllib.parse.unquote(token).replace("~1", "/").replace("~0", "~")
            node = node.get(token) if isinstance(node, dict) else None
        return document, node

    def _collect(self, node, base, out, depth=0):
        if not isinstance(node, dict) or depth > 20:
            return
        for key in ("type", "minLength", "maxLength", "minimum", "maximum", "enum", "pattern"):
            if key in node:
                out.setdefault(key, []).append(node[key])
        if isinstance(node.get("$ref"), str):
            document, target = self._resolve(base, node["$ref"])
            self._collect(target, document, out, depth + 1)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, []):
                self._collect(sub, base, out, depth + 1)

    def fields(self, schema_name):
        """{property: facts} of a request schema, facts = {types, min_len, max_len, ...}."""
        schema_id = SCHEMA_BASE + schema_name
        schema = self.by_id.get(schema_id)
        if schema is None:
            raise SetupError(f"no schema {schema_name} in the schemas directory")
        result = {}
        for name, node in schema.get("properties", {}).items():
            out = {}
            self._collect(node, schema_id, out)
            types = set()
            for t in out.get("type", []):
                types.update(t if isinstance(t, list) else [t])
            enum = next(iter(out.get("enum", [])), None)
            result[name] = {
                "types": types,
                "min_len": max(out["minLength"]) if "minLength" in out else None,
                "max_len": min(out["maxLength"]) if "maxLength" in out else None,
                "minimum": max(out["minimum"]) if "minimum" in out else None,
                "maximum": min(out["maximum"]) if "maximum" in out else None,
                "enum": [e for e in enum if e is not None] if enum else None,
                "uuid": any("[0-9a-fA-F]{8}" in p for p in out.get("pattern", [])),
            }
        return result, list(schema.get("required", []))


def kind_of(name, facts):
    if name == "amount":
        return "amount"
    if name == "currency":
        return "currency"
    if name == "cursor":
        return "cursor"
    if facts["enum"]:
        return "enum"
    if "integer" in facts["types"]:
        return "integer"
    if facts["uuid"]:
        return "uuid"
    if "email" in name:
        return "email"
    if "string" in facts["types"]:
        return "text" if facts["max_len"] is not None else "freetext"
    return "other"


# =========================================================================== the domain rules
# Used only for the KNOWN_GAPS below: the rules the service applies where the schema cannot.

CURSOR_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def is_uuid(text):
    if len(text) != 36:
        return False
    for i, c in enumerate(text):
        if i in (8, 13, 18, 23):
            if c != "-":
                return False
        elif c not in "0123456789abcdefABCDEF":
            return False
    return True


def cursor_decodes(cursor):
    """Mirror of messaging::DecodeListCursor: base64url (no padding, leftover bits ignored) of
    "k1:" + a UUID, at most 128 characters."""
    if len(cursor) > 128:
        return False
    out, buffer, bits = bytearray(), 0, 0
    for c in cursor:
        value = CURSOR_ALPHABET.find(c)
        if value < 0:
            return False
        buffer = ((buffer << 6) | value) & 0xFFFFFFFF
        bits += 6
        if bits >= 8:
            bits -= 8
            out.append((buffer >> bits) & 0xFF)
    if not out.startswith(b"k1:"):
        return False
    return is_uuid(out[3:].decode("latin-1"))


def number_text(value):
    """The text the service reads a JSON number as: its shortest round-trip form."""
    if isinstance(value, int):
        return str(value)
    return repr(value)  # 1.5 -> '1.5', 100.0 -> '100.0', 1e+20 -> '1e+20'


def money_accepts(text):
    """Mirror of payments::domain::Money::Parse: digits['.'digits], <= 2 decimals, > 0,
    <= 99999999.99; a leading '-' is read and refused."""
    if text.startswith("-"):
        return False
    integer, dot, decimals = text.partition(".")
    digits = "0123456789"
    if not integer or any(c not in digits for c in integer):
        return False
    if dot and (not decimals or any(c not in digits for c in decimals)):
        return False
    if len(decimals) > 2:
        return False
    cents = int(integer) * 100 + int((decimals + "00")[:2])
    return 1 <= cents <= 9999999999


def ascii_lower(text):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


# =========================================================================== known gaps
# The allow-list: rules the service applies that JSON Schema cannot express, each documented in
# schemas/README.md (or, for a byte order mark and lone surrogates, JSON-text questions).
# `decide(case, doc, schema_ok, ctx)` returns None when the case is not concerned, else what
# the service must do instead of following the schema: True = answer 400 (with one of the
# entry's codes), False = anything but 400 (an error with one of the entry's codes). A case is
# counted under a gap only when that differs from the schema's verdict, and the service is
# still held to the rule: nothing is skipped.


def _with(doc, field, value):
    changed = dict(doc)
    changed[field] = value
    return changed


def _valid(ctx, subject, doc):
    return check_schemas.validate(schema_of(subject), doc, ctx.schemas_dir) == []


def gap_same_place(case, doc, schema_ok, ctx):
    # schemas/README.md: origin equal to destination, ignoring ASCII letter case, is refused
    # (SAME_ORIGIN_AND_DESTINATION); JSON Schema cannot compare two members.
    if (case.subject == "orders.cmd.create" and schema_ok and isinstance(doc, dict)
            and isinstance(doc.get("origin"), str) and isinstance(doc.get("destination"), str)
            and ascii_lower(doc["origin"]) == ascii_lower(doc["destination"])):
        return True
    return None


def gap_cursor_not_issued(case, doc, schema_ok, ctx):
    # schemas/README.md: a cursor of the right form that the service did not issue is refused
    # (VALIDATION_FAILED); a schema cannot know which strings decode to a cursor. This also
    # covers python-jsonschema's `$`, which matches before a final LF ("<cursor>\n" passes).
    if (case.subject in LIST_SUBJECTS and schema_ok and isinstance(doc, dict)
            and isinstance(doc.get("cursor"), str)
            and not cursor_decodes(doc["cursor"])):
        return True
    return None


def gap_integral_float_limit(case, doc, schema_ok, ctx):
    # schemas/README.md: an integer written with a fraction or an exponent (20.0, 1e2) is an
    # integer to JSON Schema but refused by the service (VALIDATION_FAILED).
    if (case.subject in LIST_SUBJECTS and schema_ok and isinstance(doc, dict)
            and isinstance(doc.get("limit"), float)):
        return True
    return None


def gap_body_too_large(case, doc, schema_ok, ctx):
    # schemas/README.md: a body longer than --max-body-bytes (64 KiB by default) is refused
    # (BODY_TOO_LARGE) whatever its content, before anything else is looked at; only unbounded
    # strings let a schema-valid body get there.
    return True if len(case.body) > MAX_BODY_BYTES else None


def gap_lone_surrogate(case, doc, schema_ok, ctx):
    # An escape such as \ud800 without its pair is no Unicode character. Python's json reads
    # it into a str anyway (so the schema sees a string); the service's JSON parser refuses the
    # text (INVALID_JSON); RFC 8259 section 8.2 leaves that to the parser. Not a schema question.
    def walk(node):
        if isinstance(node, str):
            return has_surrogate(node)
        if isinstance(node, dict):
            return any(walk(k) or walk(v) for k, v in node.items())
        if isinstance(node, list):
            return any(walk(v) for v in node)
        return False
    return True if walk(doc) else None


def gap_amount_number(case, doc, schema_ok, ctx):
    # payments/payment#/$defs/requested_amount (and schemas/README.md): the service decides a
    # JSON number on its shortest round-trip text (0.07 -> "0.07", 7 cents); the schema's
    # multipleOf 0.01 on a binary double is only approximate (0.07 / 0.01 =
    # 7.000000000000001, "not a multiple"). Judged by the exact rule (money_accepts).
    if case.subject != "payments.cmd.register" or not isinstance(doc, dict):
        return None
    amount = doc.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return None
    if not _valid(ctx, case.subject, _with(doc, "amount", "1.00")):
        return None  # the body is broken elsewhere: the schema's verdict stands
    accepts = money_accepts(number_text(amount))
    return None if accepts == schema_ok else not accepts


def gap_utf8_bom(case, doc, schema_ok, ctx):
    # A body starting with a UTF-8 byte order mark is not JSON text to Python's json (so not to
    # the schema), but RFC 8259 section 8.1 lets a parser ignore the mark, and the service's
    # does: it must then treat the body exactly as the text after the mark.
    if not case.body.startswith(b"\xef\xbb\xbf"):
        return None
    inner = Case(case.subject, case.body[3:], case.label, case.fields)
    _, problems = schema_verdict(inner, ctx.schemas_dir)
    return bool(problems)


KNOWN_GAPS = [
    # (name, decide, error codes when the rule says 400, error codes when it says "not 400")
    # The first entry whose `decide` is not None judges the case (body size comes first, as in
    # the service).
    ("body-too-large", gap_body_too_large, {"BODY_TOO_LARGE"}, None),
    ("utf8-bom", gap_utf8_bom, None, None),
    ("lone-surrogate", gap_lone_surrogate, {"INVALID_JSON"}, None),
    ("same-place", gap_same_place, {"SAME_ORIGIN_AND_DESTINATION"}, None),
    ("cursor-not-issued", gap_cursor_not_issued, {"VALIDATION_FAILED"}, None),
    ("integral-float-limit", gap_integral_float_limit, {"VALIDATION_FAILED"}, None),
    ("amount-number", gap_amount_number,
     {"AMOUNT_INVALID", "AMOUNT_NOT_POSITIVE", "AMOUNT_TOO_LARGE"}, None),
]


# =========================================================================== cases


class Case:
    def __init__(self, subject, body, label, fields=(), headers=None):
        self.subject = subject
        self.body = body          # bytes sent
        self.label = label        # what was done to the base body
        self.fields = tuple(fields)   # the fields this case broke or bent (for `details`)
        self.headers = headers


class Context:
    """What the run knows: seeded ids, cursors, every order id the service has confirmed."""

    def __init__(self, schemas_dir, seed):
        self.schemas_dir = schemas_dir
        self.seed = seed
        self.orders = []          # seeded order ids
        self.tracking = []        # their tracking numbers
        self.payments = []        # seeded payment ids
        self.orders_cursor = None
        self.payments_cursor = None
        self.known_orders = set()
        self.counter = 0

    def token(self):
        self.counter += 1
        return f"DF{self.seed}-{self.counter}"


STATUS_WORDS = ["CREATED", "ASSIGNED", "PAID", "IN_TRANSIT", "DELIVERED", "CANCELLED",
                "PENDING", "CONFIRMED", "FAILED", "REFUNDED"]


def type_values():
    return [("number", 1), ("float", 1.5), ("string", "x"), ("bool", True), ("null", None),
            ("array", ["x"]), ("object", {"x": 1})]


def text_values(facts):
    lo, hi = facts["min_len"], facts["max_len"]
    values = [
        ("empty", ""), ("blank", "   "), ("blank tab CR LF", "\t\r\n"), ("VT only", "\u000b"),
        ("FF only", "\f"), ("NBSP only", "\u00a0"), ("ideographic space", "\u3000"),
        ("NEL only", "\u0085"), ("padded", "  ok  "), ("NUL inside", "a\u0000b"),
        ("control inside", "a\u0001b"), ("plain", "ok-1"),
    ]
    if lo is not None and lo > 1:
        values += [(f"{lo - 1} chars", "x" * (lo - 1)), (f"{lo} chars", "x" * lo)]
    if hi is not None:
        values += [
            (f"{hi} ASCII", "x" * hi), (f"{hi + 1} ASCII", "x" * (hi + 1)),
            (f"{hi} x e-acute", "\u00e9" * hi), (f"{hi + 1} x e-acute", "\u00e9" * (hi + 1)),
            (f"{hi} x emoji", "\U0001F600" * hi), (f"{hi + 1} x emoji", "\U0001F600" * (hi + 1)),
            (f"{hi} code points combining", ("e\u0301" * hi)[:hi]),
            (f"{hi + 1} code points combining", ("e\u0301" * hi)[:hi + 1]),
            (f"{hi - 1} ASCII + emoji", "x" * (hi - 1) + "\U0001F600"),
            ("70000 chars", "x" * 70000),
        ]
    return values


def freetext_values(ctx):
    return [
        ("empty", ""), ("blank", "   "), ("1000 chars", "x" * 1000),
        ("3000 x e-acute", "\u00e9" * 3000), ("no such", "no-such-thing"),
        ("NUL inside", "a\u0000b"), ("emoji pair escaped", Raw('"\\ud83d\\ude00"')),
        ("lone high surrogate", Raw('"\\ud800"')), ("lone low surrogate", Raw('"x\\udc00"')),
        ("seeded tracking number", ctx.tracking[0]), ("Ana", "Ana"),
    ]


def uuid_values(field, ctx, rng):
    existing = rng.choice(ctx.payments if field == "payment_id" else ctx.orders)
    fresh = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return [
        ("not a UUID", "not-a-uuid"), ("empty", ""), ("upper-case", existing.upper()),
        ("mixed case", existing[:18].upper() + existing[18:]), ("unknown id", fresh),
        ("nil UUID", "00000000-0000-0000-0000-000000000000"),
        ("no hyphens", existing.replace("-", "")), ("braces", "{" + existing + "}"),
        ("urn", "urn:uuid:" + existing), ("37 chars", existing + "0"),
        ("35 chars", existing[:-1]), ("trailing LF", existing + "\n"),
        ("non-hex digit", "g" + existing[1:]), ("leading space", " " + existing),
        ("hyphen moved", existing[:7] + "-" + existing[7] + existing[9:]),
        ("full-width digit", "\uff10" + existing[1:]),
    ]


def email_values(facts):
    hi = facts["max_len"] or 254
    local = "a" * (hi - len("@example.com"))
    return [
        ("valid", "ana@example.com"), ("no @", "ana.example.com"), ("two @", "a@b@example.com"),
        ("empty local", "@example.com"), ("empty domain", "ana@"), ("only @", "@"),
        ("empty", ""), ("blank", "   "), ("space", "ana smith@example.com"),
        ("tab", "ana\t@example.com"), ("NBSP", "ana\u00a0@example.com"),
        ("NEL", "ana\u0085@example.com"), ("DEL", "ana\u007f@example.com"),
        ("U+009F", "ana\u009f@example.com"), ("U+00A1", "ana\u00a1@example.com"),
        ("em space", "ana\u2003@example.com"), ("unicode", "\u00fc@\u00f6.de"),
        ("no dot", "a@b"), ("NUL", "a\u0000@b.c"), ("leading space", " ana@example.com"),
        ("trailing LF", "ana@example.com\n"), ("trailing CR", "ana@example.com\r"),
        (f"{hi} chars", local + "@example.com"), (f"{hi + 1} chars", local + "a@example.com"),
        (f"{hi} x e-acute", "\u00e9" * (hi - 4) + "@x.y"),
        (f"{hi + 1} x e-acute", "\u00e9" * (hi - 3) + "@x.y"),
    ]


def amount_values():
    numbers = ["0", "0.01", "99999999.99", "100000000", "-5", "1e2", "1E2", "10.001", "1.5",
               "1.50", "100.0", "49.9", "0.07", "0.29", "1.15", "-0", "0.00", "1e-2",
               "99999999.995", "99999999.999", "1e400", "100000000000000000000", "12345678.9",
               "0.001", "-0.01", "5", "1e8", "0.1", "19.99", "1.005"]
    strings = ["0.01", "99999999.99", "100000000.00", "100000000", "-5", "1e2", "10.001", "abc",
               "", " 1", "1 ", "1.50", "007.50", ".5", "+1", "5.", "0", "0.00", "0.001", "1,50",
               "\u0661\u0662", "100\n", "00000000099999999.99", "99999999.990", "1.5", "10",
               "0x10", "\uff11"]
    return ([(f"number {n}", Raw(n)) for n in numbers]
            + [(f"string {json.dumps(s)}", s) for s in strings])


def currency_values():
    return [(json.dumps(c), c) for c in
            ["USD", "EUR", "usd", "US", "USDD", "", "U$D", "\u00dcSD", "USD\n", " USD", "UsD"]]


def integer_values(facts):
    lo = facts["minimum"] if facts["minimum"] is not None else 1
    hi = facts["maximum"] if facts["maximum"] is not None else 500
    values = [(str(v), v) for v in (lo - 1, lo, hi, hi + 1, -1, 10)]
    values += [(f"raw {t}", Raw(t)) for t in
               ("10.0", "1e2", "5E0", "1.0e1", "-0", "1e400", "9223372036854775807",
                "9223372036854775808", "18446744073709551616", "10.5")]
    values += [('"10"', "10")]
    return values


def enum_values(facts):
    values = [(v, v) for v in facts["enum"]]
    first = facts["enum"][0]
    values += [(f"lower {first.lower()}", first.lower()), ("UNKNOWN", "UNKNOWN"),
               ("empty", ""), (f"padded {first}", f" {first}")]
    values += [(f"other service's {s}", s) for s in STATUS_WORDS if s not in facts["enum"]][:2]
    return values


def cursor_values(ctx):
    real = ctx.orders_cursor or b64url(b"k1:" + ctx.orders[0].encode())
    other = ctx.payments_cursor or b64url(b"k1:" + ctx.payments[0].encode())
    return [
        ("real", real), ("the other service's", other), ("garbage", "!!!not-a-cursor!!!"),
        ("right form, not issued", "abc"), ("empty", ""), ("129 chars", "A" * 129),
        ("128 chars of alphabet", "A" * 128), ("real + LF", real + "\n"),
        ("real + =", real + "="), ("real + one char", real + "A"),
        ("k1 + not a UUID", b64url(b"k1:not-a-uuid")),
        ("k2 prefix", b64url(b"k2:" + ctx.orders[0].encode())),
        ("upper-case UUID", b64url(b"k1:" + ctx.orders[0].upper().encode())),
        ("standard base64", base64.b64encode(b"k1:" + ctx.orders[0].encode() + b"??").decode()),
        ("leading space", " " + real),
    ]


def field_mutations(subject, name, facts, ctx, rng):
    """[(label, op)] for one field; op = ("set", value) | ("drop",) | ("dup", first, last)."""
    kind = kind_of(name, facts)
    ops = [("dropped", ("drop",))]
    ops += [(f"type {label}", ("set", value)) for label, value in type_values()]
    ops += [("duplicate key, wrong then right", ("dup", 12345, None)),
            ("duplicate key, right then wrong", ("dup", None, 12345))]
    if kind == "text":
        values = text_values(facts)
    elif kind == "freetext":
        values = freetext_values(ctx)
    elif kind == "uuid":
        values = uuid_values(name, ctx, rng)
    elif kind == "email":
        values = email_values(facts)
    elif kind == "amount":
        values = amount_values()
    elif kind == "currency":
        values = currency_values()
    elif kind == "integer":
        values = integer_values(facts)
    elif kind == "enum":
        values = enum_values(facts)
    elif kind == "cursor":
        values = cursor_values(ctx)
    else:
        values = []
    ops += [(label, ("set", value)) for label, value in values]
    return [(f"{name}: {label}", op) for label, op in ops]


def base_body(subject, field, ctx, rng):
    """A valid body for `subject`, with `field` present when it has a base value."""
    order = rng.choice(ctx.orders)
    payment = rng.choice(ctx.payments)
    if subject == "orders.cmd.create":
        return {"tracking_number": ctx.token(), "customer_name": "Ana",
                "customer_email": "ana@example.com", "origin": "Madrid", "destination": "Lisbon"}
    if subject == "orders.cmd.assign":
        return {"order_id": order, "driver_id": f"driver-{rng.randint(1, 9)}"}
    if subject in ("orders.cmd.dispatch", "orders.cmd.deliver"):
        return {"order_id": order}
    if subject == "orders.cmd.cancel":
        return {"order_id": order, "reason": "customer asked"}
    if subject == "orders.query.get":
        if field == "tracking_number" and rng.random() < 0.5:
            return {"tracking_number": rng.choice(ctx.tracking)}
        if field == "tracking_number":
            return {"order_id": order, "tracking_number": None}
        return {"order_id": order}
    if subject == "payments.cmd.register":
        return {"order_id": order, "amount": "100.00", "currency": "EUR"}
    if subject in ("payments.cmd.confirm", "payments.query.get"):
        return {"payment_id": payment}
    if subject == "payments.cmd.fail":
        return {"payment_id": payment, "reason": "card declined"}
    if subject == "payments.cmd.refund":
        return {"payment_id": payment, "reason": "goodwill"}
    if subject == "orders.query.list":
        body = {"limit": 20}
        optional = {"status": rng.choice(["CREATED", "ASSIGNED", "PAID", "CANCELLED"]),
                    "customer_name": "Ana", "cursor": ctx.orders_cursor}
    else:
        body = {"limit": 20}
        optional = {"order_id": order, "status": rng.choice(["PENDING", "CONFIRMED", "FAILED"]),
                    "cursor": ctx.payments_cursor}
    for key, value in optional.items():
        if key == field or rng.random() < 0.4:
            body[key] = value
    return body


def apply_ops(base, ops):
    """base dict + [(field, op)] -> Pairs (keeps duplicate keys)."""
    items = list(base.items())
    for field, op in ops:
        index = next((i for i, (k, _) in enumerate(items) if k == field), None)
        if op[0] == "drop":
            if index is not None:
                del items[index]
        elif op[0] == "set":
            if index is None:
                items.append((field, op[1]))
            else:
                items[index] = (field, op[1])
        elif op[0] == "dup":
            right = items[index][1] if index is not None else "x"
            first = right if op[1] is None else op[1]
            last = right if op[2] is None else op[2]
            if index is not None:
                del items[index]
            items += [(field, first), (field, last)]
    return Pairs(items)


class Generator:
    def __init__(self, facts, ctx, rng):
        self.facts = facts
        self.ctx = ctx
        self.rng = rng
        self.fields = {s: facts.fields(schema_of(s)) for s in SUBJECTS}

    def _case(self, subject, body_value, label, fields):
        ascii_only = self.rng.random() < 0.2
        text = encode(body_value, ascii_only).encode("utf-8", "surrogatepass")
        headers = None
        if self.rng.random() < 0.3:
            headers = {"Correlation-Id": f"differential-{self.ctx.seed}-{self.ctx.counter}"}
        return Case(subject, text, label + (" (\\u-escaped)" if ascii_only else ""), fields,
                    headers)

    def singles(self, subject):
        """Lazily built thunks, so each case takes a fresh base (fresh tracking_number)."""
        properties, _ = self.fields[subject]
        thunks = []
        for name, facts in properties.items():
            for label, op in field_mutations(subject, name, facts, self.ctx, self.rng):
                thunks.append(lambda s=subject, n=name, l=label, o=op: self._case(
                    s, apply_ops(base_body(s, n, self.ctx, self.rng), [(n, o)]), l, [n]))
        thunks.append(lambda s=subject: self._case(s, base_body(s, None, self.ctx, self.rng),
                                                   "valid base", []))
        thunks.append(lambda s=subject: self._case(
            s, {k: (None if k not in self.fields[s][1] else v)
                for k, v in base_body(s, None, self.ctx, self.rng).items()},
            "optional fields null", []))
        thunks += [lambda s=subject, w=w: self._whole(s, w) for w in WHOLE_BODY]
        thunks += self._specials(subject)
        return thunks

    def _whole(self, subject, what):
        base = base_body(subject, None, self.ctx, self.rng)
        text = encode(base).encode()
        first = next(iter(base))
        bodies = {
            "array []": b"[]", "array of the body": b"[" + text + b"]", 'string "x"': b'"x"',
            "number 1": b"1", "null": b"null", "true": b"true", "truncated {": b"{",
            "missing value": b'{"a":}', "empty body": b"", "one space": b" ",
            "LF only": b"\n", "NaN": b"NaN", "single quotes": text.replace(b'"', b"'"),
            "invalid UTF-8 byte": b'{"x":"\xff"}', "overlong UTF-8": b'{"x":"\xc0\xaf"}',
            "UTF-8 BOM + body": b"\xef\xbb\xbf" + text, "trailing garbage": text + b" x",
            "two objects": text + text, "surrounding white space": b" \t\r\n" + text + b"\n ",
            "raw control char in a string": text.replace(b'"' + first.encode() + b'"',
                                                         b'"' + first.encode() + b'\x01"', 1),
            "trailing comma": text[:-1] + b",}" if len(text) > 2 else b"{,}",
            "comment": b"/* c */" + text,
        }
        extras = {
            "unknown field": ("unknown_field", "x"), "unknown field null": ("extra", None),
            "empty key": ("", 1), "upper-case twin of a field": (first.upper(), base[first]),
            "non-ASCII key": ("\u00f1", 1), "deeply nested unknown": ("x", nested(200)),
            "unknown field 1e400": ("extra", Raw("1e400")),
        }
        if what in bodies:
            return Case(subject, bodies[what], f"body: {what}")
        key, value = extras[what]
        return self._case(subject, apply_ops(base, [(key, ("set", value))]), f"body: {what}",
                          [key])

    def _specials(self, subject):
        thunks = []
        if subject == "orders.cmd.create":
            for origin, destination in (("Madrid", "Madrid"), ("Madrid", "MADRID"),
                                        ("madrid", "mAdRiD"),
                                        ("\u0141\u00f3d\u017a", "\u0142\u00f3d\u017a"),
                                        ("\u0141\u00f3d\u017a", "\u0141\u00f3d\u017a"),
                                        ("Madrid", "Madrid "), ("Madrid", "Madrid\u00a0")):
                thunks.append(lambda o=origin, d=destination: self._case(
                    subject, {**base_body(subject, None, self.ctx, self.rng),
                              "origin": o, "destination": d},
                    f"origin {o!r}, destination {d!r}", ["origin", "destination"]))
        properties, _ = self.fields[subject]
        for name, facts in properties.items():
            if kind_of(name, facts) == "freetext":   # no maxLength: the body size decides
                for size in (MAX_BODY_BYTES, MAX_BODY_BYTES + 1):
                    thunks.append(lambda n=name, size=size: self._sized(subject, n, size))
        return thunks

    def _sized(self, subject, name, size):
        base = base_body(subject, name, self.ctx, self.rng)
        if subject == "orders.query.get":
            base.pop("order_id", None)
        base[name] = ""
        filler = "x" * (size - len(encode(base).encode()))
        base[name] = filler
        return Case(subject, encode(base).encode(), f"{name}: body of exactly {size} bytes",
                    [name])

    def pairs(self, subject):
        properties, _ = self.fields[subject]
        names = list(properties)
        if len(names) < 2:
            return None
        a, b = self.rng.sample(names, 2)
        la, oa = self.rng.choice(field_mutations(subject, a, properties[a], self.ctx, self.rng))
        lb, ob = self.rng.choice(field_mutations(subject, b, properties[b], self.ctx, self.rng))
        base = base_body(subject, a, self.ctx, self.rng)
        return self._case(subject, apply_ops(base, [(a, oa), (b, ob)]), f"{la} + {lb}", [a, b])


WHOLE_BODY = [
    "array []", "array of the body", 'string "x"', "number 1", "null", "true", "truncated {",
    "missing value", "empty body", "one space", "LF only", "NaN", "single quotes",
    "invalid UTF-8 byte", "overlong UTF-8", "UTF-8 BOM + body", "trailing garbage",
    "two objects", "surrounding white space", "raw control char in a string", "trailing comma",
    "comment", "unknown field", "unknown field null", "empty key", "upper-case twin of a field",
    "non-ASCII key", "deeply nested unknown", "unknown field 1e400",
]


def case_stream(gen, rng):
    """Round 1: every single-field mutation of every subject, shuffled. Then pairs of
    mutations (two fields of one subject), endlessly; the caller stops."""
    thunks = [t for s in SUBJECTS for t in gen.singles(s)]
    rng.shuffle(thunks)
    for thunk in thunks:
        yield thunk()
    while True:
        subject = rng.choice(SUBJECTS)
        case = gen.pairs(subject)
        if case is None:
            case = rng.choice(gen.singles(subject))()
        yield case


# =========================================================================== judging


def schema_verdict(case, schemas_dir):
    """(document or None, problems): problems == [] means the schema accepts the body."""
    try:
        text = case.body.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [f"not UTF-8: {error}"]
    if case.subject in LIST_SUBJECTS and text.strip(" \t\r\n") == "":
        text = "{}"   # the list queries read an empty or blank body as {}
    try:
        document = check_schemas.parse_json(text)
    except (ValueError, RecursionError) as error:
        return None, [f"not JSON: {error}"]
    return document, check_schemas.validate(schema_of(case.subject), finite(document),
                                            schemas_dir)


def finite(node):
    """Python's json reads a number too large for a double (1e400) as infinity, which
    jsonschema cannot divide (multipleOf); the JSON number is finite, and larger than any
    maximum here, so the largest double stands in for it."""
    if isinstance(node, float) and node in (float("inf"), float("-inf")):
        return sys.float_info.max if node > 0 else -sys.float_info.max
    if isinstance(node, dict):
        return {k: finite(v) for k, v in node.items()}
    if isinstance(node, list):
        return [finite(v) for v in node]
    return node


def short(data, limit=240):
    text = data.decode("utf-8", "backslashreplace") if isinstance(data, bytes) else str(data)
    shown = json.dumps(text, ensure_ascii=True)
    if len(shown) > limit:
        shown = shown[:limit // 2] + f"...({len(data)} bytes)..." + shown[-limit // 3:]
    return shown


def judge(case, document, problems, reply, ctx):
    """(gap name or None, [mismatch reasons])."""
    schema_ok = not problems
    expect_400, codes, gap = not schema_ok, None, None
    for name, decide, codes_400, codes_other in KNOWN_GAPS:
        expected = decide(case, document, schema_ok, ctx)
        if expected is not None:
            expect_400, codes = expected, codes_400 if expected else codes_other
            if expected != (not schema_ok):
                gap = name   # counted: the schema's verdict is not the service's here
            break
    reasons = []
    if reply is None:
        return gap, [f"no reply within {REQUEST_TIMEOUT:.0f} s"]
    if reply.no_responders:
        return gap, ["no responders (503 status line)"]
    status = reply.status
    if status >= 500 or status < 0:
        reasons.append(f"server error {status}")
    elif expect_400 and status != 400:
        reasons.append(f"expected 400{' (' + gap + ')' if gap else ''}, got {status}")
    elif not expect_400 and status == 400:
        reasons.append(f"expected no 400{' (' + gap + ')' if gap else ''}, got 400")
    if status != 200:
        try:
            body = check_schemas.parse_json(reply.payload.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            return gap, reasons + [f"error reply is not JSON: {error}"]
        bad = check_schemas.validate("common/error", body, ctx.schemas_dir)
        if bad:
            reasons.append("error reply is not a common/error: " + "; ".join(bad[:3]))
        elif status == 400:
            code = body["error"]["code"]
            # "" is the body as a whole, unless the broken member's name is "" itself.
            named = [d["field"] for d in body["error"]["details"]
                     if d["field"] or "" in case.fields]
            if code not in NO_FIELD_CODES and not named:
                reasons.append(f"400 {code} names no field in details")
            elif (code not in NO_FIELD_CODES and case.fields
                  and not set(named) & broken_fields(case)):
                reasons.append(f"400 {code} names {named}, not the broken field(s) "
                               f"{list(case.fields)}")
        if not bad and codes and body["error"]["code"] not in codes:
            reasons.append(f"code {body['error']['code']}, expected one of {sorted(codes)}")
    return gap, reasons


def broken_fields(case):
    """The fields a 400 may name for this case: orders.query.get takes order_id or
    tracking_number, so breaking either may be reported on either ("order_id is required (or
    give tracking_number)")."""
    fields = set(case.fields)
    lookup = {"order_id", "tracking_number"}
    if case.subject == "orders.query.get" and fields & lookup:
        fields |= lookup
    return fields


def remember(case, reply, ctx):
    """Keeps track of every order that exists (for the lookup-first gap)."""
    if reply is None or reply.status != 200 or not case.subject.startswith("orders."):
        return
    try:
        body = json.loads(reply.payload)
    except ValueError:
        return
    if isinstance(body, dict) and isinstance(body.get("order_id"), str):
        ctx.known_orders.add(body["order_id"].lower())


# =========================================================================== seeding


def call(client, subject, body, what):
    reply = client.request(subject, json.dumps(body).encode())
    if reply is None or reply.no_responders or reply.status != 200:
        shown = "no reply" if reply is None else f"{reply.status} {short(reply.payload)}"
        raise SetupError(f"seeding ({what}): {subject} {json.dumps(body)} -> {shown}")
    return json.loads(reply.payload)


def seed_state(client, ctx):
    """3 orders with a payment each; payment 2 confirmed (its order becomes PAID) and its order
    assigned a driver; real list cursors from both services."""
    for i, (name, origin, destination) in enumerate(
            [("Ana", "Madrid", "Lisbon"), ("Bruno", "Porto", "Faro"), ("Ana", "Vigo", "Leon")]):
        tracking = f"SEED-{ctx.seed}-{i}"
        order = call(client, "orders.cmd.create",
                     {"tracking_number": tracking, "customer_name": name,
                      "origin": origin, "destination": destination}, "create an order")
        ctx.orders.append(order["order_id"])
        ctx.tracking.append(tracking)
        ctx.known_orders.add(order["order_id"])
    for order_id, amount in zip(ctx.orders, ["100.00", 49.9, "10"]):
        payment = call(client, "payments.cmd.register", {"order_id": order_id, "amount": amount},
                       "register a payment")
        ctx.payments.append(payment["payment_id"])
    call(client, "payments.cmd.confirm", {"payment_id": ctx.payments[1]}, "confirm a payment")
    call(client, "orders.cmd.assign", {"order_id": ctx.orders[1], "driver_id": "driver-7"},
         "assign a driver")
    page = call(client, "orders.query.list", {"limit": 1}, "list orders")
    ctx.orders_cursor = page.get("next_cursor")
    page = call(client, "payments.query.list", {"limit": 1}, "list payments")
    ctx.payments_cursor = page.get("next_cursor")
    if not ctx.orders_cursor or not ctx.payments_cursor:
        raise SetupError("seeding: a list of limit 1 over 3 items gave no next_cursor")


# =========================================================================== main


def run(args, tmp, procs):
    schemas_dir = str(pathlib.Path(args.schemas).resolve())
    try:
        for subject in SUBJECTS:
            check_schemas.validate(schema_of(subject), {}, schemas_dir)
    except check_schemas.SchemaProblem as problem:
        raise SetupError(f"schemas ({schemas_dir}): {problem}") from None
    facts = SchemaFacts(schemas_dir)
    ctx = Context(schemas_dir, args.seed)
    rng = random.Random(args.seed)

    started = time.monotonic()
    port = start_system(procs, tmp, args.orders, args.payments)
    client = NatsClient(HOST, port)
    try:
        seed_state(client, ctx)
        gen = Generator(facts, ctx, rng)
        counts = {s: 0 for s in SUBJECTS}
        gaps, gap_examples = {}, {}
        mismatches = 0
        aborted = None
        loop_started = time.monotonic()
        for case in case_stream(gen, rng):
            if sum(counts.values()) >= args.max_cases or \
                    time.monotonic() - loop_started >= args.max_seconds:
                break
            document, problems = schema_verdict(case, schemas_dir)
            reply = client.request(case.subject, case.body, case.headers)
            remember(case, reply, ctx)
            counts[case.subject] += 1
            gap, reasons = judge(case, document, problems, reply, ctx)
            if gap:
                gaps[gap] = gaps.get(gap, 0) + 1
                gap_examples.setdefault(gap, (case, reply))
                if args.verbose:
                    print(f"known gap {gap}: {case.subject} {case.label} body={short(case.body)}")
            if reasons:
                mismatches += 1
                verdict = "accepts" if not problems else f"rejects ({problems[0][:120]})"
                status = ("none" if reply is None else
                          "no-responders" if reply.no_responders else str(reply.status))
                print(f"MISMATCH {case.subject} [{case.label}]: {'; '.join(reasons)}\n"
                      f"  body={short(case.body)}\n  schema {verdict}; status={status} "
                      f"reply={short(reply.payload) if reply else '-'}", flush=True)
            if reply is None:
                try:
                    procs.check_alive()   # a crashed service: stop here, with its log
                except SetupError as error:
                    aborted = error
                    break
        total = sum(counts.values())
        for name, (case, reply) in sorted(gap_examples.items()):
            status = reply.status if reply is not None and not reply.no_responders else "-"
            print(f"known gap {name} ({gaps[name]}x), e.g. {case.subject} [{case.label}] "
                  f"body={short(case.body, 120)} -> {status} "
                  f"{short(reply.payload, 160) if reply else ''}")
        per_subject = ", ".join(f"{s} {n}" for s, n in counts.items())
        gap_text = ", ".join(f"{k} {v}" for k, v in sorted(gaps.items())) or "none"
        print(f"differential: {total} cases ({per_subject}), {mismatches} mismatches, "
              f"{sum(gaps.values())} known gaps ({gap_text}), "
              f"{time.monotonic() - started:.1f} s")
        if aborted is not None:
            print(f"differential: FAILED: a service died during the run: {aborted}",
                  file=sys.stderr)
        if total < MIN_CASES:
            print(f"differential: FAILED: only {total} cases ran (at least {MIN_CASES} needed)",
                  file=sys.stderr)
        return 1 if mismatches or total < MIN_CASES or aborted is not None else 0
    finally:
        client.close()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schemas", required=True, help="the schemas directory")
    parser.add_argument("--orders", required=True, help="the orders binary")
    parser.add_argument("--payments", required=True, help="the payments binary")
    parser.add_argument("--max-cases", type=int, default=1500)
    parser.add_argument("--max-seconds", type=float, default=90)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="print every known-gap case")
    args = parser.parse_args(argv)
    for name in ("orders", "payments"):
        binary = getattr(args, name)
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            parser.error(f"--{name} {binary}: not an executable file")
    if not pathlib.Path(args.schemas).is_dir():
        parser.error(f"--schemas {args.schemas}: not a directory")

    def interrupted(signum, _frame):
        raise Interrupted(signum)

    previous = {s: signal.signal(s, interrupted) for s in (signal.SIGINT, signal.SIGTERM,
                                                             signal.SIGHUP)}
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="differential-"))
    procs = Processes(tmp)
    code = 1
    try:
        code = run(args, tmp, procs)
    except SetupError as error:
        print(f"differential: set-up failed: {error}", file=sys.stderr)
    except Interrupted as signum:
        print(f"differential: interrupted (signal {signum}); cleaning up", file=sys.stderr)
        code = 130
    except (NatsError, OSError) as error:
        print(f"differential: NATS connection failed: {error}", file=sys.stderr)
        for name, _, log in procs.started:
            print(procs.tail(log, 10), file=sys.stderr)
    finally:
        # A second signal must not cut the clean-up short.
        for s in previous:
            signal.signal(s, signal.SIG_IGN)
        try:
            procs.stop_all()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            for s, handler in previous.items():
                signal.signal(s, handler)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

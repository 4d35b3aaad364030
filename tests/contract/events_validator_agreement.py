#!/usr/bin/python3
"""Agreement test: logistics-events' C++ EventValidator against the JSON Schemas of the events.

Usage:
  events_validator_agreement.py --tool BIN --schemas DIR [--seed N (1)] [--max-cases N (6000)] [--verbose]

It builds events of all ten types (logistics.order.{created,assigned,paid,dispatched,delivered,
cancelled}.v1, logistics.payment.{registered,confirmed,failed,refunded}.v1): the valid examples
of check_schemas.py plus valid variants (optional extensions, e-mail, unicode text, boundary
lengths, null reasons), and from each one, mutations of one member (envelope or data): dropped,
every JSON type, boundary lengths (limit, limit+1, empty, blank, multi-byte at the limit), ids
in upper case or of another version, timestamps off by a field or without milliseconds, a
trailing line feed, every status and type, extra members; later rounds mutate two members.

The schema's verdict for an event is check_schemas.validate(<schema>, event) == [] (schema plus
the invariants check_schemas.py adds) for the schema its type names; an event whose type is none
of the ten is checked against all ten (each pins its type, so none can accept it). Every event is
wrapped in a record as `logistics-events export` writes it (subject as the services publish it)
and the file is run through `BIN validate FILE`, whose lines "line N: ..." name the invalid ones.
Then, per type, the valid events go through `check_schemas.py --validate-lines` and the tool, and
both must accept them all.

Output: one block per disagreement (the event, both verdicts and their reasons), then
  agreement: N events (V valid, I invalid), D disagreements
Exit 1 on any disagreement, on fewer than 1000 events, or when a tool fails to run; else 0.
Deterministic for a given --seed. Needs python3-jsonschema (through check_schemas.py).
"""

from __future__ import annotations

import argparse
import copy
import json
import pathlib
import random
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check_schemas  # noqa: E402

ORDER_TYPES = ["created", "assigned", "paid", "dispatched", "delivered", "cancelled"]
PAYMENT_TYPES = ["registered", "confirmed", "failed", "refunded"]
SCHEMA_OF = {f"logistics.order.{n}.v1": f"orders/events/{n}" for n in ORDER_TYPES}
SCHEMA_OF.update({f"logistics.payment.{n}.v1": f"payments/events/{n}" for n in PAYMENT_TYPES})
ORDER_STATUSES = ["CREATED", "ASSIGNED", "PAID", "IN_TRANSIT", "DELIVERED", "CANCELLED"]
PAYMENT_STATUSES = ["PENDING", "CONFIRMED", "FAILED", "REFUNDED"]
UPPER_V7 = "0193A5B2-7C1D-7E4F-8A90-123456789ABC"
V4 = "0193a5b2-7c1d-4e4f-8a90-123456789abc"
OTHER_V7 = "0193a5b2-7c2a-7001-b2c3-d4e5f6a7b8c9"
BAD_VARIANT = "0193a5b2-7c1d-7e4f-1a90-123456789abc"
TIMES = ["2026-11-25T09:30:00Z", "2026-11-25T09:30:00.12Z", "2026-11-25T24:00:00.000Z",
         "2026-13-25T09:30:00.000Z", "2026-02-31T09:30:00.000Z", "2026-11-25 09:30:00.000Z",
         "2026-11-25T09:30:00.000+00:00", "2026-11-25T09:30:00.000z", "2026-11-25T09:30:60.000Z",
         "2026-11-25T09:29:00.000Z", "2026-11-25T09:59:00.000Z", "2099-01-01T00:00:00.000Z"]
TRACEPARENT = check_schemas.TRACEPARENT


def text_cases(limit):
    """Strings around a length limit, in characters."""
    return ["", " ", "\t\n", "\u00a0", "x" * limit, "x" * (limit + 1), "ł" * limit, "ł" * (limit + 1),
            "😀" * limit, " " * limit, "a\n", "ok"]


GENERIC = [None, True, False, 0, 1, 1.0, 2, 2.0, -1, 1.5, 1e300, "", "x", [], {}, ["x"], {"a": 1}]
PER_MEMBER = {
    "specversion": ["1.0", "1.0\n", "1", 1.0, "0.3"],
    "id": [UPPER_V7, V4, BAD_VARIANT, check_schemas.EID + "\n", check_schemas.EID[:-1], "not-a-uuid",
           check_schemas.EID.replace("-", "")],
    "source": ["/logistics/orders", "/logistics/payments", "/logistics/orders/", "logistics/orders"],
    "type": [f"logistics.order.{n}.v1" for n in ORDER_TYPES] + [f"logistics.payment.{n}.v1" for n in PAYMENT_TYPES]
    + ["logistics.order.created.v2", "logistics.order.created.v1\n", "Logistics.order.created.v1",
       "logistics.order.created", "logistics.order.created.v0"],
    "subject": [UPPER_V7, V4, OTHER_V7, BAD_VARIANT, check_schemas.OID + "\n", check_schemas.PID],
    "time": TIMES + [check_schemas.T0, check_schemas.T1, check_schemas.T1 + "\n"],
    "datacontenttype": ["application/json", "application/json; charset=utf-8", "text/plain"],
    "aggregateversion": [1, 2, 3, 5, 0, -2, 2.0, 3.0, 5.0, "2", 10**20],
    "correlationid": ["c", " ", "\n", "😀"],
    "causationid": ["c", " ", "\n"],
    "traceparent": [TRACEPARENT, TRACEPARENT.upper(), TRACEPARENT + "\n", TRACEPARENT[:-1], "00-" + "0" * 32],
    "tracestate": ["", "rojo=00f067aa0ba902b7", 5],
    "data": [[], "x", None],
}
DATA_MEMBER = {
    "order_id": [UPPER_V7, V4, OTHER_V7, check_schemas.OID + "\n", check_schemas.PID],
    "payment_id": [UPPER_V7, V4, OTHER_V7, check_schemas.PID + "\n", check_schemas.OID, None],
    "tracking_number": text_cases(100),
    "customer_name": text_cases(255),
    "origin": text_cases(255),
    "destination": text_cases(255),
    "customer_email": [None, "ana@example.com", "ana@@example.com", "@example.com", "ana@", "a b@example.com",
                       "ana@example.com\n", "ana@exa\u00a0mple.com", "ana@exa\u0085mple.com", "ana@exa\u00a1mple.com",
                       "a" * 250 + "@b.c", "a" * 251 + "@b.cd", "ł@ł"],
    "status": ORDER_STATUSES + PAYMENT_STATUSES + ["PAYED", "created", "CREATED\n"],
    "driver_id": [None, "driver-7", "d" * 100, "d" * 101, "", " ", "ł" * 100],
    "cancellation_reason": [None, "", " ", "r" * 500, "r" * 501, "customer asked"],
    "reason": [None, "", " ", "r" * 500, "r" * 501, "customer asked", "card declined", "goodwill",
               "ł" * 500],
    "created_at": TIMES + [check_schemas.T0, check_schemas.T1],
    "updated_at": TIMES + [check_schemas.T0, check_schemas.T1],
    "version": [1, 2, 3, 5, 0, -1, 2.0, 5.0, "2", 1.5],
    "amount": ["100.00", "0.01", "0.00", "00.01", "01.00", "1.0", "1", "1.000", "99999999.99", "999999999.99",
               "-1.00", "+1.00", "1e2", "100.00\n", " 100.00", 100, 100.0, "１.00"],
    "currency": ["USD", "EUR", "XYZ", "usd", "US", "USDD", "USD\n", "ÜSD"],
    "failure_reason": [None, "", " ", "card declined", "f" * 500, "f" * 501],
    "refund_reason": [None, "", " ", "goodwill", "g" * 500, "g" * 501],
}


def base_events():
    """Valid events of every type, and valid variants of them."""
    events = []
    for name in ORDER_TYPES:
        events.append(check_schemas.event(name))
        events.append(check_schemas.event(name, traceparent=TRACEPARENT, tracestate="rojo=1"))
        events.append(check_schemas.event(name, {"customer_email": "ana@example.com", "customer_name": "Łódź" * 63,
                                                 "tracking_number": "😀" * 100}))
        events.append(check_schemas.event(name, id=check_schemas.EID.upper()))
    events.append(check_schemas.event("paid", {"payment_id": None}))
    events.append(check_schemas.event("paid", {"payment_id": UPPER_V7}))
    events.append(check_schemas.event("paid", {"driver_id": None}))
    events.append(check_schemas.event("assigned", {"status": "PAID"}))
    events.append(check_schemas.event("cancelled", {"reason": None, "cancellation_reason": None}))
    events.append(check_schemas.event("cancelled", {"reason": "", "cancellation_reason": "", "driver_id": "d"}))
    for name in PAYMENT_TYPES:
        events.append(check_schemas.payment_event(name))
        events.append(check_schemas.payment_event(name, traceparent=TRACEPARENT))
        events.append(check_schemas.payment_event(name, {"amount": "99999999.99", "currency": "XYZ"}))
    events.append(check_schemas.payment_event("refunded", {"reason": None, "refund_reason": None}))
    events.append(check_schemas.payment_event("refunded", {"reason": " ", "refund_reason": " "}))
    events.append(check_schemas.payment_event("failed", {"reason": "ł" * 500, "failure_reason": "ł" * 500}))
    return events


def mutations(event, rng):
    """(label, mutated event) pairs changing one member."""
    out = []
    for key in list(event) + ["extra"]:
        values = PER_MEMBER.get(key, []) + GENERIC
        if key in event:
            out.append((f"drop {key}", {k: v for k, v in event.items() if k != key}))
        for value in values:
            changed = copy.deepcopy(event)
            changed[key] = value
            out.append((f"{key}={value!r:.40}", changed))
    data = event.get("data")
    if isinstance(data, dict):
        for key in list(data) + ["extra", "reason", "payment_id"]:
            values = DATA_MEMBER.get(key, []) + GENERIC
            if key in data:
                changed = copy.deepcopy(event)
                del changed["data"][key]
                out.append((f"drop data.{key}", changed))
            for value in values:
                changed = copy.deepcopy(event)
                changed["data"][key] = value
                out.append((f"data.{key}={value!r:.40}", changed))
    rng.shuffle(out)
    return out


def schema_verdict(event, schemas_dir):
    """(valid, problems) by the JSON Schemas and check_schemas.py's invariants."""
    kind = event.get("type") if isinstance(event, dict) else None
    names = [SCHEMA_OF[kind]] if isinstance(kind, str) and kind in SCHEMA_OF else list(SCHEMA_OF.values())
    problems = []
    for name in names:
        found = check_schemas.validate(name, copy.deepcopy(event), schemas_dir)
        if not found:
            return True, []
        problems.append(f"{name}: " + "; ".join(found[:3]))
    return False, problems


def record_of(event, original):
    """The record `logistics-events export` would write for the event (subject as published)."""
    source = event if isinstance(event.get("type"), str) and isinstance(event.get("subject"), str) else original
    parts = source["type"].split(".")
    aggregate = {"order": "orders", "payment": "payments"}.get(parts[1] if len(parts) > 2 else "", "orders")
    name = parts[2] if len(parts) > 2 else "x"
    subject = f"{aggregate}.events.{source['subject']}.{name}"
    stream = "ORDERS" if aggregate == "orders" else "PAYMENTS"
    return {"stream": stream, "sequence": 1, "subject": subject,
            "headers": {"Nats-Msg-Id": str(event.get("id")), "Content-Type": "application/cloudevents+json"},
            "event": event}


def run_tool(tool, path):
    """Line numbers the tool calls invalid, its reasons per line, and its exit code."""
    done = subprocess.run([tool, "validate", str(path)], capture_output=True, text=True, timeout=120)
    invalid = {}
    for line in done.stdout.splitlines():
        match = re.match(r"line (\d+): (.*)", line)
        if match:
            invalid.setdefault(int(match.group(1)), []).append(match.group(2))
    if done.returncode not in (0, 1) or not re.search(r"lines \d+, valid \d+, invalid \d+", done.stdout):
        raise RuntimeError(f"{tool} validate failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return invalid, done.returncode


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True)
    parser.add_argument("--schemas", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-cases", type=int, default=6000)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    cases = [("valid base", e, e) for e in base_events()]
    singles = []
    for original in base_events():
        singles.extend((label, mutated, original) for label, mutated in mutations(original, rng))
    rng.shuffle(singles)
    cases.extend(singles[: max(0, args.max_cases * 4 // 5 - len(cases))])
    # Two members at once: a second mutation on top of a first.
    while len(cases) < args.max_cases:
        label, first, original = rng.choice(singles)
        if not isinstance(first.get("data"), dict):
            continue
        more = mutations(first, rng)
        if more:
            label2, second = more[0]
            cases.append((f"{label} + {label2}", second, original))

    with tempfile.TemporaryDirectory(prefix="events-agreement-") as tmp:
        file = pathlib.Path(tmp) / "events.jsonl"
        with file.open("w", encoding="utf-8") as out:
            for _, event, original in cases:
                out.write(json.dumps(record_of(event, original), ensure_ascii=False) + "\n")
        try:
            tool_invalid, tool_exit = run_tool(args.tool, file)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            print(f"agreement: cannot run the tool: {error}", file=sys.stderr)
            return 1

        disagreements = 0
        valid_count = 0
        valid_by_type = {}
        for number, (label, event, _) in enumerate(cases, 1):
            schema_ok, schema_problems = schema_verdict(event, args.schemas)
            tool_ok = number not in tool_invalid
            valid_count += schema_ok
            if schema_ok:
                valid_by_type.setdefault(event["type"], []).append(event)
            if schema_ok != tool_ok:
                disagreements += 1
                print(f"DISAGREEMENT line {number} ({label}): schema says {'valid' if schema_ok else 'invalid'}, "
                      f"logistics-events says {'valid' if tool_ok else 'invalid'}\n"
                      f"  event: {json.dumps(event, ensure_ascii=False)[:400]}\n"
                      f"  schema: {schema_problems[:2]}\n  tool: {tool_invalid.get(number, [])[:3]}")
            elif args.verbose and not schema_ok:
                print(f"line {number} ({label}): both invalid; tool: {tool_invalid[number][0]}")
        if (tool_exit == 0) != (valid_count == len(cases)):
            print(f"DISAGREEMENT: the tool exited {tool_exit} with {len(cases) - valid_count} invalid lines")
            disagreements += 1

        # The command-line path of both: every valid event of a type, per type.
        for kind, events in sorted(valid_by_type.items()):
            bare = pathlib.Path(tmp) / "valid.jsonl"
            bare.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
            checked = subprocess.run([sys.executable, str(HERE / "check_schemas.py"), args.schemas,
                                      "--validate-lines", SCHEMA_OF[kind], str(bare)],
                                     capture_output=True, text=True, timeout=120)
            wrapped = pathlib.Path(tmp) / "valid-records.jsonl"
            wrapped.write_text("".join(json.dumps(record_of(e, e), ensure_ascii=False) + "\n" for e in events),
                               encoding="utf-8")
            invalid, _ = run_tool(args.tool, wrapped)
            if checked.returncode != 0 or invalid:
                disagreements += 1
                print(f"DISAGREEMENT on the valid {kind} events: check_schemas.py --validate-lines exited "
                      f"{checked.returncode} ({checked.stderr[:300]}), logistics-events found {len(invalid)} invalid")

    print(f"agreement: {len(cases)} events ({valid_count} valid, {len(cases) - valid_count} invalid), "
          f"{disagreements} disagreements")
    if len(cases) < 1000:
        print("agreement: too few events to mean anything", file=sys.stderr)
        return 1
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

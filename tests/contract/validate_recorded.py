#!/usr/bin/python3
"""Validate what the services emitted during the integration tests.

The test harness (tests/support/harness/contract_recorder.hpp) writes every
reply to a request on an orders.* or payments.* subject, every event read from
the ORDERS and PAYMENTS streams and every message seen on *.rejected.* into
JSON Lines files under a directory. This script validates each distinct
document against its JSON Schema (check_schemas.validate) and checks the error
headers of every error reply:

  reply, status 200         -> the subject's reply schema (see REPLY_SCHEMAS)
  reply with an error code  -> common/error, plus Nats-Service-Error present
  event                     -> <context>/events/<name> from its CloudEvent type
  <service>.rejected.<verb> -> common/rejected_command
  $SRV.<VERB>... reply       -> micro/v1/<verb>_response (ADR-32)

Usage: validate_recorded.py <schemas dir> <records dir>
Exits 1 when any document is invalid, or when nothing was recorded (a
contract test that checked nothing must not pass).
"""
import collections
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_schemas  # noqa: E402
import contract_records  # noqa: E402

REPLY_SCHEMAS = {
    "orders.cmd.create": "orders/order",
    "orders.cmd.assign": "orders/order",
    "orders.cmd.dispatch": "orders/order",
    "orders.cmd.deliver": "orders/order",
    "orders.cmd.cancel": "orders/order",
    "orders.query.get": "orders/order",
    "orders.query.list": "orders/replies/list",
    "payments.cmd.register": "payments/payment",
    "payments.cmd.confirm": "payments/payment",
    "payments.cmd.fail": "payments/payment",
    "payments.cmd.refund": "payments/payment",
    "payments.query.get": "payments/payment",
    "payments.query.list": "payments/replies/list",
}

EVENT_CONTEXTS = {"logistics.order.": "orders", "logistics.payment.": "payments"}


def schema_for(record, document):
    """(schema name, extra problems) for one record, or (None, reason) to skip it."""
    kind, subject, headers = record["kind"], record["subject"], record.get("headers", {})
    if kind == "reply":
        code = headers.get("Nats-Service-Error-Code")
        if code is not None:
            problems = []
            if not headers.get("Nats-Service-Error"):
                problems.append("an error reply without a Nats-Service-Error header")
            if isinstance(document, dict) and "error" in document and not code.isdigit():
                problems.append(f"Nats-Service-Error-Code is not a number: {code!r}")
            return "common/error", problems
        if subject not in REPLY_SCHEMAS:
            return None, f"no reply schema for {subject}"
        return REPLY_SCHEMAS[subject], []
    if kind == "event":
        kind_of = document.get("type", "") if isinstance(document, dict) else ""
        for prefix, context in EVENT_CONTEXTS.items():
            if kind_of.startswith(prefix) and kind_of.endswith(".v1"):
                name = kind_of[len(prefix):-len(".v1")]
                problems = []
                if headers.get("Nats-Msg-Id") != document.get("id"):
                    problems.append("the Nats-Msg-Id header differs from the event id")
                if headers.get("Content-Type") != "application/cloudevents+json":
                    problems.append("Content-Type is not application/cloudevents+json")
                return f"{context}/events/{name}", problems
        return "unknown", [f"an event of unknown type {kind_of!r} on {subject}"]
    if kind == "discovery":
        verb = subject.split(".")[1].lower() if subject.startswith("$SRV.") else ""
        if verb not in ("ping", "info", "stats"):
            return None, f"not a discovery verb: {subject}"
        return f"micro/v1/{verb}_response", []
    if kind == "message" and ".rejected." in subject:
        return "common/rejected_command", []
    return None, f"not a service document: {subject}"


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    schemas_dir, records_dir = argv[1], pathlib.Path(argv[2])
    counts = collections.Counter()
    failures = []
    for where, record in contract_records.distinct_records(records_dir):
        try:
            document = json.loads(record["body"])
        except ValueError as error:
            failures.append(f"{where}: {record['subject']}: not JSON ({error})")
            continue
        schema, extra = schema_for(record, document)
        if schema is None:
            counts["skipped"] += 1
            continue
        problems = list(extra)
        if schema != "unknown":
            problems += check_schemas.validate(schema, document, schemas_dir)
        counts[f"{record['kind']} {schema}"] += 1
        if problems:
            failures.append(f"{where}: {record['subject']} against {schema}:\n    "
                            + "\n    ".join(problems) + f"\n    document: {record['body'][:400]}")
    total = sum(count for name, count in counts.items() if name != "skipped")
    for name, count in sorted(counts.items()):
        print(f"  {count:5d}  {name}")
    if failures:
        print(f"contract FAILED: {len(failures)} of {total} documents do not match their schema:")
        for failure in failures:
            print("  " + failure)
        return 1
    if total == 0:
        print(f"contract FAILED: nothing was recorded under {records_dir}")
        return 1
    print(f"contract ok: {total} distinct replies, rejections and events match their schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

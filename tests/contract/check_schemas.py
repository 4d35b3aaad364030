#!/usr/bin/python3
"""Checks the JSON Schemas of the wire format (schemas/) and validates documents against them.

Usage:
  check_schemas.py [SCHEMAS_DIR]
      Loads every schema under SCHEMAS_DIR (default: schemas/ of this checkout), checks each
      against the draft 2020-12 meta-schema, checks that every $id is unique and follows the
      convention https://schemas.logistics.example/<path without .json>, that every $ref resolves
      to one of these schemas, and validates the examples below (and every schema's own
      `examples`). Prints "schemas ok: N schemas, M examples"; exits 1 on any failure.

  check_schemas.py [SCHEMAS_DIR] --validate SCHEMA FILE
      Validates one JSON document (FILE, or - for stdin) against SCHEMA: a $id
      (https://schemas.logistics.example/orders/order), its short form (orders/order), either
      optionally followed by a fragment (common/uuid#/$defs/v7). Exit 0 valid, 1 invalid.

  check_schemas.py [SCHEMAS_DIR] --validate-lines SCHEMA FILE
      Same, for a JSON Lines file: every non-empty line is one document.

Besides the schemas, documents are checked for the cross-field invariants JSON Schema cannot
state (see INVARIANTS): an event's subject is data.order_id (order events) or data.payment_id
(payment events), its aggregateversion is data.version, its time is data.updated_at, its
data.reason is the resource's cancellation_reason / failure_reason / refund_reason; created_at is
not after updated_at; a list page is ordered newest first.

From Python (e.g. contract tests):
  import check_schemas
  problems = check_schemas.validate("orders/order", document)   # [] when valid

Needs only python3-jsonschema (Debian's 4.10 works; newer versions too).
"""

from __future__ import annotations

import copy
import json
import pathlib
import sys
import urllib.parse
import warnings

import jsonschema
from jsonschema import Draft202012Validator

BASE = "https://schemas.logistics.example/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_DIR = pathlib.Path(__file__).resolve().parent.parent.parent / "schemas"


class SchemaProblem(Exception):
    """The schemas themselves are broken (not a document failing them)."""


# --------------------------------------------------------------------------- loading


def walk_refs(node, path=""):
    """Yields (json path ending in /$ref, value) of every `$ref` in a schema or document
    (check_asyncapi.py walks the AsyncAPI document with it, from path "#")."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield f"{path}/$ref", value
            else:
                yield from walk_refs(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk_refs(value, f"{path}/{i}")


def _no_network(uri):
    raise jsonschema.RefResolutionError(f"{uri} is not one of the schemas here (no network look-ups)")


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def parse_json(text):
    return json.loads(text, parse_constant=_reject_constant)


class Schemas:
    """Every schema under a directory, with cross-file $refs resolved by $id."""

    def __init__(self, root=DEFAULT_DIR):
        self.root = pathlib.Path(root)
        self.by_id = {}
        self.path_of = {}
        problems = []
        if not self.root.is_dir():
            raise SchemaProblem(f"{self.root} is not a directory")
        files = sorted(self.root.rglob("*.json"))
        if not files:
            raise SchemaProblem(f"no *.json schemas under {self.root}")
        for file in files:
            relative = file.relative_to(self.root).as_posix()
            try:
                schema = parse_json(file.read_text(encoding="utf-8"))
            except ValueError as error:
                problems.append(f"{relative}: not valid JSON: {error}")
                continue
            if not isinstance(schema, dict):
                problems.append(f"{relative}: a schema file must hold a JSON object")
                continue
            if schema.get("$schema") != DIALECT:
                problems.append(f"{relative}: $schema must be {DIALECT}")
            try:
                Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as error:
                where = "/".join(str(p) for p in error.absolute_path) or "(root)"
                problems.append(f"{relative}: not a valid draft 2020-12 schema at {where}: {error.message}")
                continue
            expected = BASE + relative[: -len(".json")]
            schema_id = schema.get("$id")
            if schema_id != expected:
                problems.append(f"{relative}: $id is {schema_id!r}, expected {expected!r}")
                continue
            if schema_id in self.by_id:
                problems.append(f"{relative}: $id {schema_id} is also the $id of {self.path_of[schema_id]}")
                continue
            self.by_id[schema_id] = schema
            self.path_of[schema_id] = relative
        problems.extend(self._check_refs())
        if problems:
            raise SchemaProblem("\n".join(problems))
        self._registry = self._make_registry()
        self._validators = {}

    # Newer jsonschema (>= 4.18) resolves through `referencing`; Debian's 4.10 through RefResolver.
    def _make_registry(self):
        try:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012
        except ImportError:
            return None
        return Registry().with_resources(
            (schema_id, Resource.from_contents(schema, default_specification=DRAFT202012))
            for schema_id, schema in self.by_id.items()
        )

    def _make_validator(self, schema):
        if self._registry is not None:
            return Draft202012Validator(schema, registry=self._registry)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            resolver = jsonschema.RefResolver(
                base_uri=schema.get("$id", ""),
                referrer=schema,
                store=dict(self.by_id),
                handlers={"http": _no_network, "https": _no_network, "file": _no_network},
            )
            return Draft202012Validator(schema, resolver=resolver)

    def _resolve(self, base, ref):
        """Raises unless `ref` (relative to `base`) names an existing part of a schema here."""
        url = urllib.parse.urljoin(base, ref)
        document, _, fragment = url.partition("#")
        if document not in self.by_id:
            raise LookupError(f"{document} is not the $id of any schema here")
        target = self.by_id[document]
        if fragment:
            if not fragment.startswith("/"):
                raise LookupError(f"only JSON-pointer fragments are used here, not #{fragment}")
            for token in fragment[1:].split("/"):
                token = urllib.parse.unquote(token).replace("~1", "/").replace("~0", "~")
                if isinstance(target, list) and token.isdigit() and int(token) < len(target):
                    target = target[int(token)]
                elif isinstance(target, dict) and token in target:
                    target = target[token]
                else:
                    raise LookupError(f"{url}: nothing at #{fragment}")
        return target

    def _check_refs(self):
        problems = []
        for schema_id, schema in self.by_id.items():
            for where, ref in walk_refs(schema):
                try:
                    self._resolve(schema_id, ref)
                except LookupError as error:
                    problems.append(f"{self.path_of[schema_id]}: {where} = {ref!r}: {error}")
        return problems

    # ----------------------------------------------------------------------- validating

    def canonical(self, name):
        """'orders/order', 'orders/order.json' or the full $id, each optionally with #fragment."""
        name = name.strip()
        document, hash_, fragment = name.partition("#")
        if not document.startswith(BASE):
            document = BASE + document.lstrip("/")
        if document.endswith(".json"):
            document = document[: -len(".json")]
        if document not in self.by_id:
            known = ", ".join(sorted(i[len(BASE):] for i in self.by_id))
            raise SchemaProblem(f"no schema {name!r}; known: {known}")
        url = document + hash_ + fragment
        try:
            self._resolve(document, url)
        except LookupError as error:
            raise SchemaProblem(str(error)) from None
        return url

    def validator(self, name):
        url = self.canonical(name)
        if url not in self._validators:
            schema = self.by_id[url] if url in self.by_id else {"$ref": url}
            self._validators[url] = self._make_validator(schema)
        return url, self._validators[url]

    def errors(self, name, document):
        """Readable problems of `document` against schema `name` (plus invariants); [] if valid."""
        url, validator = self.validator(name)
        problems = []
        for error in _without_echoes(list(validator.iter_errors(document))):
            problems.extend(_describe(error))
        if not problems and "#" not in url:  # invariants concern whole documents
            for prefix, check in INVARIANTS:
                if url.startswith(BASE + prefix):
                    problems.extend(check(document, url))
        return problems


def _without_echoes(errors):
    """Sorted errors, minus "unevaluated property" complaints about members that have errors of
    their own (a failing member yields no annotation, so older jsonschema reports it twice)."""
    below = {}
    for error in errors:
        path = tuple(error.absolute_path)
        for n in range(len(path)):
            below.setdefault(path[:n], set()).add(path[n])
    kept = []
    for error in errors:
        if error.validator == "unevaluatedProperties" and isinstance(error.instance, dict):
            named = {key for key in error.instance if repr(key) in error.message}
            if named and named <= below.get(tuple(error.absolute_path), set()):
                continue
        kept.append(error)
    return sorted(kept, key=lambda e: list(map(str, e.absolute_path)))


def _describe(error, depth=0):
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) or "(document)"
    message = error.message if len(error.message) <= 300 else error.message[:300] + " ..."
    lines = [f"{'  ' * depth}{where}: {message}"]
    # For anyOf / oneOf, say why each alternative failed (one level is enough to read).
    if error.context and depth == 0:
        for sub in sorted(error.context, key=lambda e: list(map(str, e.absolute_path)))[:6]:
            lines.extend(_describe(sub, depth + 1))
    return lines


# --------------------------------------------------------------------------- invariants
# What the service guarantees across fields, which JSON Schema cannot say. Each check gets a
# document that already passed its schema.


def _event_invariants(event, url):
    data = event["data"]
    problems = []
    if event["subject"] != data["order_id"]:
        problems.append(f"subject {event['subject']!r} is not data.order_id {data['order_id']!r}")
    if event["aggregateversion"] != data["version"]:
        problems.append(f"aggregateversion {event['aggregateversion']} is not data.version {data['version']}")
    if event["time"] != data["updated_at"]:
        problems.append(f"time {event['time']!r} is not data.updated_at {data['updated_at']!r}")
    if url.endswith("/cancelled") and data["reason"] != data["cancellation_reason"]:
        problems.append(
            f"data.reason {data['reason']!r} is not data.cancellation_reason {data['cancellation_reason']!r}")
    problems.extend(_order_invariants(data, url, "data."))
    return problems


def _order_invariants(order, url, prefix=""):
    # The fixed-width UTC format makes string order time order.
    if order["created_at"] > order["updated_at"]:
        return [f"{prefix}created_at {order['created_at']} is after {prefix}updated_at {order['updated_at']}"]
    return []


def _page_invariants(page, url):
    problems = []
    for i, order in enumerate(page["orders"]):
        problems.extend(_order_invariants(order, url, f"orders[{i}]."))
    ids = [order["order_id"] for order in page["orders"]]
    for i in range(1, len(ids)):
        if not ids[i - 1] > ids[i]:
            problems.append(f"orders are not newest first: orders[{i - 1}] {ids[i - 1]} then orders[{i}] {ids[i]}")
    return problems


# Payment events: the member of data that event's `reason` repeats.
PAYMENT_REASON_OF = {"failed": "failure_reason", "refunded": "refund_reason"}


def _payment_event_invariants(event, url):
    data = event["data"]
    problems = []
    if event["subject"] != data["payment_id"]:
        problems.append(f"subject {event['subject']!r} is not data.payment_id {data['payment_id']!r}")
    if event["aggregateversion"] != data["version"]:
        problems.append(f"aggregateversion {event['aggregateversion']} is not data.version {data['version']}")
    if event["time"] != data["updated_at"]:
        problems.append(f"time {event['time']!r} is not data.updated_at {data['updated_at']!r}")
    field = PAYMENT_REASON_OF.get(url.rpartition("/")[2])
    if field and data["reason"] != data[field]:
        problems.append(f"data.reason {data['reason']!r} is not data.{field} {data[field]!r}")
    problems.extend(_order_invariants(data, url, "data."))  # created_at <= updated_at
    return problems


def _payment_page_invariants(page, url):
    problems = []
    for i, payment in enumerate(page["payments"]):
        problems.extend(_order_invariants(payment, url, f"payments[{i}]."))
    ids = [payment["payment_id"] for payment in page["payments"]]
    for i in range(1, len(ids)):
        if not ids[i - 1] > ids[i]:
            problems.append(
                f"payments are not newest first: payments[{i - 1}] {ids[i - 1]} then payments[{i}] {ids[i]}")
    return problems


INVARIANTS = [
    ("orders/events/", _event_invariants),
    ("orders/order", lambda order, url: _order_invariants(order, url) if url == BASE + "orders/order" else []),
    ("orders/replies/list", _page_invariants),
    ("payments/events/", _payment_event_invariants),
    ("payments/payment",
     lambda payment, url: _order_invariants(payment, url) if url == BASE + "payments/payment" else []),
    ("payments/replies/list", _payment_page_invariants),
]

# --------------------------------------------------------------------------- examples

OID = "0193a5b2-7c1d-7e4f-8a90-123456789abc"  # an order id (UUIDv7)
OID_NEWER = "0193a5b2-7c2a-7001-b2c3-d4e5f6a7b8c9"
EID = "0193a5b2-7c1e-7000-9c1f-0a2b3c4d5e6f"  # an event id
PID = "0193a5b2-7b00-7abc-8def-000000000001"  # a payment id
T0 = "2026-11-25T09:30:00.123Z"
T1 = "2026-11-25T09:31:00.456Z"
CURSOR = "azE6MDE5M2E1YjItN2MxZC03ZTRmLThhOTAtMTIzNDU2Nzg5YWJj"  # what the service returns for OID
PID_NEWER = "0193a5b2-7b10-7000-8000-00000000000a"
PCURSOR = "azE6MDE5M2E1YjItN2IwMC03YWJjLThkZWYtMDAwMDAwMDAwMDAx"  # what the service returns for PID
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def order(**changes):
    base = {
        "order_id": OID, "tracking_number": "TRK-1", "customer_name": "Ana", "customer_email": None,
        "origin": "Madrid", "destination": "Lisbon", "status": "CREATED", "driver_id": None,
        "cancellation_reason": None, "created_at": T0, "updated_at": T0, "version": 1,
    }
    base.update(changes)
    return base


# The order at the end of each event, as the service would have it.
AFTER = {
    "created": order(),
    "assigned": order(status="ASSIGNED", driver_id="driver-7", updated_at=T1, version=2),
    "paid": order(status="PAID", driver_id="driver-7", updated_at=T1, version=3),
    "dispatched": order(status="IN_TRANSIT", driver_id="driver-7", updated_at=T1, version=4),
    "delivered": order(status="DELIVERED", driver_id="driver-7", updated_at=T1, version=5),
    "cancelled": order(status="CANCELLED", cancellation_reason="customer asked", updated_at=T1, version=2),
}
EXTRA_DATA = {"paid": {"payment_id": PID}, "cancelled": {"reason": "customer asked"}}


def event(name, data_changes=None, drop_data=(), **changes):
    data = dict(AFTER[name], **EXTRA_DATA.get(name, {}))
    data.update(data_changes or {})
    for key in drop_data:
        del data[key]
    base = {
        "specversion": "1.0", "id": EID, "source": "/logistics/orders", "type": f"logistics.order.{name}.v1",
        "subject": data.get("order_id", OID), "time": data.get("updated_at", T1),
        "datacontenttype": "application/json", "aggregateversion": data.get("version", 1),
        "correlationid": "checkout-991", "causationid": "cancel-key-1", "data": data,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not DROP}


DROP = object()


def payment(**changes):
    base = {
        "payment_id": PID, "order_id": OID, "amount": "100.00", "currency": "USD", "status": "PENDING",
        "failure_reason": None, "refund_reason": None, "created_at": T0, "updated_at": T0, "version": 1,
    }
    base.update(changes)
    return base


# The payment at the end of each payment event, as the service would have it.
PAYMENT_AFTER = {
    "registered": payment(),
    "confirmed": payment(status="CONFIRMED", updated_at=T1, version=2),
    "failed": payment(status="FAILED", failure_reason="card declined", updated_at=T1, version=2),
    "refunded": payment(status="REFUNDED", refund_reason="goodwill", updated_at=T1, version=3),
}
PAYMENT_EXTRA_DATA = {"failed": {"reason": "card declined"}, "refunded": {"reason": "goodwill"}}


def payment_event(name, data_changes=None, drop_data=(), **changes):
    data = dict(PAYMENT_AFTER[name], **PAYMENT_EXTRA_DATA.get(name, {}))
    data.update(data_changes or {})
    for key in drop_data:
        del data[key]
    base = {
        "specversion": "1.0", "id": EID, "source": "/logistics/payments",
        "type": f"logistics.payment.{name}.v1", "subject": data.get("payment_id", PID),
        "time": data.get("updated_at", T1), "datacontenttype": "application/json",
        "aggregateversion": data.get("version", 1), "correlationid": "checkout-991",
        "causationid": "confirm-key-1", "data": data,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not DROP}


def without(document, *keys):
    return {k: v for k, v in document.items() if k not in keys}


def error_body(code="VALIDATION_FAILED", details=None, **changes):
    error = {"code": code, "message": "invalid request: customer_name is required",
             "details": [{"field": "customer_name", "reason": "is required"}] if details is None else details}
    error.update(changes)
    return {"error": error}


CREATE = {"tracking_number": "TRK-1", "customer_name": "Ana", "origin": "Madrid", "destination": "Lisbon"}
PAGE = {"orders": [order(order_id=OID_NEWER, tracking_number="TRK-2"), order()], "next_cursor": CURSOR}
REGISTER = {"order_id": OID, "amount": "100.00"}
PAYMENT_PAGE = {"payments": [payment(payment_id=PID_NEWER, amount="5.00"), payment()], "next_cursor": PCURSOR}

MICRO_PING = {"type": "io.nats.micro.v1.ping_response", "name": "orders",
              "id": "01a2116e1a4270d4a6b0160270885b2a", "version": "0.1.0", "metadata": {"service": "orders"}}
MICRO_INFO = dict(MICRO_PING, type="io.nats.micro.v1.info_response", description="Owns logistics orders",
                  endpoints=[{"name": "create", "subject": "orders.cmd.create", "queue_group": "orders", "metadata": None}])
MICRO_STATS = dict(MICRO_PING, type="io.nats.micro.v1.stats_response", started=T0,
                   endpoints=[{"name": "create", "subject": "orders.cmd.create", "queue_group": "orders",
                               "num_requests": 3, "num_errors": 1, "last_error": "409 duplicate",
                               "processing_time": 3000000, "average_processing_time": 1000000,
                               "data": {"outbox": {"unpublished": 0}}}])

V, X = True, False  # valid, invalid

# (schema, what it shows, document, valid?)
EVENT_ID = "0193a5b2-7c1d-7e4f-8a90-123456789abc"
STATUS = {"outbox": {"unpublished": 0, "oldest_unpublished_age_ms": None, "parked": 0, "first_parked_age_ms": None, "last_id": 2},
          "relay": {"published": 2, "failed_attempts": 0, "last_error": ""}, "replies_refused": 0,
          "writer": {"queue_depth": 0, "durable_commits": 2, "bookkeeping_commits": 1, "changes_committed": 4},
          "consumers": {"orders-payments": {"stream": "PAYMENTS", "processed": 1, "pending": 0, "last_error": ""}},
          "storage": {"full": False, "full_errors": 0, "full_since": None, "corrupt": False},
          "nats": {"connected": True, "events_connected": True}, "alarms": {}}
DEAD_LETTER = {"consumer": "notifications-orders", "event_id": EVENT_ID, "type": "logistics.order.created.v1",
               "subject": "orders.events." + EVENT_ID + ".created", "stream_sequence": 7, "deliveries": 5,
               "error": "smtp: connection refused", "dead_lettered_at": "2026-11-25T09:30:00.123Z",
               "requeues": 1, "last_requeued_at": "2026-11-25T09:31:00.000Z"}
PARKED = {"outbox_id": 12, "event_id": EVENT_ID, "subject": "orders.events." + EVENT_ID + ".created",
          "aggregate": EVENT_ID, "created_at": "2026-11-25T09:30:00.123Z",
          "parked_at": "2026-11-25T09:30:05.000Z", "attempts": 3, "error": "stream not found"}

EXAMPLES = [
    # --- common/uuid, common/timestamp
    ("common/uuid", "lowercase v7", OID, V),
    ("common/uuid", "uppercase v4: accepted in requests", "3F2504E0-4F89-41D3-9A0C-0305E82C3301", V),
    ("common/uuid", "not a uuid", "123", X),
    ("common/uuid", "no hyphens", "0193a5b27c1d7e4f8a90123456789abc", X),
    ("common/uuid", "trailing newline", OID + "\n", X),
    ("common/uuid#/$defs/v7", "generated id", EID, V),
    ("common/uuid#/$defs/v7", "uppercase is never generated", OID.upper(), X),
    ("common/uuid#/$defs/v7", "version 4", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", X),
    ("common/timestamp", "milliseconds and Z", T0, V),
    ("common/timestamp", "no milliseconds", "2026-11-25T09:30:00Z", X),
    ("common/timestamp", "an offset instead of Z", "2026-11-25T09:30:00.123+01:00", X),
    ("common/timestamp", "month 13", "2026-13-25T09:30:00.123Z", X),
    ("common/timestamp", "a number", 1764063000123, X),
    # --- common/error
    ("common/error", "README example", error_body(), V),
    ("common/error", "no details", error_body("INTERNAL", [], message="internal error; the request may be retried"), V),
    ("common/error", "detail about the whole body", error_body(details=[{"field": "", "reason": "give either order_id or tracking_number, not both"}]), V),
    ("common/error", "lower-case code", error_body("not_found"), X),
    ("common/error", "details missing", {"error": without(error_body()["error"], "details")}, X),
    ("common/error", "extra member beside error", dict(error_body(), status=400), X),
    ("common/error", "extra member in a detail", error_body(details=[{"field": "x", "reason": "y", "hint": "z"}]), X),
    ("common/error", "not wrapped in error", error_body()["error"], X),
    # --- common/rejected_command
    ("common/rejected_command", "no Nats-Msg-Id", dict(error_body(), command={"subject": "orders.cmd.create", "msg_id": None, "correlation_id": EID}), V),
    ("common/rejected_command", "with Nats-Msg-Id", dict(error_body("ORDER_NOT_FOUND", []), command={"subject": "orders.cmd.cancel", "msg_id": "cancel-key-1", "correlation_id": "checkout-991"}), V),
    ("common/rejected_command", "refused headers not echoed", dict(error_body("INVALID_HEADER", [{"field": "Nats-Msg-Id", "reason": "is longer than 128 characters"}]), command={"subject": "orders.cmd.create", "msg_id": None, "correlation_id": EID}), V),
    ("common/rejected_command", "msg_id over 128 characters", dict(error_body(), command={"subject": "orders.cmd.create", "msg_id": "k" * 129, "correlation_id": EID}), X),
    ("common/rejected_command", "correlation_id with a space", dict(error_body(), command={"subject": "orders.cmd.create", "msg_id": None, "correlation_id": "two words"}), X),
    ("common/rejected_command", "command missing", error_body(), X),
    ("common/rejected_command", "msg_id missing", dict(error_body(), command={"subject": "orders.cmd.create", "correlation_id": EID}), X),
    ("common/rejected_command", "extra member in command", dict(error_body(), command={"subject": "orders.cmd.create", "msg_id": None, "correlation_id": EID, "reply": "_INBOX.x"}), X),
    # --- common/cloudevent
    ("common/cloudevent", "a payments event", event("created", source="/logistics/payments", type="logistics.payment.confirmed.v1", data={"payment_id": PID}), V),
    ("common/cloudevent", "with trace context", event("created", traceparent=TRACEPARENT, tracestate="congo=t61rcWkgMzE"), V),
    ("common/cloudevent", "specversion 1.1", event("created", specversion="1.1"), X),
    ("common/cloudevent", "aggregateversion 0", event("created", aggregateversion=0), X),
    ("common/cloudevent", "aggregateversion as a string (CloudEvents sequence style)", event("created", aggregateversion="1"), X),
    ("common/cloudevent", "time without milliseconds", event("created", time="2026-11-25T09:30:00Z"), X),
    ("common/cloudevent", "malformed traceparent", event("created", traceparent="hello"), X),
    ("common/cloudevent", "unknown attribute", event("created", sequence="1"), X),
    ("common/cloudevent", "correlationid missing", event("created", correlationid=DROP), X),
    ("common/cloudevent", "binary data content type", event("created", datacontenttype="application/octet-stream"), X),
    ("common/cloudevent", "data not an object", event("created", data="x"), X),
    # --- orders/order
    ("orders/order", "README example", order(), V),
    ("orders/order", "delivered, with e-mail", order(status="DELIVERED", driver_id="driver-7", customer_email="ana@example.com", updated_at=T1, version=5), V),
    ("orders/order", "paid without a driver yet", order(status="PAID", updated_at=T1, version=2), V),
    ("orders/order", "cancelled with a reason", AFTER["cancelled"], V),
    ("orders/order", "cancelled with no reason", order(status="CANCELLED", updated_at=T1, version=2), V),
    ("orders/order", "Unicode at the length limit", order(customer_name="ł" * 255, origin="Łódź", destination="Kraków"), V),
    ("orders/order", "customer_email omitted instead of null", without(order(), "customer_email"), X),
    ("orders/order", "extra field", order(priority="high"), X),
    ("orders/order", "unknown status", order(status="SHIPPED"), X),
    ("orders/order", "version 0", order(version=0), X),
    ("orders/order", "created_at not UTC", order(created_at="2026-11-25T10:30:00.123+01:00"), X),
    ("orders/order", "ASSIGNED without a driver", order(status="ASSIGNED", version=2), X),
    ("orders/order", "CREATED with a driver", order(driver_id="driver-7"), X),
    ("orders/order", "cancellation_reason while not CANCELLED", order(cancellation_reason="x"), X),
    ("orders/order", "blank tracking_number", order(tracking_number="  "), X),
    ("orders/order", "name over 255 characters", order(customer_name="ł" * 256), X),
    ("orders/order", "order_id not a generated v7", order(order_id=OID.upper()), X),
    ("orders/order", "updated before created (invariant)", order(updated_at="2026-11-25T09:29:59.999Z"), X),
    # --- orders/commands/create
    ("orders/commands/create", "minimal", CREATE, V),
    ("orders/commands/create", "with e-mail", dict(CREATE, customer_email="ana@example.com"), V),
    ("orders/commands/create", "e-mail null means absent", dict(CREATE, customer_email=None), V),
    ("orders/commands/create", "Unicode at the limits", dict(CREATE, tracking_number="ł" * 100, origin="Łódź", destination="ł" * 255), V),
    ("orders/commands/create", "only non-ASCII space: the service does not count it as blank", dict(CREATE, customer_name="\u00a0"), V),
    ("orders/commands/create", "destination missing", without(CREATE, "destination"), X),
    ("orders/commands/create", "empty tracking_number", dict(CREATE, tracking_number=""), X),
    ("orders/commands/create", "blank customer_name", dict(CREATE, customer_name=" \t\r\n"), X),
    ("orders/commands/create", "tracking_number over 100 characters", dict(CREATE, tracking_number="ł" * 101), X),
    ("orders/commands/create", "origin over 255 characters", dict(CREATE, origin="a" * 256), X),
    ("orders/commands/create", "unknown field", dict(CREATE, priority="high"), X),
    ("orders/commands/create", "required field null", dict(CREATE, tracking_number=None), X),
    ("orders/commands/create", "origin not a string", dict(CREATE, origin=5), X),
    ("orders/commands/create", "e-mail with two @", dict(CREATE, customer_email="ana@@example.com"), X),
    ("orders/commands/create", "e-mail with a space", dict(CREATE, customer_email="ana maria@example.com"), X),
    ("orders/commands/create", "e-mail with a no-break space", dict(CREATE, customer_email="ana\u00a0@example.com"), X),
    ("orders/commands/create", "e-mail without local part", dict(CREATE, customer_email="@example.com"), X),
    ("orders/commands/create", "e-mail without domain", dict(CREATE, customer_email="ana@"), X),
    ("orders/commands/create", "e-mail over 254 characters", dict(CREATE, customer_email="a" * 243 + "@example.com"), X),
    ("orders/commands/create", "not an object", ["TRK-1"], X),
    # --- orders/commands/assign
    ("orders/commands/assign", "README example", {"order_id": OID, "driver_id": "driver-7"}, V),
    ("orders/commands/assign", "any UUID, either case", {"order_id": "3F2504E0-4F89-41D3-9A0C-0305E82C3301", "driver_id": "d"}, V),
    ("orders/commands/assign", "driver_id missing", {"order_id": OID}, X),
    ("orders/commands/assign", "driver_id null", {"order_id": OID, "driver_id": None}, X),
    ("orders/commands/assign", "driver_id empty", {"order_id": OID, "driver_id": ""}, X),
    ("orders/commands/assign", "driver_id blank", {"order_id": OID, "driver_id": " \t"}, X),
    ("orders/commands/assign", "driver_id over 100 characters", {"order_id": OID, "driver_id": "d" * 101}, X),
    ("orders/commands/assign", "malformed order_id", {"order_id": "123", "driver_id": "driver-7"}, X),
    ("orders/commands/assign", "unknown field", {"order_id": OID, "driver_id": "driver-7", "vehicle": "van"}, X),
    # --- orders/commands/dispatch, deliver
    ("orders/commands/dispatch", "order_id", {"order_id": OID}, V),
    ("orders/commands/dispatch", "empty body", {}, X),
    ("orders/commands/dispatch", "order_id null", {"order_id": None}, X),
    ("orders/commands/dispatch", "malformed order_id", {"order_id": "nope"}, X),
    ("orders/commands/dispatch", "unknown field", {"order_id": OID, "driver_id": "driver-7"}, X),
    ("orders/commands/deliver", "order_id", {"order_id": OID}, V),
    ("orders/commands/deliver", "empty body", {}, X),
    ("orders/commands/deliver", "order_id a number", {"order_id": 7}, X),
    ("orders/commands/deliver", "unknown field", {"order_id": OID, "signature": "x"}, X),
    # --- orders/commands/cancel
    ("orders/commands/cancel", "no reason", {"order_id": OID}, V),
    ("orders/commands/cancel", "reason null", {"order_id": OID, "reason": None}, V),
    ("orders/commands/cancel", "empty reason", {"order_id": OID, "reason": ""}, V),
    ("orders/commands/cancel", "reason of 500 characters", {"order_id": OID, "reason": "ł" * 500}, V),
    ("orders/commands/cancel", "reason over 500 characters", {"order_id": OID, "reason": "ł" * 501}, X),
    ("orders/commands/cancel", "reason not a string", {"order_id": OID, "reason": 5}, X),
    ("orders/commands/cancel", "order_id missing", {"reason": "customer asked"}, X),
    ("orders/commands/cancel", "unknown field", {"order_id": OID, "refund": True}, X),
    # --- orders/queries/get
    ("orders/queries/get", "by order_id", {"order_id": OID}, V),
    ("orders/queries/get", "by tracking_number", {"tracking_number": "TRK-1"}, V),
    ("orders/queries/get", "by tracking_number, order_id null", {"order_id": None, "tracking_number": "TRK-1"}, V),
    ("orders/queries/get", "empty tracking_number: not found, not bad", {"tracking_number": ""}, V),
    ("orders/queries/get", "both", {"order_id": OID, "tracking_number": "TRK-1"}, X),
    ("orders/queries/get", "neither", {}, X),
    ("orders/queries/get", "both null", {"order_id": None, "tracking_number": None}, X),
    ("orders/queries/get", "malformed order_id", {"order_id": "TRK-1"}, X),
    ("orders/queries/get", "tracking_number a number", {"tracking_number": 1}, X),
    ("orders/queries/get", "unknown field", {"order_id": OID, "customer_name": "Ana"}, X),
    # --- orders/queries/list
    ("orders/queries/list", "everything", {}, V),
    ("orders/queries/list", "every filter", {"status": "CREATED", "customer_name": "Ana", "limit": 500, "cursor": CURSOR}, V),
    ("orders/queries/list", "every field null", {"status": None, "customer_name": None, "limit": None, "cursor": None}, V),
    ("orders/queries/list", "limit 0", {"limit": 0}, X),
    ("orders/queries/list", "limit 501", {"limit": 501}, X),
    ("orders/queries/list", "limit as a string", {"limit": "20"}, X),
    ("orders/queries/list", "limit with a fraction", {"limit": 2.5}, X),
    ("orders/queries/list", "status in lower case", {"status": "created"}, X),
    ("orders/queries/list", "empty cursor", {"cursor": ""}, X),
    ("orders/queries/list", "cursor outside base64url", {"cursor": "not a cursor!"}, X),
    ("orders/queries/list", "unknown field", {"offset": 10}, X),
    ("orders/queries/list", "customer_name not a string", {"customer_name": ["Ana"]}, X),
    # --- orders/replies/list
    ("orders/replies/list", "last page", {"orders": [order()], "next_cursor": None}, V),
    ("orders/replies/list", "empty", {"orders": [], "next_cursor": None}, V),
    ("orders/replies/list", "a page with more after it", PAGE, V),
    ("orders/replies/list", "next_cursor missing", {"orders": []}, X),
    ("orders/replies/list", "an invalid order in it", {"orders": [order(version=0)], "next_cursor": None}, X),
    ("orders/replies/list", "empty next_cursor", {"orders": [], "next_cursor": ""}, X),
    ("orders/replies/list", "extra member", dict(PAGE, total=2), X),
    ("orders/replies/list", "oldest first (invariant)", dict(PAGE, orders=PAGE["orders"][::-1]), X),
    # --- orders/events/*
    ("orders/events/created", "README-style", event("created"), V),
    ("orders/events/created", "with trace context", event("created", traceparent=TRACEPARENT, tracestate="congo=t61rcWkgMzE"), V),
    ("orders/events/created", "another event's type", event("created", type="logistics.order.assigned.v1"), X),
    ("orders/events/created", "version 2", event("created", {"version": 2}), X),
    ("orders/events/created", "another source", event("created", source="/logistics/payments"), X),
    ("orders/events/created", "subject is not the order (invariant)", event("created", subject=OID_NEWER), X),
    ("orders/events/assigned", "ASSIGNED", event("assigned"), V),
    ("orders/events/assigned", "PAID stays PAID", event("assigned", {"status": "PAID"}), V),
    ("orders/events/assigned", "status CREATED", event("assigned", {"status": "CREATED", "driver_id": None}), X),
    ("orders/events/assigned", "PAID but no driver", event("assigned", {"status": "PAID", "driver_id": None}), X),
    ("orders/events/assigned", "aggregateversion is not data.version (invariant)", event("assigned", aggregateversion=3), X),
    ("orders/events/paid", "with payment_id", event("paid"), V),
    ("orders/events/paid", "payment_id null", event("paid", {"payment_id": None}), V),
    ("orders/events/paid", "payment_id missing", event("paid", drop_data=("payment_id",)), X),
    ("orders/events/paid", "status ASSIGNED", event("paid", {"status": "ASSIGNED"}), X),
    ("orders/events/paid", "an extra data member", event("paid", {"reason": None}), X),
    ("orders/events/dispatched", "IN_TRANSIT", event("dispatched"), V),
    ("orders/events/dispatched", "status PAID", event("dispatched", {"status": "PAID"}), X),
    ("orders/events/dispatched", "data with payment_id", event("dispatched", {"payment_id": PID}), X),
    ("orders/events/dispatched", "time is not data.updated_at (invariant)", event("dispatched", time=T0), X),
    ("orders/events/delivered", "DELIVERED", event("delivered"), V),
    ("orders/events/delivered", "status IN_TRANSIT", event("delivered", {"status": "IN_TRANSIT"}), X),
    ("orders/events/delivered", "no driver", event("delivered", {"driver_id": None}), X),
    ("orders/events/delivered", "data missing", event("delivered", data=DROP), X),
    ("orders/events/cancelled", "with a reason", event("cancelled"), V),
    ("orders/events/cancelled", "no reason", event("cancelled", {"reason": None, "cancellation_reason": None}), V),
    ("orders/events/cancelled", "reason missing", event("cancelled", drop_data=("reason",)), X),
    ("orders/events/cancelled", "status CREATED", event("cancelled", {"status": "CREATED", "cancellation_reason": None, "reason": None}), X),
    ("orders/events/cancelled", "reason over 500 characters", event("cancelled", {"reason": "x" * 501, "cancellation_reason": "x" * 501}), X),
    ("orders/events/cancelled", "reason is not cancellation_reason (invariant)", event("cancelled", {"reason": "other"}), X),
    # --- payments/payment
    ("payments/payment", "README example", payment(), V),
    ("payments/payment", "confirmed, smallest amount", payment(status="CONFIRMED", amount="0.01", updated_at=T1, version=2), V),
    ("payments/payment", "largest amount, another currency", payment(amount="99999999.99", currency="EUR"), V),
    ("payments/payment", "failed with a reason", PAYMENT_AFTER["failed"], V),
    ("payments/payment", "refunded with a reason", PAYMENT_AFTER["refunded"], V),
    ("payments/payment", "refunded without a reason", payment(status="REFUNDED", updated_at=T1, version=3), V),
    ("payments/payment", "refunded with an empty reason (kept as given)", payment(status="REFUNDED", refund_reason="", updated_at=T1, version=3), V),
    ("payments/payment", "Unicode reason at the length limit", payment(status="FAILED", failure_reason="ł" * 500, updated_at=T1, version=2), V),
    ("payments/payment", "amount as a number", payment(amount=100), X),
    ("payments/payment", "amount with one decimal", payment(amount="100.5"), X),
    ("payments/payment", "amount without decimals", payment(amount="100"), X),
    ("payments/payment", "amount with a leading zero", payment(amount="07.50"), X),
    ("payments/payment", "amount zero", payment(amount="0.00"), X),
    ("payments/payment", "amount above 99999999.99", payment(amount="100000000.00"), X),
    ("payments/payment", "amount negative", payment(amount="-5.00"), X),
    ("payments/payment", "amount with a trailing newline", payment(amount="5.00\n"), X),
    ("payments/payment", "currency in lower case", payment(currency="usd"), X),
    ("payments/payment", "currency of 4 letters", payment(currency="USDT"), X),
    ("payments/payment", "currency with a trailing newline", payment(currency="USD\n"), X),
    ("payments/payment", "currency null", payment(currency=None), X),
    ("payments/payment", "unknown status", payment(status="CAPTURED"), X),
    ("payments/payment", "status in lower case", payment(status="pending"), X),
    ("payments/payment", "FAILED without a failure_reason", payment(status="FAILED", updated_at=T1, version=2), X),
    ("payments/payment", "FAILED with a blank failure_reason", payment(status="FAILED", failure_reason=" \t", updated_at=T1, version=2), X),
    ("payments/payment", "failure_reason over 500 characters", payment(status="FAILED", failure_reason="ł" * 501, updated_at=T1, version=2), X),
    ("payments/payment", "failure_reason while not FAILED", payment(status="CONFIRMED", failure_reason="x", updated_at=T1, version=2), X),
    ("payments/payment", "refund_reason while not REFUNDED", payment(refund_reason="x"), X),
    ("payments/payment", "refund_reason over 500 characters", payment(status="REFUNDED", refund_reason="x" * 501, updated_at=T1, version=3), X),
    ("payments/payment", "refund_reason omitted instead of null", without(payment(), "refund_reason"), X),
    ("payments/payment", "extra field", payment(reason=None), X),
    ("payments/payment", "version 0", payment(version=0), X),
    ("payments/payment", "payment_id not a generated v7", payment(payment_id=PID.upper()), X),
    ("payments/payment", "order_id a v4 UUID", payment(order_id="3f2504e0-4f89-41d3-9a0c-0305e82c3301"), X),
    ("payments/payment", "updated_at not UTC", payment(updated_at="2026-11-25T10:30:00.123+01:00"), X),
    ("payments/payment", "updated before created (invariant)", payment(updated_at="2026-11-25T09:29:59.999Z"), X),
    # --- payments/commands/register
    # Amounts as numbers: the service decides on the number's shortest text, exactly; multipleOf
    # 0.01 on doubles only approximates that (this validator refuses 19.99 and 0.07, which the
    # service accepts, and passes 0.35000000000000003, which it refuses): see schemas/README.md.
    # The number examples below are ones where both agree.
    ("payments/commands/register", "amount as a string", REGISTER, V),
    ("payments/commands/register", "amount as a number, currency", dict(REGISTER, amount=49.9, currency="EUR"), V),
    ("payments/commands/register", "integer amount", dict(REGISTER, amount=100), V),
    ("payments/commands/register", "smallest amount, as a number", dict(REGISTER, amount=0.01), V),
    ("payments/commands/register", "largest amount, as a number", dict(REGISTER, amount=99999999.99), V),
    ("payments/commands/register", "largest amount, as a string", dict(REGISTER, amount="99999999.99"), V),
    ("payments/commands/register", "integral float (also 1e2): read as \"100.0\"", dict(REGISTER, amount=100.0), V),
    ("payments/commands/register", "one decimal", dict(REGISTER, amount="100.5"), V),
    ("payments/commands/register", "no decimals", dict(REGISTER, amount="100"), V),
    ("payments/commands/register", "leading zeros", dict(REGISTER, amount="007.50"), V),
    ("payments/commands/register", "leading zeros before 8 digits", dict(REGISTER, amount="0099999999.99"), V),
    ("payments/commands/register", "currency null means USD", dict(REGISTER, currency=None), V),
    ("payments/commands/register", "any UUID, either case", dict(REGISTER, order_id=OID.upper()), V),
    ("payments/commands/register", "made-up currency (not checked against ISO 4217)", dict(REGISTER, currency="XYZ"), V),
    ("payments/commands/register", "amount missing", without(REGISTER, "amount"), X),
    ("payments/commands/register", "amount null", dict(REGISTER, amount=None), X),
    ("payments/commands/register", "order_id missing", without(REGISTER, "order_id"), X),
    ("payments/commands/register", "malformed order_id", dict(REGISTER, order_id="order-1"), X),
    ("payments/commands/register", "amount 0", dict(REGISTER, amount=0), X),
    ("payments/commands/register", "amount \"0.00\"", dict(REGISTER, amount="0.00"), X),
    ("payments/commands/register", "amount \"000\"", dict(REGISTER, amount="000"), X),
    ("payments/commands/register", "negative number", dict(REGISTER, amount=-5), X),
    ("payments/commands/register", "negative string", dict(REGISTER, amount="-5"), X),
    ("payments/commands/register", "three decimals, number", dict(REGISTER, amount=10.001), X),
    ("payments/commands/register", "three decimals, string", dict(REGISTER, amount="10.001"), X),
    ("payments/commands/register", "above 99999999.99, number", dict(REGISTER, amount=100000000), X),
    ("payments/commands/register", "above 99999999.99, string", dict(REGISTER, amount="100000000"), X),
    ("payments/commands/register", "above 99999999.99 with leading zeros", dict(REGISTER, amount="00100000000.00"), X),
    ("payments/commands/register", "exponent in a string", dict(REGISTER, amount="1e2"), X),
    ("payments/commands/register", "plus sign", dict(REGISTER, amount="+1"), X),
    ("payments/commands/register", "no digit before the point", dict(REGISTER, amount=".5"), X),
    ("payments/commands/register", "no digit after the point", dict(REGISTER, amount="5."), X),
    ("payments/commands/register", "padded", dict(REGISTER, amount=" 5"), X),
    ("payments/commands/register", "trailing newline", dict(REGISTER, amount="5\n"), X),
    ("payments/commands/register", "decimal comma", dict(REGISTER, amount="5,50"), X),
    ("payments/commands/register", "not a number", dict(REGISTER, amount="abc"), X),
    ("payments/commands/register", "amount a boolean", dict(REGISTER, amount=True), X),
    ("payments/commands/register", "currency in lower case", dict(REGISTER, currency="usd"), X),
    ("payments/commands/register", "currency of 2 letters", dict(REGISTER, currency="US"), X),
    ("payments/commands/register", "currency empty", dict(REGISTER, currency=""), X),
    ("payments/commands/register", "unknown field", dict(REGISTER, method="card"), X),
    ("payments/commands/register", "not an object", ["100.00"], X),
    # --- payments/commands/confirm
    ("payments/commands/confirm", "payment_id", {"payment_id": PID}, V),
    ("payments/commands/confirm", "any UUID, either case", {"payment_id": "3F2504E0-4F89-41D3-9A0C-0305E82C3301"}, V),
    ("payments/commands/confirm", "empty body", {}, X),
    ("payments/commands/confirm", "payment_id null", {"payment_id": None}, X),
    ("payments/commands/confirm", "malformed payment_id", {"payment_id": "pay-1"}, X),
    ("payments/commands/confirm", "order_id instead", {"order_id": OID}, X),
    ("payments/commands/confirm", "unknown field", {"payment_id": PID, "amount": "1.00"}, X),
    # --- payments/commands/fail
    ("payments/commands/fail", "with a reason", {"payment_id": PID, "reason": "card declined"}, V),
    ("payments/commands/fail", "Unicode reason at the limit", {"payment_id": PID, "reason": "ł" * 500}, V),
    ("payments/commands/fail", "only non-ASCII space: the service does not count it as blank", {"payment_id": PID, "reason": "\u00a0"}, V),
    ("payments/commands/fail", "reason missing", {"payment_id": PID}, X),
    ("payments/commands/fail", "reason null", {"payment_id": PID, "reason": None}, X),
    ("payments/commands/fail", "reason empty", {"payment_id": PID, "reason": ""}, X),
    ("payments/commands/fail", "reason blank", {"payment_id": PID, "reason": " \t\r\n\u000b\f"}, X),
    ("payments/commands/fail", "reason over 500 characters", {"payment_id": PID, "reason": "ł" * 501}, X),
    ("payments/commands/fail", "reason not a string", {"payment_id": PID, "reason": 5}, X),
    ("payments/commands/fail", "payment_id missing", {"reason": "card declined"}, X),
    ("payments/commands/fail", "unknown field", {"payment_id": PID, "reason": "card declined", "code": "51"}, X),
    # --- payments/commands/refund
    ("payments/commands/refund", "no reason", {"payment_id": PID}, V),
    ("payments/commands/refund", "reason null", {"payment_id": PID, "reason": None}, V),
    ("payments/commands/refund", "empty reason", {"payment_id": PID, "reason": ""}, V),
    ("payments/commands/refund", "reason of 500 characters", {"payment_id": PID, "reason": "ł" * 500}, V),
    ("payments/commands/refund", "reason over 500 characters", {"payment_id": PID, "reason": "ł" * 501}, X),
    ("payments/commands/refund", "reason not a string", {"payment_id": PID, "reason": ["goodwill"]}, X),
    ("payments/commands/refund", "payment_id missing", {"reason": "goodwill"}, X),
    ("payments/commands/refund", "unknown field", {"payment_id": PID, "amount": "5.00"}, X),
    # --- payments/queries/get
    ("payments/queries/get", "by payment_id", {"payment_id": PID}, V),
    ("payments/queries/get", "uppercase payment_id", {"payment_id": PID.upper()}, V),
    ("payments/queries/get", "neither", {}, X),
    ("payments/queries/get", "payment_id null", {"payment_id": None}, X),
    ("payments/queries/get", "malformed payment_id", {"payment_id": PID + "0"}, X),
    ("payments/queries/get", "by order_id (use payments.query.list)", {"order_id": OID}, X),
    ("payments/queries/get", "unknown field", {"payment_id": PID, "order_id": OID}, X),
    # --- payments/queries/list
    ("payments/queries/list", "everything", {}, V),
    ("payments/queries/list", "every filter", {"order_id": OID, "status": "REFUNDED", "limit": 500, "cursor": PCURSOR}, V),
    ("payments/queries/list", "every field null", {"order_id": None, "status": None, "limit": None, "cursor": None}, V),
    ("payments/queries/list", "limit 1", {"limit": 1}, V),
    ("payments/queries/list", "limit 0", {"limit": 0}, X),
    ("payments/queries/list", "limit 501", {"limit": 501}, X),
    ("payments/queries/list", "limit as a string", {"limit": "20"}, X),
    ("payments/queries/list", "limit with a fraction", {"limit": 2.5}, X),
    ("payments/queries/list", "status in lower case", {"status": "pending"}, X),
    ("payments/queries/list", "an order status", {"status": "PAID"}, X),
    ("payments/queries/list", "malformed order_id", {"order_id": "TRK-1"}, X),
    ("payments/queries/list", "empty cursor", {"cursor": ""}, X),
    ("payments/queries/list", "cursor outside base64url", {"cursor": "not a cursor!"}, X),
    ("payments/queries/list", "orders-only filter", {"customer_name": "Ana"}, X),
    # --- payments/replies/list
    ("payments/replies/list", "last page", {"payments": [payment()], "next_cursor": None}, V),
    ("payments/replies/list", "empty", {"payments": [], "next_cursor": None}, V),
    ("payments/replies/list", "a page with more after it", PAYMENT_PAGE, V),
    ("payments/replies/list", "next_cursor missing", {"payments": []}, X),
    ("payments/replies/list", "orders instead of payments", {"orders": [], "next_cursor": None}, X),
    ("payments/replies/list", "an invalid payment in it", {"payments": [payment(amount="1")], "next_cursor": None}, X),
    ("payments/replies/list", "empty next_cursor", {"payments": [], "next_cursor": ""}, X),
    ("payments/replies/list", "extra member", dict(PAYMENT_PAGE, total=2), X),
    ("payments/replies/list", "oldest first (invariant)", dict(PAYMENT_PAGE, payments=PAYMENT_PAGE["payments"][::-1]), X),
    # --- payments/events/*
    ("payments/events/registered", "README-style", payment_event("registered"), V),
    ("payments/events/registered", "with trace context", payment_event("registered", traceparent=TRACEPARENT, tracestate="congo=t61rcWkgMzE"), V),
    ("payments/events/registered", "another event's type", payment_event("registered", type="logistics.payment.confirmed.v1"), X),
    ("payments/events/registered", "the orders source", payment_event("registered", source="/logistics/orders"), X),
    ("payments/events/registered", "version 2", payment_event("registered", {"version": 2}), X),
    ("payments/events/registered", "status CONFIRMED", payment_event("registered", {"status": "CONFIRMED"}), X),
    ("payments/events/registered", "data with reason", payment_event("registered", {"reason": None}), X),
    ("payments/events/registered", "amount as a number", payment_event("registered", {"amount": 100}), X),
    ("payments/events/registered", "subject is not the payment (invariant)", payment_event("registered", subject=PID_NEWER), X),
    ("payments/events/registered", "subject is the order (invariant)", payment_event("registered", subject=OID), X),
    ("payments/events/confirmed", "CONFIRMED", payment_event("confirmed"), V),
    ("payments/events/confirmed", "status PENDING", payment_event("confirmed", {"status": "PENDING"}), X),
    ("payments/events/confirmed", "data with reason", payment_event("confirmed", {"reason": None}), X),
    ("payments/events/confirmed", "aggregateversion is not data.version (invariant)", payment_event("confirmed", aggregateversion=3), X),
    ("payments/events/confirmed", "time is not data.updated_at (invariant)", payment_event("confirmed", time=T0), X),
    ("payments/events/failed", "with a reason", payment_event("failed"), V),
    ("payments/events/failed", "compensation of a cancelled order", payment_event("failed", {"reason": "order cancelled", "failure_reason": "order cancelled"}), V),
    ("payments/events/failed", "reason null", payment_event("failed", {"reason": None}), X),
    ("payments/events/failed", "reason missing", payment_event("failed", drop_data=("reason",)), X),
    ("payments/events/failed", "reason blank", payment_event("failed", {"reason": " ", "failure_reason": " "}), X),
    ("payments/events/failed", "failure_reason null", payment_event("failed", {"failure_reason": None}), X),
    ("payments/events/failed", "status PENDING", payment_event("failed", {"status": "PENDING", "failure_reason": None}), X),
    ("payments/events/failed", "an extra data member", payment_event("failed", {"payment_method": "card"}), X),
    ("payments/events/failed", "reason is not failure_reason (invariant)", payment_event("failed", {"reason": "other"}), X),
    ("payments/events/refunded", "with a reason", payment_event("refunded"), V),
    ("payments/events/refunded", "no reason", payment_event("refunded", {"reason": None, "refund_reason": None}), V),
    ("payments/events/refunded", "empty reason", payment_event("refunded", {"reason": "", "refund_reason": ""}), V),
    ("payments/events/refunded", "reason missing", payment_event("refunded", drop_data=("reason",)), X),
    ("payments/events/refunded", "status CONFIRMED", payment_event("refunded", {"status": "CONFIRMED", "refund_reason": None, "reason": None}), X),
    ("payments/events/refunded", "reason over 500 characters", payment_event("refunded", {"reason": "x" * 501, "refund_reason": "x" * 501}), X),
    ("payments/events/refunded", "reason is not refund_reason (invariant)", payment_event("refunded", {"reason": None}), X),
    ("payments/events/refunded", "data missing", payment_event("refunded", data=DROP), X),
    # --- micro/v1: the NATS service API (ADR-32) replies
    ("micro/v1/ping_response", "an instance", MICRO_PING, V),
    ("micro/v1/ping_response", "null metadata", dict(MICRO_PING, metadata=None), V),
    ("micro/v1/ping_response", "version is not SemVer", dict(MICRO_PING, version="1.0"), X),
    ("micro/v1/ping_response", "another type", dict(MICRO_PING, type="io.nats.micro.v1.info_response"), X),
    ("micro/v1/ping_response", "name with a dot", dict(MICRO_PING, name="orders.svc"), X),
    ("micro/v1/info_response", "with endpoints", MICRO_INFO, V),
    ("micro/v1/info_response", "no description", without(MICRO_INFO, "description"), X),
    ("micro/v1/info_response", "endpoint without subject", dict(MICRO_INFO, endpoints=[{"name": "create"}]), X),
    ("micro/v1/stats_response", "with endpoint figures", MICRO_STATS, V),
    ("micro/v1/stats_response", "no started", without(MICRO_STATS, "started"), X),
    ("micro/v1/stats_response", "num_requests as text", dict(MICRO_STATS, endpoints=[dict(MICRO_STATS["endpoints"][0], num_requests="3")]), X),
    ("micro/v1/stats_response", "last_error missing", dict(MICRO_STATS, endpoints=[without(MICRO_STATS["endpoints"][0], "last_error")]), X),
    ("micro/v1/info_response", "endpoint metadata naming its schemas", dict(MICRO_INFO, endpoints=[dict(MICRO_INFO["endpoints"][0], metadata={"request_schema": "orders/commands/create.json", "reply_schema": "orders/order.json"})]), V),
    # --- every service's status query and admin endpoints (schemas/asyncapi.yaml)
    ("service/queries/status", "an empty body", {}, V),
    ("service/replies/status", "the figures", STATUS, V),
    ("service/replies/status", "no outbox", without(STATUS, "outbox"), X),
    ("service/replies/status", "a consumer without its stream", dict(STATUS, consumers={"orders-payments": {"processed": 1}}), X),
    ("admin/dead-letters/requests/list", "empty", {}, V),
    ("admin/dead-letters/requests/list", "one consumer, nulls", {"consumer": "orders-payments", "limit": None, "cursor": None}, V),
    ("admin/dead-letters/requests/list", "limit 501", {"limit": 501}, X),
    ("admin/dead-letters/requests/list", "unknown field", {"status": "x"}, X),
    ("admin/dead-letters/requests/show", "by event id", {"event_id": EVENT_ID}, V),
    ("admin/dead-letters/requests/show", "blank event id", {"event_id": "  "}, X),
    ("admin/dead-letters/requests/requeue", "who and why", {"event_id": EVENT_ID, "consumer": "c", "by": "ana", "reason": "fixed"}, V),
    ("admin/dead-letters/requests/requeue", "no event id", {"by": "ana"}, X),
    ("admin/dead-letters/requests/discard", "who and why", {"event_id": EVENT_ID, "by": "ana", "reason": "gone"}, V),
    ("admin/dead-letters/requests/discard", "no reason", {"event_id": EVENT_ID, "by": "ana"}, X),
    ("admin/dead-letters/replies/list", "one page", {"dead_letters": [DEAD_LETTER], "next_cursor": "bzE6MQ"}, V),
    ("admin/dead-letters/replies/list", "a letter with its event", {"dead_letters": [dict(DEAD_LETTER, event={})], "next_cursor": None}, X),
    ("admin/dead-letters/replies/show", "with its event", dict(DEAD_LETTER, event={"id": EVENT_ID}), V),
    ("admin/dead-letters/replies/show", "not JSON", dict(DEAD_LETTER, event=None, payload="{oops"), V),
    ("admin/dead-letters/replies/show", "event missing", DEAD_LETTER, X),
    ("admin/dead-letters/replies/requeue", "applied", {"consumer": "c", "event_id": EVENT_ID, "outcome": "applied", "requeued_at": "2026-11-25T09:30:00.123Z", "by": "", "reason": ""}, V),
    ("admin/dead-letters/replies/requeue", "outcome discarded", {"consumer": "c", "event_id": EVENT_ID, "outcome": "discarded", "requeued_at": "2026-11-25T09:30:00.123Z", "by": "", "reason": ""}, X),
    ("admin/dead-letters/replies/discard", "discarded", {"consumer": "c", "event_id": EVENT_ID, "outcome": "discarded", "discarded_at": "2026-11-25T09:30:00.123Z", "by": "ana", "reason": "gone"}, V),
    ("admin/dead-letters/replies/discard", "no by", {"consumer": "c", "event_id": EVENT_ID, "outcome": "discarded", "discarded_at": "2026-11-25T09:30:00.123Z", "reason": "gone"}, X),
    ("admin/parked/requests/list", "empty", {}, V),
    ("admin/parked/requests/list", "limit 0", {"limit": 0}, X),
    ("admin/parked/requests/show", "by event id", {"event_id": EVENT_ID}, V),
    ("admin/parked/requests/show", "no event id", {}, X),
    ("admin/parked/requests/requeue", "everything", {}, V),
    ("admin/parked/requests/requeue", "blank aggregate", {"aggregate": " "}, X),
    ("admin/parked/requests/discard", "who and why", {"event_id": EVENT_ID, "by": "ana", "reason": "duplicate"}, V),
    ("admin/parked/requests/discard", "no by", {"event_id": EVENT_ID, "reason": "duplicate"}, X),
    ("admin/parked/replies/list", "last page", {"parked": [PARKED]}, V),
    ("admin/parked/replies/list", "null cursor", {"parked": [], "next_cursor": None}, X),
    ("admin/parked/replies/show", "one event", PARKED, V),
    ("admin/parked/replies/show", "no attempts", without(PARKED, "attempts"), X),
    ("admin/parked/replies/requeue", "every aggregate", {"event_id": None, "aggregate": "(all)", "outcome": "requeued", "requeued_at": "2026-11-25T09:30:00.123Z", "requeued_from_outbox_id": 3, "by": None, "reason": None}, V),
    ("admin/parked/replies/requeue", "no outbox id", {"event_id": None, "aggregate": "(all)", "outcome": "requeued", "requeued_at": "2026-11-25T09:30:00.123Z", "by": None, "reason": None}, X),
    ("admin/parked/replies/discard", "discarded", dict(PARKED, discarded_at="2026-11-25T09:30:00.123Z", by="ana", reason="duplicate"), V),
    ("admin/parked/replies/discard", "no reason", dict(PARKED, discarded_at="2026-11-25T09:30:00.123Z", by="ana"), X),
]

# Least examples per schema: (valid, invalid).
MINIMUM = {"orders/commands/": (1, 2), "orders/queries/": (1, 2), "orders/events/": (1, 2),
           "payments/commands/": (1, 2), "payments/queries/": (1, 2), "payments/events/": (1, 2),
           # The status query ignores its body: no body is invalid.
           "service/queries/status": (1, 0)}


def run_examples(schemas):
    failures = []
    count = 0
    seen = {}
    for name, what, document, valid in EXAMPLES:
        try:
            url = schemas.canonical(name)
        except SchemaProblem as problem:
            failures.append(f"{name}: example '{what}': {problem}")
            continue
        problems = schemas.errors(url, copy.deepcopy(document))
        count += 1
        tally = seen.setdefault(url.partition("#")[0], [0, 0])
        tally[0 if valid else 1] += 1
        if valid and problems:
            failures.append(f"{name}: example '{what}' should be valid but:\n    " + "\n    ".join(problems))
        elif not valid and not problems:
            failures.append(f"{name}: example '{what}' should be invalid but passed:\n    "
                            + json.dumps(document, ensure_ascii=False)[:300])
    # The schemas' own `examples` must be valid too.
    for schema_id, schema in schemas.by_id.items():
        for i, document in enumerate(schema.get("examples", [])):
            count += 1
            problems = schemas.errors(schema_id, copy.deepcopy(document))
            if problems:
                failures.append(f"{schemas.path_of[schema_id]}: examples[{i}] is not valid:\n    " + "\n    ".join(problems))
    for schema_id in schemas.by_id:
        short = schema_id[len(BASE):]
        valid_count, invalid_count = seen.get(schema_id, [0, 0])
        need = next((n for prefix, n in MINIMUM.items() if short.startswith(prefix)), (1, 1))
        if valid_count < need[0] or invalid_count < need[1]:
            failures.append(f"{short}: has {valid_count} valid and {invalid_count} invalid examples in "
                            f"check_schemas.py; needs at least {need[0]} and {need[1]}")
    return count, failures


# --------------------------------------------------------------------------- CLI


def validate(schema, document, schemas_dir=DEFAULT_DIR):
    """Problems of `document` (parsed JSON) against `schema` (id or short name); [] if valid."""
    return _cached(schemas_dir).errors(schema, document)


_CACHE = {}


def _cached(schemas_dir):
    key = str(pathlib.Path(schemas_dir).resolve())
    if key not in _CACHE:
        _CACHE[key] = Schemas(schemas_dir)
    return _CACHE[key]


def _read(source):
    if source == "-":
        return sys.stdin.read()
    return pathlib.Path(source).read_text(encoding="utf-8")


def _usage(message):
    print(f"check_schemas.py: {message}\n\n{__doc__.split('Besides')[0].strip()}", file=sys.stderr)
    return 2


def main(argv):
    args = list(argv)
    mode = None
    if "-h" in args or "--help" in args:
        print(__doc__)
        return 0
    for flag in ("--validate", "--validate-lines"):
        if flag in args:
            i = args.index(flag)
            if len(args) < i + 3:
                return _usage(f"{flag} needs SCHEMA and FILE (or - for stdin)")
            mode, schema_name, source = flag, args[i + 1], args[i + 2]
            del args[i:i + 3]
            break
    if len(args) > 1 or any(a.startswith("-") for a in args):
        return _usage(f"unexpected arguments: {' '.join(args)}")
    schemas_dir = args[0] if args else DEFAULT_DIR

    try:
        schemas = Schemas(schemas_dir)
    except SchemaProblem as problem:
        print(f"schemas broken ({schemas_dir}):\n{problem}", file=sys.stderr)
        return 1 if mode is None else 2

    if mode is None:
        count, failures = run_examples(schemas)
        if failures:
            print(f"schemas FAILED: {len(failures)} problem(s)\n" + "\n".join(failures), file=sys.stderr)
            return 1
        print(f"schemas ok: {len(schemas.by_id)} schemas, {count} examples")
        return 0

    try:
        url = schemas.canonical(schema_name)
        text = _read(source)
    except (SchemaProblem, OSError) as problem:
        print(f"check_schemas.py: {problem}", file=sys.stderr)
        return 2
    if mode == "--validate":
        documents = [(None, text)]
    else:
        documents = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    bad = 0
    for line, raw in documents:
        label = source if line is None else f"{source}:{line}"
        try:
            document = parse_json(raw)
        except ValueError as error:
            problems = [f"not valid JSON: {error}"]
        else:
            problems = schemas.errors(url, document)
        if problems:
            bad += 1
            print(f"{label}: invalid against {url}:\n  " + "\n  ".join(problems), file=sys.stderr)
    if bad:
        return 1
    print(f"valid against {url}: {len(documents)} document(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

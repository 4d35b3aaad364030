#!/usr/bin/python3
"""tests/chaos/checker.py: the chaos suite's judge. It shares no code with the services.

It reads, after the services have stopped:
  * the streams ORDERS and PAYMENTS, every message, through a NATS client (natsclient.py),
    and the server's view of the four durable consumers;
  * the services' SQLite files, copied first and opened read-only (python3's sqlite3);
  * the mail folder (.eml files);
  * what the run recorded: run.json (faults, lifecycles, drain, shutdown) and replies.jsonl
    (every acknowledged command reply).
and checks the invariants listed in INVARIANTS. Each broken one is named, with the aggregate,
the event and the log lines involved.

Standalone (on a kept run directory, with its nats-server running on the same store):
    python3 tests/chaos/checker.py RUN_DIR --nats-url nats://127.0.0.1:PORT [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import email.parser
import email.policy
import json
import re
import shutil
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import natsclient as nats  # noqa: E402

STREAMS = ("ORDERS", "PAYMENTS")
CONSUMERS = (("ORDERS", "payments-orders"), ("PAYMENTS", "orders-payments"),
             ("ORDERS", "notifications-orders"), ("PAYMENTS", "notifications-payments"))
SERVICES = ("orders", "payments", "notifications")
# Which service's database holds which consumer's inbox.
CONSUMER_SERVICE = {"payments-orders": "payments", "orders-payments": "orders",
                    "notifications-orders": "notifications", "notifications-payments": "notifications"}
NOTIFYING = {"logistics.order.created.v1", "logistics.order.paid.v1", "logistics.order.dispatched.v1",
             "logistics.order.delivered.v1", "logistics.order.cancelled.v1", "logistics.payment.refunded.v1"}
VERB_EVENT = {"create": "created", "assign": "assigned", "dispatch": "dispatched", "deliver": "delivered",
              "cancel": "cancelled", "register": "registered", "confirm": "confirmed"}
LIVE_PAID = {"PAID", "IN_TRANSIT", "DELIVERED"}
EXPECTED_END = {"deliver": ("DELIVERED", "CONFIRMED"), "refund": ("CANCELLED", "REFUNDED"),
                "fail": ("CANCELLED", "FAILED")}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

INVARIANTS = {
    "ack_visible": "every acknowledged command's state is visible in its service's database",
    "ack_in_stream": "every acknowledged command's event is in the stream",
    "unique_event_ids": "no two stream messages carry the same event id",
    "msg_id_is_event_id": "every stream message's Nats-Msg-Id is its event id",
    "versions_in_order": "per aggregate, aggregateversion runs 1..N in stream order, no gap or repeat",
    "versions_reach_final": "per aggregate, the stream's last version N is the database's final version",
    "outbox_in_stream": "every outbox row (published or not) has its event in the stream",
    "outbox_empty": "no outbox row left unpublished",
    "payments_settled": "a live order's confirmed payment left it PAID or later; "
                        "a cancelled order's payments are REFUNDED or FAILED",
    "lifecycles_completed": "every lifecycle the workload started completed",
    "lifecycle_outcomes": "every completed lifecycle ended in its expected order and payment states",
    "commands_answered": "every command was answered with success (only timeouts, 503 and "
                         "no responders are retried)",
    "mail_exactly_once": "exactly one mail per notifying event of an order with an e-mail, and no other",
    "no_dead_letters": "no dead letters in any database",
    "consumers_caught_up": "the server holds nothing pending or unacknowledged for any durable consumer",
    "inbox_complete": "every event a consumer must apply is in its inbox (payments-orders and "
                      "notifications: every event of their stream; orders-payments: each order.paid's cause)",
    "projections_current": "payments' and notifications' projections hold each aggregate's final version",
    "drained": "the drain found outboxes empty and consumers caught up within its bound",
    "no_unexpected_exits": "no process died unless the suite killed it; every start became ready",
    "clean_shutdown": "every service stopped on SIGTERM with status 0 within its bound",
    "db_integrity": "PRAGMA quick_check is ok on every database",
}
MAX_EXAMPLES = 20


class Findings:
    def __init__(self):
        self.checked = Counter()
        self.broken: dict[str, list[dict]] = defaultdict(list)
        self.broken_count = Counter()

    def check(self, name: str, ok: bool, **example) -> bool:
        self.checked[name] += 1
        if not ok:
            self.broken_count[name] += 1
            if len(self.broken[name]) < MAX_EXAMPLES:
                self.broken[name].append(example)
        return ok


# ---- reading -------------------------------------------------------------------------------


async def read_streams(url: str) -> tuple[dict[str, list[dict]], dict[str, dict], dict[str, dict]]:
    client = await nats.NatsClient.connect(url, 5.0, "chaos-checker")
    try:
        streams: dict[str, list[dict]] = {}
        infos: dict[str, dict] = {}
        for stream in STREAMS:
            infos[stream] = (await nats.stream_info(client, stream, 10.0))["state"]
            messages = []
            for stored in await nats.read_stream(client, stream):
                try:
                    event = json.loads(stored.data)
                except ValueError:
                    event = {}
                messages.append({"stream": stream, "seq": stored.seq, "subject": stored.subject,
                                 "msg_id": stored.headers.get("Nats-Msg-Id"), "event": event})
            streams[stream] = messages
        consumers = {}
        for stream, durable in CONSUMERS:
            try:
                consumers[durable] = await nats.consumer_info(client, stream, durable, 5.0)
            except nats.NatsError as error:
                consumers[durable] = {"error": str(error)}
        return streams, infos, consumers
    finally:
        await client.close()


def open_copy(db: Path, copy_dir: Path) -> sqlite3.Connection | None:
    """Copies the database (with its -wal and -shm) and opens the copy read-only: the services'
    files are never opened by the checker."""
    if not db.exists():
        return None
    copy_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(db) + suffix)
        if source.exists():
            shutil.copy2(source, copy_dir / (db.name + suffix))
    connection = sqlite3.connect(f"file:{copy_dir / db.name}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


def rows(db: sqlite3.Connection | None, sql: str) -> list[sqlite3.Row]:
    if db is None:
        return []
    try:
        return db.execute(sql).fetchall()
    except sqlite3.Error:
        return []


def read_mail(mail_dir: Path) -> dict[str, list[dict]]:
    """Message-ID -> the .eml files carrying it."""
    by_id: dict[str, list[dict]] = defaultdict(list)
    if not mail_dir.is_dir():
        return by_id
    parser = email.parser.BytesParser(policy=email.policy.default)
    for path in sorted(mail_dir.glob("*.eml")):
        try:
            message = parser.parsebytes(path.read_bytes(), headersonly=True)
            message_id = str(message.get("Message-ID", "")).strip()
            by_id[message_id].append({"file": path.name, "to": str(message.get("To", "")),
                                      "subject": str(message.get("Subject", ""))})
        except Exception as error:  # an unreadable mail is itself a finding
            by_id[f"<unreadable {path.name}>"].append({"file": path.name, "error": str(error)})
    return by_id


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


# ---- checking ------------------------------------------------------------------------------


async def check(run_dir: Path, url: str) -> dict:
    run_dir = Path(run_dir)
    run = json.loads((run_dir / "run.json").read_text())
    replies = read_jsonl(run_dir / "replies.jsonl")
    streams, stream_states, consumers = await read_streams(url)
    copies = run_dir / "checker"
    dbs = {}
    for service in SERVICES:
        original = Path(run["databases"][service])
        if not original.exists() and (copies / original.name).exists():
            # A later look at a kept run whose database lived on a tmpfs, gone since: the copy
            # made by the first check is the evidence.
            connection = sqlite3.connect(f"file:{copies / original.name}?mode=ro", uri=True)
            connection.row_factory = sqlite3.Row
            dbs[service] = connection
        else:
            dbs[service] = open_copy(original, copies)
    mail_dir = Path(run["mail_dir"])
    if not mail_dir.is_dir() and (copies / "mail").is_dir():
        mail_dir = copies / "mail"
    mails = read_mail(mail_dir)
    if mail_dir.is_dir() and mail_dir != copies / "mail":  # keep the evidence (a tmpfs goes away)
        shutil.copytree(mail_dir, copies / "mail", dirs_exist_ok=True)
    f = Findings()

    # -- the streams by event and by aggregate
    all_messages = streams["ORDERS"] + streams["PAYMENTS"]
    by_event_id: dict[str, list[dict]] = defaultdict(list)
    by_aggregate: dict[str, list[dict]] = defaultdict(list)
    for message in all_messages:
        event = message["event"]
        by_event_id[event.get("id")].append(message)
        by_aggregate[event.get("subject")].append(message)
    for event_id, messages in by_event_id.items():
        first = messages[0]
        f.check("unique_event_ids", len(messages) == 1, aggregate=first["event"].get("subject"), event=event_id,
                detail=f"{len(messages)} messages carry it: " +
                ", ".join(f"{m['stream']} seq {m['seq']}" for m in messages))
    for message in all_messages:
        event = message["event"]
        f.check("msg_id_is_event_id", message["msg_id"] == event.get("id"), aggregate=event.get("subject"),
                event=event.get("id"), detail=f"{message['stream']} seq {message['seq']} has Nats-Msg-Id "
                f"{message['msg_id']!r}")
    stream_versions: dict[str, list[int]] = {}
    for aggregate, messages in by_aggregate.items():
        versions = [m["event"].get("aggregateversion") for m in messages]
        stream_versions[aggregate] = versions
        expected = list(range(1, len(versions) + 1))
        detail = ""
        if versions != expected:
            problems = []
            seen = set()
            for position, version in enumerate(versions):
                if version in seen:
                    problems.append(f"version {version} repeated")
                seen.add(version)
            missing = sorted(set(range(1, max(v for v in versions if isinstance(v, int)) + 1)) - seen) \
                if any(isinstance(v, int) for v in versions) else []
            if missing:
                problems.append(f"versions {missing} missing")
            if not problems:
                problems.append("out of order")
            detail = f"stream order {versions}: " + "; ".join(problems)
        f.check("versions_in_order", versions == expected, aggregate=aggregate,
                event=messages[0]["event"].get("id"), detail=detail,
                sequences=[f"{m['stream']}:{m['seq']}" for m in messages])

    # -- the databases
    orders = {r["order_id"]: dict(r) for r in rows(dbs["orders"], "SELECT * FROM orders")}
    payments = {r["payment_id"]: dict(r) for r in rows(dbs["payments"], "SELECT * FROM payments")}
    outbox_index: dict[tuple[str, int], str] = {}
    outbox_events: dict[str, str] = {}  # event id -> the service whose outbox holds it
    for service in ("orders", "payments"):
        for row in rows(dbs[service], "SELECT event_id, subject, payload, published_at FROM outbox ORDER BY id"):
            try:
                event = json.loads(row["payload"])
            except (ValueError, TypeError):
                event = {}
            outbox_index[(event.get("subject"), event.get("aggregateversion"))] = row["event_id"]
            outbox_events[row["event_id"]] = service
            found = row["event_id"] in by_event_id
            state = "published (PubAck'd)" if row["published_at"] is not None else "unpublished"
            f.check("outbox_in_stream", found, aggregate=event.get("subject"), event=row["event_id"],
                    detail=f"{service} outbox row {state}, {row['subject']} version "
                    f"{event.get('aggregateversion')}, is not in the stream")
            f.check("outbox_empty", row["published_at"] is not None, aggregate=event.get("subject"),
                    event=row["event_id"], detail=f"{service} outbox row still unpublished")
    for kind, table, key in (("order", orders, "order_id"), ("payment", payments, "payment_id")):
        for aggregate, row in table.items():
            versions = stream_versions.get(aggregate, [])
            last = max((v for v in versions if isinstance(v, int)), default=0)
            missing = [v for v in range(1, row["version"] + 1) if v not in versions]
            f.check("versions_reach_final", last == row["version"], aggregate=aggregate,
                    event=outbox_index.get((aggregate, row["version"])),
                    detail=f"{kind} {row['status']} at version {row['version']} in the database; "
                    f"the stream's last version is {last}" +
                    (f"; missing from the stream: versions {missing} (event ids " +
                     ", ".join(str(outbox_index.get((aggregate, v), "?")) for v in missing) + ")" if missing else ""))
    for aggregate in by_aggregate:
        known = aggregate in orders or aggregate in payments
        f.check("versions_reach_final", known, aggregate=aggregate, event=by_aggregate[aggregate][0]["event"].get("id"),
                detail="the stream has events of an aggregate no database holds")

    # -- acknowledged commands
    failed_commands = []
    for reply in replies:
        if reply.get("outcome") != "ok":
            failed_commands.append(reply)
            continue
        body = reply.get("reply", {})
        verb = reply["subject"].split(".")[-1]
        if reply["subject"].startswith("orders."):
            aggregate, table, status_field = body.get("order_id"), orders, "status"
        else:
            aggregate, table, status_field = body.get("payment_id"), payments, "status"
        version = body.get("version")
        row = table.get(aggregate)
        f.check("ack_visible", row is not None and row["version"] >= version, aggregate=aggregate,
                event=outbox_index.get((aggregate, version)),
                detail=f"{reply['subject']} (Nats-Msg-Id {reply['msg_id']}) acknowledged version {version} "
                f"{body.get(status_field)}; database: " +
                (f"version {row['version']} {row['status']}" if row else "no such row"))
        wanted_type = VERB_EVENT.get(verb)
        matches = [m for m in by_aggregate.get(aggregate, []) if m["event"].get("aggregateversion") == version]
        ok = any(m["event"].get("type", "").split(".")[2:3] == [wanted_type] for m in matches)
        f.check("ack_in_stream", ok, aggregate=aggregate, event=outbox_index.get((aggregate, version)),
                detail=f"{reply['subject']} (Nats-Msg-Id {reply['msg_id']}) acknowledged version {version}; "
                f"no {wanted_type} event with that version in the stream" +
                (f" (found {[m['event'].get('type') for m in matches]})" if matches else ""))
    for reply in replies:
        f.check("commands_answered", reply.get("outcome") == "ok", aggregate=None, event=None,
                lifecycle=reply.get("lifecycle"),
                detail=f"{reply['subject']} (Nats-Msg-Id {reply['msg_id']}) {reply.get('outcome')}"
                f"{' ' + str(reply.get('code')) if reply.get('code') else ''}: "
                f"{reply.get('error', '')[:200]}{' retried for ' + json.dumps(reply.get('retried_for')) if reply.get('retried_for') else ''}")

    # -- payments and their orders
    payments_by_order: dict[str, list[dict]] = defaultdict(list)
    for payment in payments.values():
        payments_by_order[payment["order_id"]].append(payment)
    for payment in payments.values():
        order = orders.get(payment["order_id"])
        if order is None:
            f.check("payments_settled", False, aggregate=payment["payment_id"], event=None,
                    detail=f"payment of an order orders does not hold ({payment['order_id']})")
            continue
        if order["status"] == "CANCELLED":
            ok = payment["status"] in ("REFUNDED", "FAILED")
            detail = f"order {order['order_id']} CANCELLED but payment {payment['status']}"
        elif payment["status"] == "CONFIRMED":
            ok = order["status"] in LIVE_PAID
            detail = f"payment CONFIRMED but order {order['order_id']} is {order['status']}"
        else:
            ok, detail = True, ""
        f.check("payments_settled", ok, aggregate=payment["payment_id"],
                event=outbox_index.get((payment["payment_id"], payment["version"])), detail=detail,
                order=order["order_id"])

    # -- lifecycles
    for lc in run.get("lifecycles", []):
        f.check("lifecycles_completed", lc.get("outcome") == "completed", aggregate=lc.get("order_id"),
                event=None, lifecycle=lc["index"],
                detail=f"{lc['kind']} lifecycle #{lc['index']} {lc.get('outcome')}: {lc.get('reason', '')}"
                + (f" (payment {lc['payment_id']})" if lc.get("payment_id") else ""))
        if lc.get("outcome") != "completed":
            continue
        order = orders.get(lc["order_id"], {})
        payment = payments.get(lc["payment_id"], {})
        want_order, want_payment = EXPECTED_END[lc["kind"]]
        f.check("lifecycle_outcomes", order.get("status") == want_order and payment.get("status") == want_payment,
                aggregate=lc["order_id"], event=None, lifecycle=lc["index"],
                detail=f"{lc['kind']}: order {order.get('status')} (want {want_order}), payment "
                f"{lc['payment_id']} {payment.get('status')} (want {want_payment})")

    # -- mail
    due: dict[str, dict] = {}
    for message in all_messages:
        event = message["event"]
        if event.get("type") not in NOTIFYING:
            continue
        data = event.get("data", {})
        order_id = data.get("order_id")
        order = orders.get(order_id, {})
        if order.get("customer_email"):
            due[f"<{event.get('id')}@logistics.example>"] = {"event": event.get("id"), "type": event.get("type"),
                                                             "aggregate": event.get("subject"), "order": order_id}
    sent = {r["event_id"] for r in rows(dbs["notifications"], "SELECT event_id FROM sent_notifications")}
    for message_id, what in due.items():
        files = mails.get(message_id, [])
        f.check("mail_exactly_once", len(files) == 1, aggregate=what["order"], event=what["event"],
                detail=f"{what['type']}: {len(files)} mails" + (f" ({', '.join(x['file'] for x in files)})" if files else "")
                + ("" if what["event"] in sent else "; no sent_notifications row"))
    for message_id, files in mails.items():
        if message_id not in due:
            match = UUID.search(message_id)
            event_id = match.group(0) if match else None
            why = "answers no notifying event of an order with an e-mail in the streams"
            if event_id in outbox_events and event_id not in by_event_id:
                why = (f"was sent for event {event_id}, which the {outbox_events[event_id]} outbox holds "
                       "but the stream lost after notifications consumed it")
            f.check("mail_exactly_once", False, aggregate=None, event=event_id,
                    detail=f"mail {message_id} ({', '.join(x['file'] for x in files)}) {why}")

    # -- dead letters, consumers, inboxes
    dead_by_consumer: dict[str, set[str]] = defaultdict(set)
    for service in SERVICES:
        for row in rows(dbs[service], "SELECT consumer, event_id, subject, stream_sequence, deliveries, error FROM dead_letters"):
            dead_by_consumer[row["consumer"]].add(row["event_id"])
            match = UUID.search(row["subject"] or "")
            f.check("no_dead_letters", False, aggregate=match.group(0) if match else None, event=row["event_id"],
                    detail=f"{service}: consumer {row['consumer']} dead-lettered {row['subject']} (stream seq "
                    f"{row['stream_sequence']}) after {row['deliveries']} deliveries: {row['error']}")
        f.check("no_dead_letters", True)
    for stream, durable in CONSUMERS:
        info = consumers.get(durable, {})
        ok = "error" not in info and not info.get("num_pending") and not info.get("num_ack_pending")
        f.check("consumers_caught_up", ok, aggregate=None, event=None,
                detail=f"{stream}/{durable}: " + (info["error"] if "error" in info else
                f"num_pending {info.get('num_pending')}, num_ack_pending {info.get('num_ack_pending')}, "
                f"ack floor {info.get('ack_floor', {}).get('stream_seq')} of last seq {stream_states[stream].get('last_seq')}"))
        inbox = {r["event_id"] for r in rows(dbs[CONSUMER_SERVICE[durable]],
                                             f"SELECT event_id FROM inbox WHERE consumer = '{durable}'")}
        if durable == "orders-payments":
            # orders records only the payment events it acts on: each order.paid's cause, the
            # payment.confirmed event (its causationid), must be in its inbox.
            for message in streams["ORDERS"]:
                event = message["event"]
                if event.get("type") != "logistics.order.paid.v1":
                    continue
                cause = event.get("causationid")
                f.check("inbox_complete", cause in inbox or cause in dead_by_consumer[durable],
                        aggregate=event.get("subject"), event=cause,
                        detail=f"orders-payments has no inbox row for payment.confirmed {cause}, the cause "
                        f"of order.paid {event.get('id')} (ORDERS seq {message['seq']})")
            continue
        # The other consumers apply every event of their stream (projections).
        for message in streams[stream]:
            event_id = message["event"].get("id")
            ok = event_id in inbox or event_id in dead_by_consumer[durable]
            f.check("inbox_complete", ok, aggregate=message["event"].get("subject"), event=event_id,
                    detail=f"{durable} ({CONSUMER_SERVICE[durable]}) has no inbox row for {stream} seq "
                    f"{message['seq']} ({message['event'].get('type')})")

    # -- projections
    for row in rows(dbs["payments"], "SELECT order_id, status, version FROM order_view"):
        order = orders.get(row["order_id"])
        ok = order is not None and (row["version"], row["status"]) == (order["version"], order["status"])
        f.check("projections_current", ok, aggregate=row["order_id"], event=outbox_index.get((row["order_id"], row["version"])),
                detail=f"payments.order_view: version {row['version']} {row['status']}; orders: " +
                (f"version {order['version']} {order['status']}" if order else "none"))
    for row in rows(dbs["notifications"], "SELECT order_id, status, version FROM order_contacts"):
        order = orders.get(row["order_id"])
        ok = order is not None and (row["version"], row["status"]) == (order["version"], order["status"])
        f.check("projections_current", ok, aggregate=row["order_id"], event=None,
                detail=f"notifications.order_contacts: version {row['version']} {row['status']}; orders: " +
                (f"version {order['version']} {order['status']}" if order else "none"))
    for row in rows(dbs["notifications"], "SELECT payment_id, version FROM payment_contacts"):
        payment = payments.get(row["payment_id"])
        ok = payment is not None and row["version"] == payment["version"]
        f.check("projections_current", ok, aggregate=row["payment_id"], event=None,
                detail=f"notifications.payment_contacts: version {row['version']}; payments: " +
                (f"version {payment['version']}" if payment else "none"))
    for order_id in orders:
        if dbs["notifications"] is not None:
            seen = bool(rows(dbs["notifications"], f"SELECT 1 FROM order_contacts WHERE order_id = '{order_id}'"))
            f.check("projections_current", seen, aggregate=order_id, event=None,
                    detail="notifications.order_contacts has no row for this order")

    # -- the run itself
    drain = run.get("drain", {})
    f.check("drained", bool(drain.get("reached")), aggregate=None, event=None,
            detail=f"not drained within {drain.get('seconds')}s: {drain.get('reasons')}")
    for exit_ in run.get("unexpected_exits", []):
        f.check("no_unexpected_exits", False, aggregate=None, event=None,
                detail=f"{exit_['process']} pid {exit_['pid']} exited with {exit_['returncode']} at "
                f"t={exit_['at']}s", log_lines=exit_.get("log_tail", [])[-8:])
    for start in run.get("not_ready", []):
        f.check("no_unexpected_exits", False, aggregate=None, event=None,
                detail=f"{start['process']} start #{start['start']} (pid {start['pid']}) not ready in time")
    f.check("no_unexpected_exits", True)
    for service, result in run.get("shutdown", {}).items():
        f.check("clean_shutdown", result.get("returncode") == 0 and result.get("within_timeout"),
                aggregate=None, event=None, detail=f"{service} pid {result.get('pid')}: exit "
                f"{result.get('returncode')}, within the bound: {result.get('within_timeout')}")
    for service, db in dbs.items():
        result = rows(db, "PRAGMA quick_check")
        verdict = result[0][0] if result else "cannot open"
        f.check("db_integrity", verdict == "ok", aggregate=None, event=None, detail=f"{service}: {verdict}")

    attach_log_lines(f, run)
    return build_report(f, run, streams, stream_states, orders, payments, mails, due, replies, consumers)


def attach_log_lines(f: Findings, run: dict, per_example: int = 6) -> None:
    """For every example, the service log lines that mention its event or aggregate id: lines
    naming the event first, then errors and warnings, then the rest, in log order."""
    wanted: dict[str, list[tuple[dict, int]]] = defaultdict(list)
    for examples in f.broken.values():
        for example in examples:
            if example.get("event"):
                wanted[example["event"]].append((example, 0))
            if example.get("aggregate"):
                wanted[example["aggregate"]].append((example, 2))
    if not wanted:
        return
    candidates: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for name, path in run.get("logs", {}).items():
        try:
            with open(path, encoding="utf-8", errors="replace") as lines:
                for number, line in enumerate(lines, 1):
                    for uuid in set(UUID.findall(line)):
                        for example, rank in wanted.get(uuid, ()):
                            found = candidates[id(example)]
                            if len(found) < 200:
                                loud = '"level":"error"' in line or '"level":"warn"' in line
                                found.append((rank - (1 if loud else 0),
                                              f"{Path(path).name}:{number}: {line.rstrip()[:400]}"))
        except OSError:
            pass
    for examples in f.broken.values():
        for example in examples:
            found = candidates.get(id(example))
            if found:
                best = sorted(found, key=lambda x: x[0])[:per_example]
                example.setdefault("log_lines", []).extend(line for _, line in best)


def build_report(f: Findings, run: dict, streams, stream_states, orders, payments, mails, due,
                 replies, consumers) -> dict:
    invariants = {}
    for name, description in INVARIANTS.items():
        invariants[name] = {"description": description, "checked": f.checked[name],
                            "broken": f.broken_count[name], "ok": f.broken_count[name] == 0,
                            "examples": f.broken.get(name, [])}
    faults = Counter(e["kind"] for e in run.get("faults_done", []))
    targets = defaultdict(Counter)
    for e in run.get("faults_done", []):
        targets[e["kind"]][e.get("target", "nats-server" if e["kind"] == "nats-restart" else "all")] += 1
    lifecycles = run.get("lifecycles", [])
    by_kind = Counter(lc["kind"] for lc in lifecycles)
    completed = Counter(lc["kind"] for lc in lifecycles if lc.get("outcome") == "completed")
    reasons = Counter(re.sub(UUID, "<id>", lc.get("reason", ""))[:160] for lc in lifecycles
                      if lc.get("outcome") != "completed")
    expected_events = {"ORDERS": sum(o["version"] for o in orders.values()),
                       "PAYMENTS": sum(p["version"] for p in payments.values())}
    distinct = {s: len({(m["event"].get("subject"), m["event"].get("aggregateversion")) for m in streams[s]})
                for s in STREAMS}
    return {
        "failed": [name for name, inv in invariants.items() if not inv["ok"]],
        "invariants": invariants,
        "faults": {"by_kind": dict(faults), "targets": {k: dict(v) for k, v in targets.items()},
                   "scheduled": len(run.get("schedule", [])), "done": run.get("faults_done", []),
                   "skipped": run.get("faults_skipped", [])},
        "lifecycles": {"started": len(lifecycles), "completed": sum(completed.values()),
                       "by_kind": dict(by_kind), "completed_by_kind": dict(completed),
                       "failure_reasons": dict(reasons.most_common(10))},
        "commands": {"acknowledged": sum(1 for r in replies if r.get("outcome") == "ok"),
                     "failed": sum(1 for r in replies if r.get("outcome") != "ok"),
                     "attempts": sum(r.get("attempts", 1) for r in replies)},
        "events": {s: {"expected": expected_events[s], "found": distinct[s], "messages": len(streams[s]),
                       "last_seq": stream_states[s].get("last_seq")} for s in STREAMS},
        "mail": {"due": len(due), "files": sum(len(v) for v in mails.values())},
        "consumers": {d: {k: c.get(k) for k in ("num_pending", "num_ack_pending", "num_redelivered")}
                      for d, c in consumers.items()},
        "drain": run.get("drain", {}),
        # What the services' consumers re-read after their leader moved (their status at the end).
        "rereads": {durable: {k: figures.get(k) for k in ("rereads", "reread_applied")}
                    for service in (run.get("consumers_at_end") or {}).values() if isinstance(service, dict)
                    for durable, figures in service.items() if isinstance(figures, dict)},
    }


REPLICAS_AGREE = ("the cluster's replicas hold the same event at every sequence (nats-server's own promise, "
                  "read from each node's store after it stopped; reported, not counted as the services' failure)")
# Which of the services' invariants a replica divergence can break by itself, and how.
DIVERGENCE_EFFECTS = {
    "versions_in_order": "a replica that never stored an acknowledged event became leader; the relay "
                         "found the event missing and published it again, after the versions that followed",
    "inbox_complete": "a durable consumer led from a diverged replica delivers by that replica's numbering "
                      "and skips the events at sequences it counts as delivered (the services re-read the "
                      "last 2 minutes when a consumer's leader moves; an event skipped longer before that "
                      "stays missing)",
    "projections_current": "follows from events a consumer was never delivered (inbox_complete)",
}


def add_replica_agreement(report: dict, agreement: dict, stores: dict | None = None) -> None:
    """Adds the cluster's replica comparison (replicas.compare) to a report. A divergence is a
    nats-server defect the services cannot prevent; it is reported beside the invariants and
    names which broken invariants it can explain. With the nodes' `stores`, an aggregate whose
    versions are out of order in the stream the checker read while a replica holds them 1..N in
    order is attributed to the divergence and no longer counts as broken; everything else keeps
    the run's result the services'."""
    report["replicas"] = {"description": REPLICAS_AGREE, "checked": agreement["checked"],
                          "broken": agreement["broken"], "ok": agreement["broken"] == 0,
                          "examples": agreement["examples"], "streams": agreement["streams"],
                          "explains": [name for name in report["failed"] if name in DIVERGENCE_EFFECTS]}
    order = report["invariants"]["versions_in_order"]
    if agreement["broken"] == 0 or stores is None or order["ok"] or order["broken"] > len(order["examples"]):
        return
    import replicas  # only the cluster profiles have stores to read
    kept, explained = [], []
    for example in order["examples"]:
        stream = (example.get("sequences") or ["?:"])[0].split(":")[0]
        why = replicas.order_explained_by_divergence(stores, stream, example.get("aggregate", ""))
        (explained if why else kept).append({**example, "divergence": why} if why else example)
    order["examples"] = kept
    order["explained_by_divergence"] = explained
    order["broken"] = len(kept)
    order["ok"] = not kept
    if order["ok"]:
        report["failed"] = [name for name in report["failed"] if name != "versions_in_order"]
        report["replicas"]["explains"] = [name for name in report["replicas"]["explains"]
                                          if name != "versions_in_order"]


def print_report(report: dict) -> None:
    run = report.get("run", {})
    print()
    print(f"Chaos run: seed {run.get('seed')} ({run.get('profile')}), {run.get('wall_seconds')} s; "
          f"replay: {run.get('replay')}")
    faults = report["faults"]
    described = ", ".join(f"{k} {n} ({', '.join(f'{t} {c}' for t, c in faults['targets'].get(k, {}).items())})"
                          for k, n in sorted(faults["by_kind"].items())) or "none"
    print(f"Faults injected: {described}")
    for skipped in faults.get("skipped", []):
        print(f"Fault SKIPPED: {skipped['kind']} at {skipped.get('at')}s: {skipped.get('reason')}")
    lcs = report["lifecycles"]
    done_by_kind = lcs["completed_by_kind"]
    print(f"Lifecycles: {lcs['started']} started, {lcs['completed']} completed "
          f"({', '.join(f'{k} {done_by_kind.get(k, 0)}/{n}' for k, n in sorted(lcs['by_kind'].items()))})")
    for reason, count in lcs["failure_reasons"].items():
        print(f"  not completed x{count}: {reason}")
    cmds = report["commands"]
    print(f"Commands: {cmds['acknowledged']} acknowledged, {cmds['failed']} failed, {cmds['attempts']} attempts")
    for stream, e in report["events"].items():
        print(f"Events {stream}: expected {e['expected']} (sum of final versions), found {e['found']} "
              f"distinct, {e['messages']} messages")
    print(f"Mail: {report['mail']['due']} due, {report['mail']['files']} .eml files")
    rereads = {d: f for d, f in report.get("rereads", {}).items() if f.get("rereads")}
    if rereads:
        print("Consumer re-reads after a move: " + ", ".join(
            f"{d} {f['rereads']} (applied first by the re-read {f.get('reread_applied') or 0})" for d, f in sorted(rereads.items())))
    print()
    print(f"{'invariant':24} {'checked':>8} {'broken':>7}  result")
    print(f"{'-' * 24} {'-' * 8} {'-' * 7}  ------")
    for name, inv in report["invariants"].items():
        print(f"{name:24} {inv['checked']:>8} {inv['broken']:>7}  {'ok' if inv['ok'] else 'BROKEN'}")
    for name in report["failed"]:
        inv = report["invariants"][name]
        print(f"\nBROKEN {name}: {inv['description']} ({inv['broken']} of {inv['checked']})")
        for example in inv["examples"][:5]:
            where = " ".join(f"{k}={example[k]}" for k in ("aggregate", "event", "lifecycle") if example.get(k) is not None)
            print(f"  - {where}: {example.get('detail', '')}")
            for line in example.get("log_lines", [])[:3]:
                print(f"      {line[:300]}")
        if inv["broken"] > 5:
            print(f"  ... {inv['broken'] - 5} more in the JSON report")
    replicas = report.get("replicas")
    if replicas is not None:
        print(f"\nreplicas_agree {replicas['checked']:>18} {replicas['broken']:>7}  "
              f"{'ok' if replicas['ok'] else 'DIVERGED (nats-server defect)'}")
        if not replicas["ok"]:
            print("  nats-server 2.9.10's replicas of a stream diverged: one skipped events the others "
                  "stored (its count of dropped duplicates drifted; fixed upstream in 2.9.21, "
                  "nats-io/nats-server#4365).")
            for example in replicas["examples"][:4]:
                print(f"  - {example['detail'][:300]}")
            for name in replicas["explains"]:
                print(f"  It can explain BROKEN {name}: {DIVERGENCE_EFFECTS[name]}.")
            explained = report["invariants"]["versions_in_order"].get("explained_by_divergence", [])
            if explained:
                print(f"  versions_in_order: {len(explained)} aggregate(s) out of order in the stream read "
                      f"but in order on another replica, counted as the server's, not broken:")
                for example in explained[:5]:
                    print(f"  - aggregate={example.get('aggregate')}: {example.get('detail', '')} "
                          f"({example['divergence']})")
    print()
    skipped = sorted({s["kind"] for s in faults.get("skipped", [])})
    print("RESULT: " + ("every invariant held" if not report["failed"] else "BROKEN: " + ", ".join(report["failed"]))
          + (f"; fault kinds SKIPPED: {', '.join(skipped)}" if skipped else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--nats-url", required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = asyncio.run(check(args.run_dir, args.nats_url))
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

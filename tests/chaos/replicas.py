"""tests/chaos/replicas.py: do the cluster's replicas of a stream hold the same messages?

A replicated stream promises that every replica stores the same message at the same sequence.
nats-server 2.9.10 breaks that promise under some fault sequences: a replica whose count of
failed proposals (duplicates dropped by the de-duplication window, "clfs") drifts from the
leader's skips messages it should store, so its later messages sit one or more sequences lower
than on the other replicas (fixed upstream in 2.9.21, nats-io/nats-server#4365; the related
"last sequence mismatch" / "Resetting stream cluster state" log lines come from the same
bookkeeping). When such a replica becomes leader, the stream seems to have lost an event that a
quorum acknowledged, and a durable consumer led from it delivers from its own numbering and
can skip messages. No client can prevent it; the chaos suite must at least name it instead of
leaving a services' invariant broken without a cause.

This module reads each node's store after the node stopped (nats-server 2.9 filestore: message
blocks N.blk under jetstream/<account>/streams/<stream>/msgs) and compares the replicas
sequence by sequence. It shares no code with the services.

Block record layout (filestore.go, 2.9): u32 record length (bit 31: has headers), u64 sequence
(bit 63: erased), i64 timestamp, u16 subject length, subject, [u32 header length, headers],
payload, 8-byte hash.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

_HEADER = struct.Struct("<IQqH")
_HAS_HEADERS = 1 << 31
_ERASED = 1 << 63
_TOMBSTONE = 1 << 62
_MSG_ID = re.compile(rb"Nats-Msg-Id:\s*([^\r\n]+)")


def read_messages(store: Path, stream: str, account: str = "$G") -> dict[int, tuple[str, str, object]]:
    """Sequence -> (Nats-Msg-Id or, without one, the subject; subject; the payload's
    aggregateversion or None) of every live message one node stores for the stream; {} when the
    node has no copy."""
    msgs = store / "jetstream" / account / "streams" / stream / "msgs"
    held: dict[int, tuple[str, str, object]] = {}
    blocks = sorted(msgs.glob("*.blk"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0)
    for block in blocks:
        data = block.read_bytes()
        at = 0
        while at + _HEADER.size <= len(data):
            length, seq, _ts, subject_length = _HEADER.unpack_from(data, at)
            has_headers = bool(length & _HAS_HEADERS)
            length &= ~_HAS_HEADERS
            if length < _HEADER.size or at + length > len(data):
                break  # the unwritten end of a block
            record = data[at:at + length]
            at += length
            if seq & (_ERASED | _TOMBSTONE):
                held.pop(seq & ~(_ERASED | _TOMBSTONE), None)
                continue
            subject = record[_HEADER.size:_HEADER.size + subject_length].decode(errors="replace")
            body_at = _HEADER.size + subject_length
            if has_headers and body_at + 4 <= len(record):
                body_at += 4 + struct.unpack_from("<I", record, body_at)[0]
            found = _MSG_ID.search(record[:body_at])
            version = None
            try:
                version = json.loads(record[body_at:len(record) - 8]).get("aggregateversion")
            except (ValueError, AttributeError):
                pass
            event = found.group(1).decode(errors="replace").strip() if found else subject
            held[seq] = (event, subject, version)
    return held


def read_stream(store: Path, stream: str, account: str = "$G") -> dict[int, str]:
    """Sequence -> Nats-Msg-Id (or subject, for a message without one) of every live message
    one node stores for the stream; {} when the node has no copy."""
    return {seq: message[0] for seq, message in read_messages(store, stream, account).items()}


def versions_per_node(stores: dict[str, Path], stream: str, aggregate: str) -> dict[str, list]:
    """Each node's aggregateversions of one aggregate (its id is the subject's third token,
    `<service>.events.<id>.<type>`), in that node's stream order."""
    found = {}
    for node, store in stores.items():
        messages = read_messages(store, stream)
        found[node] = [version for _seq, (_event, subject, version) in sorted(messages.items())
                       if subject.split(".")[2:3] == [aggregate]]
    return found


def order_explained_by_divergence(stores: dict[str, Path], stream: str, aggregate: str) -> str | None:
    """Why an aggregate's versions out of order in the stream the checker read come from the
    replicas' divergence: some replica holds them 1..N in order while another does not. None
    when no replica does (the services' own fault, or a defect every replica copied)."""
    per_node = versions_per_node(stores, stream, aggregate)
    in_order = sorted(node for node, versions in per_node.items()
                      if versions and versions == list(range(1, len(versions) + 1)))
    other = sorted(node for node in per_node if node not in in_order)
    if not in_order or not other:
        return None
    return (f"{'+'.join(in_order)} hold versions {per_node[in_order[0]]} in order; "
            + "; ".join(f"{node} holds {per_node[node]}" for node in other))


def compare(stores: dict[str, Path], streams: tuple[str, ...], max_examples: int = 10) -> dict:
    """Compares the nodes' copies of each stream over the sequences every copy reaches.
    Returns {"checked", "broken", "examples", "streams": {stream: {"last_seq": {node: n},
    "first_divergence": seq | None, "diverging_sequences": n}}}; an example names the events
    one node lacks (or holds alone) against the others."""
    result = {"checked": 0, "broken": 0, "examples": [], "streams": {}}
    for stream in streams:
        copies = {node: read_stream(store, stream) for node, store in stores.items()}
        copies = {node: held for node, held in copies.items() if held}
        summary = {"last_seq": {node: max(held) for node, held in copies.items()},
                   "first_divergence": None, "diverging_sequences": 0}
        result["streams"][stream] = summary
        if len(copies) < 2:
            continue
        common_end = min(max(held) for held in copies.values())
        for seq in range(1, common_end + 1):
            result["checked"] += 1
            if len({held.get(seq) for held in copies.values()}) > 1:
                summary["diverging_sequences"] += 1
                if summary["first_divergence"] is None:
                    summary["first_divergence"] = seq
        if summary["first_divergence"] is None:
            continue
        result["broken"] += 1
        start = summary["first_divergence"]
        where = {node: {event: seq for seq, event in held.items()} for node, held in copies.items()}
        for node, held in sorted(copies.items()):
            mine = {event for seq, event in held.items() if seq >= start}
            others = [{event for seq, event in h.items() if seq >= start}
                      for n, h in copies.items() if n != node]
            lacks = sorted(set.intersection(*others) - mine)
            if lacks and len(result["examples"]) < max_examples:
                result["examples"].append({
                    "stream": stream, "node": node, "sequence": start,
                    "detail": f"{stream}: {node} never stored {', '.join(lacks[:5])} that the other "
                              f"replicas hold; its later messages sit at other sequences"})
        events_at_start = {held.get(start) for held in copies.values()} - {None}
        if len(result["examples"]) < max_examples:
            places = "; ".join(
                f"{event} is at " + ", ".join(f"{node} {where[node].get(event, 'nowhere')}"
                                               for node in sorted(copies))
                for event in sorted(events_at_start))
            result["examples"].append({
                "stream": stream, "node": "", "sequence": start,
                "detail": f"{stream} replicas first differ at sequence {start} "
                          f"({summary['diverging_sequences']} sequences differ): {places}"})
    return result

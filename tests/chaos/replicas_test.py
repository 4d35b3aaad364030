#!/usr/bin/python3
"""tests/chaos/replicas_test.py: the replica comparison names a replica that skipped an event.

Writes message blocks in nats-server 2.9's filestore record layout for three nodes (one of
which never stored an event, so its later messages sit one sequence lower, as a replica whose
count of dropped duplicates drifted does) and checks that replicas.compare finds the
divergence, names the missing event and the node, and that identical copies agree.
"""

from __future__ import annotations

import json
import struct
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import replicas  # noqa: E402


def record(seq: int, subject: str, msg_id: str, version: int = 1) -> bytes:
    headers = f"NATS/1.0\r\nNats-Msg-Id: {msg_id}\r\n\r\n".encode()
    body = json.dumps({"id": msg_id, "aggregateversion": version}).encode()
    length = 22 + len(subject) + 4 + len(headers) + len(body) + 8
    return (struct.pack("<IQqH", length | (1 << 31), seq, 0, len(subject)) + subject.encode()
            + struct.pack("<I", len(headers)) + headers + body + b"\0" * 8)


def write_node(root: Path, node: str, events: list[str]) -> Path:
    """Events named "<aggregate><version>" (e.g. "e3", "b2"): one aggregate per letter."""
    msgs = root / node / "jetstream" / "$G" / "streams" / "PAYMENTS" / "msgs"
    msgs.mkdir(parents=True)
    (msgs / "1.blk").write_bytes(b"".join(
        record(i + 1, f"payments.events.{e[0]}.changed", e, int(e[1:])) for i, e in enumerate(events)))
    return root / node


def main() -> int:
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        full = ["e1", "e2", "e3", "e4", "e5"]
        stores = {"n1": write_node(root, "n1", [e for e in full if e != "e3"] + ["e3"]),
                  "n2": write_node(root, "n2", full), "n3": write_node(root, "n3", full)}
        read = replicas.read_stream(stores["n2"], "PAYMENTS")
        if read != {1: "e1", 2: "e2", 3: "e3", 4: "e4", 5: "e5"}:
            failures.append(f"read_stream read {read}")
        found = replicas.compare(stores, ("PAYMENTS",))
        summary = found["streams"]["PAYMENTS"]
        if found["broken"] != 1 or summary["first_divergence"] != 3 or summary["diverging_sequences"] != 3:
            failures.append(f"divergence not found as expected: {found}")
        details = " ".join(e["detail"] for e in found["examples"])
        if "e3 is at n1 5, n2 3, n3 3" not in details:
            failures.append(f"the examples do not say where e3 sits: {details}")

        agreeing = {n: write_node(root / "same", n, full) for n in ("n1", "n2", "n3")}
        same = replicas.compare(agreeing, ("PAYMENTS",))
        if same["broken"] != 0 or same["checked"] != 5:
            failures.append(f"identical copies reported as diverged: {same}")

        lost = {"n1": write_node(root / "lost", "n1", ["e1", "e2", "e4", "e5"]),
                "n2": write_node(root / "lost", "n2", full), "n3": write_node(root / "lost", "n3", full)}
        missing = replicas.compare(lost, ("PAYMENTS",))
        if not any("n1 never stored e3" in e["detail"] for e in missing["examples"]):
            failures.append(f"a replica that never stored e3 is not named: {missing['examples']}")
        # Aggregate b: versions b1, b2; n1 lost b1 and got it again after b2.
        order = {"n1": write_node(root / "order", "n1", ["b2", "b1"]),
                 "n2": write_node(root / "order", "n2", ["b1", "b2"]),
                 "n3": write_node(root / "order", "n3", ["b1", "b2"])}
        why = replicas.order_explained_by_divergence(order, "PAYMENTS", "b")
        if why != "n2+n3 hold versions [1, 2] in order; n1 holds [2, 1]":
            failures.append(f"a disorder one replica alone holds is not explained as such: {why}")
        # The same disorder on every replica is no divergence: not explained.
        copied = {n: write_node(root / "copied", n, ["b2", "b1"]) for n in ("n1", "n2", "n3")}
        if replicas.order_explained_by_divergence(copied, "PAYMENTS", "b") is not None:
            failures.append("a disorder every replica holds was explained by divergence")
    for failure in failures:
        print(f"FAIL: {failure}")
    print("replicas_test: " + ("ok" if not failures else f"{len(failures)} failure(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""The records the integration tests wrote (tests/support/harness/contract_recorder.hpp).

Each *.jsonl file under a records directory holds one JSON object a line:
kind (reply, event, message or discovery), subject, body (the document as
sent, a string) and headers. Many tests record the same document; the
checkers (validate_recorded.py, check_asyncapi.py --records) look at each
distinct one once.
"""
import json
import pathlib


def distinct_records(records_dir):
    """Yields ("file.jsonl:line", record) once per distinct (kind, subject, body, headers),
    at its first occurrence, in file name and line order."""
    seen = set()
    for path in sorted(pathlib.Path(records_dir).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            record = json.loads(line)
            key = (record["kind"], record["subject"], record["body"],
                   tuple(sorted(record.get("headers", {}).items())))
            if key in seen:
                continue
            seen.add(key)
            yield f"{path.name}:{number}", record

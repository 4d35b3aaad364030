#!/usr/bin/python3
"""Check schemas/asyncapi.yaml, the AsyncAPI 3.0 description of every subject.

  check_asyncapi.py DOCUMENT --spec ASYNCAPI_SCHEMA
      The document is valid against the official AsyncAPI 3.0.0 JSON Schema
      (ASYNCAPI_SCHEMA: schemas/3.0.0.json of the npm package
      @asyncapi/specs, which scripts/test installs), every $ref resolves
      (inside the document, or to a JSON Schema file next to it that
      check_schemas.py accepts), and it hangs together: each operation's
      messages belong to its channel (and its reply's to the reply channel),
      each {parameter} of an address is declared and each declared one used,
      every channel has an operation.

  check_asyncapi.py DOCUMENT --covers INFO.json...
      Each file is a $SRV.INFO reply. Every endpoint it lists must be the
      address of a channel here that the service receives on, and the
      endpoint's metadata must name (request_schema, reply_schema) exactly the
      schema files that channel's request and reply messages carry.

  check_asyncapi.py DOCUMENT --records DIR
      Every reply, rejection, event and $SRV reply the integration tests
      recorded (tests/support/harness/contract_recorder.hpp) validates against
      the payload of the message its channel declares: a 200 reply against the
      operation's success reply, an error reply against its error message.
      Fails when a recorded subject matches no channel, or nothing was
      recorded.

Exits 0 when everything holds, 1 when something does not (each problem is
printed), 2 on a usage error. Needs python3-yaml and python3-jsonschema.
"""
import json
import pathlib
import re
import sys
import urllib.parse
import warnings

import jsonschema
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_schemas  # noqa: E402
import contract_records  # noqa: E402

OPERATION_KEYS = ("request_schema", "reply_schema")  # endpoint metadata (endpoint_schemas.hpp)


class AsyncApi:
    """The document, with its channels as address patterns and its schema files."""

    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.root = self.path.parent
        self.doc = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        self.schemas = check_schemas.Schemas(self.root)

    # ------------------------------------------------------------------ references

    def pointer(self, ref):
        """The node a local '#/...' reference names (LookupError when none)."""
        if not ref.startswith("#/"):
            raise LookupError(f"{ref}: not a local reference")
        node = self.doc
        for token in ref[2:].split("/"):
            token = urllib.parse.unquote(token).replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or token not in node:
                raise LookupError(f"{ref}: nothing at {token!r}")
            node = node[token]
        return node

    def deref(self, node):
        """Follows local references until a node that is not one."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#"):
            if node["$ref"] in seen:
                raise LookupError(f"{node['$ref']}: a reference cycle")
            seen.add(node["$ref"])
            node = self.pointer(node["$ref"])
        return node

    def schema_name(self, ref):
        """'orders/order.json' for './orders/order.json' (LookupError unless check_schemas has it)."""
        relative = ref.split("#")[0]
        name = pathlib.PurePosixPath(relative.removeprefix("./")).as_posix()
        try:
            self.schemas.canonical(ref.removeprefix("./"))
        except check_schemas.SchemaProblem as problem:
            raise LookupError(f"{ref}: {problem}") from None
        return name

    def payload_of(self, message_ref):
        """The schema file name of a message's payload, or None when it has none."""
        message = self.deref(message_ref)
        payload = message.get("payload")
        if payload is None:
            return None
        return self.schema_name(payload["$ref"])

    # ------------------------------------------------------------------ channels

    def address_pattern(self, channel):
        address = channel.get("address")
        if address is None:
            return None
        parameters = channel.get("parameters", {})

        def part(match):
            declared = self.deref(parameters.get(match.group(1), {}))
            if declared.get("enum"):
                return "(?:" + "|".join(re.escape(v) for v in declared["enum"]) + ")"
            return "[^.]+"

        pieces = re.split(r"(\{\w+\})", address)
        regex = "".join(part(re.match(r"\{(\w+)\}", p)) if p.startswith("{") else re.escape(p)
                        for p in pieces)
        return re.compile("^" + regex + "$")

    def channel_for(self, subject):
        """(channel id, channel) whose address matches `subject`, or (None, None)."""
        for channel_id, channel in self.doc.get("channels", {}).items():
            channel = self.deref(channel)
            pattern = self.address_pattern(channel)
            if pattern and pattern.match(subject):
                return channel_id, channel
        return None, None

    def operations_on(self, channel_id):
        target = f"#/channels/{channel_id}"
        return [op for op in self.doc.get("operations", {}).values()
                if self.deref(op).get("channel", {}).get("$ref") == target]

    def endpoint_schemas(self, channel_id):
        """(request schema, success reply schema, error reply schema) of a receive operation."""
        for op in self.operations_on(channel_id):
            op = self.deref(op)
            if op.get("action") != "receive" or "reply" not in op:
                continue
            request = next((self.payload_of(m) for m in op.get("messages", [])), None)
            replies = [self.payload_of(m) for m in op["reply"].get("messages", [])]
            errors = [r for r in replies if r == "common/error.json"]
            successes = [r for r in replies if r != "common/error.json"]
            return request, (successes[0] if successes else None), (errors[0] if errors else None)
        return None


# ---------------------------------------------------------------------- checks


def _refuse(uri):
    raise LookupError(f"{uri}: not in the AsyncAPI schema bundle (nothing is fetched)")


def _offline_validator(spec):
    """A validator for the bundled AsyncAPI schema whose $ids all resolve inside it."""
    cls = jsonschema.validators.validator_for(spec)
    try:  # jsonschema >= 4.18
        from referencing import Registry, Resource
        resource = Resource.from_contents(spec, default_specification=referencing_draft7())
        registry = Registry(retrieve=_refuse).with_resource(spec.get("$id", ""), resource)
        return cls(spec, registry=registry)
    except ImportError:  # Debian's 4.10
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            resolver = jsonschema.RefResolver.from_schema(
                spec, handlers={"http": _refuse, "https": _refuse, "file": _refuse})
        return cls(spec, resolver=resolver)


def referencing_draft7():
    from referencing.jsonschema import DRAFT7
    return DRAFT7


def _closest(error):
    """A oneOf (object or Reference) names the whole object: the object branch says why."""
    while error.context:
        branches = [e for e in error.context if e.message != "'$ref' is a required property"]
        if not branches:
            break
        error = jsonschema.exceptions.best_match(branches)
    return error


def check_document(api, spec_path):
    problems = []
    spec = json.loads(pathlib.Path(spec_path).read_text(encoding="utf-8"))
    for error in sorted(_offline_validator(spec).iter_errors(api.doc),
                        key=lambda e: list(e.absolute_path)):
        error = _closest(error)
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        problems.append(f"not AsyncAPI 3.0.0 at {where}: {error.message[:300]}")
    for where, ref in check_schemas.walk_refs(api.doc, "#"):
        try:
            api.pointer(ref) if ref.startswith("#") else api.schema_name(ref)
        except LookupError as error:
            problems.append(f"{where}: {error}")
    if problems:
        return problems  # the rest assumes a well-formed document

    channels = api.doc.get("channels", {})
    for channel_id, channel in channels.items():
        channel = api.deref(channel)
        address = channel.get("address") or ""
        used = set(re.findall(r"\{(\w+)\}", address))
        declared = set(channel.get("parameters", {}))
        for name in sorted(used - declared):
            problems.append(f"channel {channel_id}: address parameter {{{name}}} is not declared")
        for name in sorted(declared - used):
            problems.append(f"channel {channel_id}: parameter {name} is not in the address")
        if channel_id != "replyInbox" and not api.operations_on(channel_id):
            problems.append(f"channel {channel_id}: no operation uses it")

    def belongs(message_ref, channel_ref, what):
        prefix = channel_ref + "/messages/"
        if not message_ref.startswith(prefix):
            problems.append(f"{what}: {message_ref} is not a message of {channel_ref}")

    for op_id, op in api.doc.get("operations", {}).items():
        op = api.deref(op)
        channel_ref = op["channel"]["$ref"]
        for message in op.get("messages", []):
            belongs(message["$ref"], channel_ref, f"operation {op_id}")
        reply = op.get("reply")
        if reply:
            for message in reply.get("messages", []):
                belongs(message["$ref"], reply["channel"]["$ref"], f"operation {op_id} reply")
    return problems


def check_covers(api, info_files):
    problems = []
    count = 0
    for info_file in info_files:
        info = json.loads(pathlib.Path(info_file).read_text(encoding="utf-8"))
        service = info.get("name", "?")
        endpoints = info.get("endpoints") or []
        if not endpoints:
            problems.append(f"{info_file}: {service} lists no endpoints")
        for endpoint in endpoints:
            count += 1
            subject = endpoint["subject"]
            what = f"{service} endpoint {endpoint.get('name')} ({subject})"
            channel_id, _ = api.channel_for(subject)
            if channel_id is None:
                problems.append(f"{what}: no channel of {api.path.name} has this address")
                continue
            schemas = api.endpoint_schemas(channel_id)
            if schemas is None:
                problems.append(f"{what}: channel {channel_id} has no receive operation with a reply")
                continue
            metadata = endpoint.get("metadata") or {}
            for key, expected in zip(OPERATION_KEYS, schemas[:2]):
                named = metadata.get(key)
                if named is None:
                    problems.append(f"{what}: metadata has no {key}")
                elif not (api.root / named).is_file():
                    problems.append(f"{what}: metadata {key} {named!r} is no file under {api.root}")
                elif named != expected:
                    problems.append(f"{what}: metadata {key} is {named!r}, channel {channel_id} says {expected!r}")
    return count, problems


def check_records(api, records_dir):
    problems = []
    checked = {}
    for line_of, record in contract_records.distinct_records(records_dir):
        subject, kind = record["subject"], record["kind"]
        where = f"{line_of}: {kind} on {subject}"
        try:
            document = json.loads(record["body"])
        except ValueError as error:
            problems.append(f"{where}: not JSON ({error})")
            continue
        channel_id, channel = api.channel_for(subject)
        if channel_id is None:
            problems.append(f"{where}: no channel of {api.path.name} has this address")
            continue
        if kind in ("reply", "discovery"):
            schemas = api.endpoint_schemas(channel_id)
            if schemas is None:
                problems.append(f"{where}: channel {channel_id} answers no requests")
                continue
            failed = "Nats-Service-Error-Code" in record.get("headers", {})
            schema = schemas[2] if failed else schemas[1]
        else:
            payloads = [api.payload_of(m) for m in channel.get("messages", {}).values()]
            schema = next((p for p in payloads if p), None)
        if schema is None:
            problems.append(f"{where}: channel {channel_id} declares no payload for it")
            continue
        errors = api.schemas.errors(schema, document)
        checked[f"{channel_id} -> {schema}"] = checked.get(f"{channel_id} -> {schema}", 0) + 1
        if errors:
            problems.append(f"{where}: invalid against {schema}:\n    " + "\n    ".join(errors)
                            + f"\n    document: {record['body'][:300]}")
    for name, count in sorted(checked.items()):
        print(f"  {count:5d}  {name}")
    total = sum(checked.values())
    if total == 0 and not problems:
        problems.append(f"nothing was recorded under {records_dir}")
    return total, problems


def main(argv):
    if len(argv) < 4 or argv[2] not in ("--spec", "--covers", "--records"):
        print(__doc__, file=sys.stderr)
        return 2
    document, mode, rest = argv[1], argv[2], argv[3:]
    try:
        api = AsyncApi(document)
    except (OSError, yaml.YAMLError, check_schemas.SchemaProblem) as error:
        print(f"check_asyncapi.py: cannot read {document}: {error}", file=sys.stderr)
        return 1
    if mode == "--spec":
        if not pathlib.Path(rest[0]).is_file():
            print(f"asyncapi FAILED: the AsyncAPI 3.0.0 JSON Schema {rest[0]} is missing; scripts/test "
                  "installs it (npm install @asyncapi/specs into <build>/test-tools)", file=sys.stderr)
            return 1
        problems = check_document(api, rest[0])
        summary = (f"{len(api.doc.get('channels', {}))} channels, "
                   f"{len(api.doc.get('operations', {}))} operations, "
                   f"{len(api.doc.get('components', {}).get('messages', {}))} messages")
    elif mode == "--covers":
        count, problems = check_covers(api, rest)
        summary = f"{count} endpoints of {len(rest)} services covered"
    else:
        count, problems = check_records(api, rest[0])
        summary = f"{count} distinct recorded messages match their channel's payload"
    if problems:
        print(f"asyncapi FAILED ({api.path.name}): {len(problems)} problem(s)")
        for problem in problems:
            print("  " + problem)
        return 1
    print(f"asyncapi ok ({api.path.name}): {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

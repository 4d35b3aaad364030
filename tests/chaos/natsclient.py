"""A small NATS client for the chaos suite: asyncio, the NATS text protocol, no third-party code.

It knows just what the suite needs: CONNECT with headers, PUB/HPUB, SUB/UNSUB, MSG/HMSG,
PING/PONG, request-reply through one inbox subscription per client, and a few JetStream API
requests (stream info, message get, consumer info). It shares no code with the services.

A client does not reconnect by itself: when the server goes away every pending request fails
with NatsDisconnected, and the caller makes a new client (see `Reconnecting`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
from dataclasses import dataclass, field

MAX_CONTROL_LINE = 64 * 1024


class NatsError(Exception):
    """Anything that went wrong talking to the server."""


class NatsDisconnected(NatsError):
    """The connection is gone (or could not be made)."""


class NatsTimeout(NatsError):
    """No reply within the timeout."""


class NoResponders(NatsError):
    """The server answered a request with status 503: nobody subscribes to the subject."""


@dataclass
class Msg:
    subject: str
    reply: str | None
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None  # the status of the header line "NATS/1.0 503", if any
    description: str = ""

    def json(self):
        return json.loads(self.data.decode("utf-8"))

    @property
    def error_code(self) -> int | None:
        """The service error code (Nats-Service-Error-Code), or None for a success reply."""
        value = self.headers.get("Nats-Service-Error-Code")
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return 500


def parse_headers(block: bytes) -> tuple[int | None, str, dict[str, str]]:
    """The status, its description and the headers of an HMSG header block."""
    text = block.decode("utf-8", errors="replace")
    lines = text.split("\r\n")
    first = lines[0] if lines else ""
    status: int | None = None
    description = ""
    if first.startswith("NATS/1.0"):
        rest = first[len("NATS/1.0"):].strip()
        if rest:
            code, _, description = rest.partition(" ")
            if code.isdigit():
                status = int(code)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip()] = value.strip()
    return status, description, headers


def encode_headers(headers: dict[str, str]) -> bytes:
    text = "NATS/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return text.encode("utf-8")


class Subscription:
    def __init__(self, sid: int, subject: str, limit: int = 10000):
        self.sid = sid
        self.subject = subject
        self.queue: asyncio.Queue[Msg] = asyncio.Queue(maxsize=limit)
        self.dropped = 0

    async def next(self, timeout: float) -> Msg:
        try:
            async with asyncio.timeout(timeout):
                return await self.queue.get()
        except TimeoutError:
            raise NatsTimeout(f"no message on {self.subject} within {timeout}s") from None


class NatsClient:
    """One connection. `await NatsClient.connect(url)`; `await client.close()`."""

    def __init__(self):
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task | None = None
        self._subs: dict[int, Subscription] = {}
        self._next_sid = 1
        self._pending: dict[str, asyncio.Future] = {}
        self._pongs: list[asyncio.Future] = []
        self._inbox_prefix = "_INBOX.chaos" + secrets.token_hex(8)
        self._next_token = 0
        self.closed = False
        self.server_info: dict = {}

    @classmethod
    async def connect(cls, url: str, timeout: float = 2.0, name: str = "chaos") -> "NatsClient":
        """Connects to the first server of a comma-separated list that answers."""
        failures = []
        for one in [u.strip() for u in url.split(",") if u.strip()]:
            client = cls()
            try:
                await client._connect(one, timeout, name)
                return client
            except NatsDisconnected as error:
                failures.append(str(error))
        raise NatsDisconnected("; ".join(failures) or f"no server in {url!r}")

    async def _connect(self, url: str, timeout: float, name: str) -> None:
        hostport = url.split("://", 1)[-1].split(",")[0]
        host, _, port = hostport.rpartition(":")
        try:
            async with asyncio.timeout(timeout):
                self._reader, self._writer = await asyncio.open_connection(
                    host or "127.0.0.1", int(port), limit=4 * 1024 * 1024)
                line = await self._reader.readline()
        except (OSError, TimeoutError) as error:
            await self._abort()
            raise NatsDisconnected(f"cannot connect to {url}: {error!r}") from None
        if not line.startswith(b"INFO "):
            await self._abort()
            raise NatsDisconnected(f"unexpected greeting from {url}: {line[:80]!r}")
        self.server_info = json.loads(line[5:])
        connect = {"verbose": False, "pedantic": False, "headers": True, "no_responders": True,
                   "protocol": 1, "name": name, "lang": "python-chaos", "version": "0.1"}
        self._write(b"CONNECT " + json.dumps(connect).encode() + b"\r\n")
        self._reader_task = asyncio.create_task(self._read_loop())
        await self.flush(timeout)
        inbox = self._subscribe_raw(self._inbox_prefix + ".*")
        self._inbox_sid = inbox.sid
        await self.flush(timeout)

    async def _abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except Exception:
                pass

    def _write(self, data: bytes) -> None:
        if self.closed or self._writer is None:
            raise NatsDisconnected("connection closed")
        self._writer.write(data)

    async def _read_loop(self) -> None:
        reader = self._reader
        assert reader is not None
        try:
            while True:
                line = await reader.readuntil(b"\r\n")
                if line.startswith(b"MSG "):
                    parts = line[4:-2].decode().split(" ")
                    if len(parts) == 4:
                        subject, sid, reply, size = parts
                    else:
                        subject, sid, size = parts
                        reply = None
                    payload = await reader.readexactly(int(size) + 2)
                    self._deliver(Msg(subject, reply, payload[:-2]), int(sid))
                elif line.startswith(b"HMSG "):
                    parts = line[5:-2].decode().split(" ")
                    if len(parts) == 5:
                        subject, sid, reply, hsize, tsize = parts
                    else:
                        subject, sid, hsize, tsize = parts
                        reply = None
                    payload = await reader.readexactly(int(tsize) + 2)
                    status, description, headers = parse_headers(payload[: int(hsize)])
                    msg = Msg(subject, reply, payload[int(hsize): int(tsize)], headers, status, description)
                    self._deliver(msg, int(sid))
                elif line.startswith(b"PING"):
                    self._write(b"PONG\r\n")
                elif line.startswith(b"PONG"):
                    if self._pongs:
                        future = self._pongs.pop(0)
                        if not future.done():
                            future.set_result(True)
                elif line.startswith(b"+OK") or line.startswith(b"INFO "):
                    pass
                elif line.startswith(b"-ERR"):
                    # Permission or protocol errors; a fatal one closes the connection.
                    pass
        except (asyncio.IncompleteReadError, ConnectionError, OSError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self._fail_all()

    def _fail_all(self) -> None:
        self.closed = True
        for future in list(self._pending.values()) + self._pongs:
            if not future.done():
                future.set_exception(NatsDisconnected("connection lost"))
        self._pending.clear()
        self._pongs.clear()

    def _deliver(self, msg: Msg, sid: int) -> None:
        if sid == getattr(self, "_inbox_sid", None):
            future = self._pending.pop(msg.subject, None)
            if future is not None and not future.done():
                future.set_result(msg)
            return
        sub = self._subs.get(sid)
        if sub is None:
            return
        try:
            sub.queue.put_nowait(msg)
        except asyncio.QueueFull:
            sub.dropped += 1

    def _subscribe_raw(self, subject: str, queue: str | None = None) -> Subscription:
        sid = self._next_sid
        self._next_sid += 1
        sub = Subscription(sid, subject)
        self._subs[sid] = sub
        self._write(f"SUB {subject} {queue + ' ' if queue else ''}{sid}\r\n".encode())
        return sub

    async def subscribe(self, subject: str, queue: str | None = None) -> Subscription:
        sub = self._subscribe_raw(subject, queue)
        await self.flush()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.pop(sub.sid, None)
        if not self.closed:
            self._write(f"UNSUB {sub.sid}\r\n".encode())

    def publish(self, subject: str, data: bytes = b"", reply: str | None = None,
                headers: dict[str, str] | None = None) -> None:
        reply_part = f" {reply}" if reply else ""
        if headers:
            block = encode_headers(headers)
            total = len(block) + len(data)
            self._write(f"HPUB {subject}{reply_part} {len(block)} {total}\r\n".encode() + block + data + b"\r\n")
        else:
            self._write(f"PUB {subject}{reply_part} {len(data)}\r\n".encode() + data + b"\r\n")

    async def flush(self, timeout: float = 2.0) -> None:
        future = asyncio.get_running_loop().create_future()
        self._pongs.append(future)
        self._write(b"PING\r\n")
        try:
            async with asyncio.timeout(timeout):
                await self._writer.drain()
                await future
        except TimeoutError:
            raise NatsTimeout("no PONG") from None
        except (ConnectionError, OSError) as error:
            self._fail_all()
            raise NatsDisconnected(str(error)) from None

    async def request(self, subject: str, data: bytes = b"", timeout: float = 2.0,
                      headers: dict[str, str] | None = None) -> Msg:
        """Sends a request and waits for its reply. Raises NoResponders, NatsTimeout or
        NatsDisconnected; a service's error reply is returned (see Msg.error_code)."""
        if self.closed:
            raise NatsDisconnected("connection closed")
        self._next_token += 1
        reply = f"{self._inbox_prefix}.{self._next_token}"
        future = asyncio.get_running_loop().create_future()
        self._pending[reply] = future
        try:
            self.publish(subject, data, reply, headers)
            # asyncio.timeout, not wait_for: wait_for (3.11) can swallow a cancellation.
            async with asyncio.timeout(timeout):
                await self._writer.drain()
                msg = await future
        except TimeoutError:
            raise NatsTimeout(f"no reply on {subject} within {timeout}s") from None
        except (ConnectionError, OSError) as error:
            self._fail_all()
            raise NatsDisconnected(str(error)) from None
        finally:
            self._pending.pop(reply, None)
        if msg.status == 503 and not msg.data:
            raise NoResponders(subject)
        return msg

    async def close(self) -> None:
        if self._reader_task is not None:
            self._reader_task.cancel()
            try:
                await self._reader_task
            except BaseException:
                pass
        self._fail_all()
        await self._abort()


class Reconnecting:
    """A client that makes a new connection when the last one is gone (bounded per call).

    Given several servers (a comma-separated list, a cluster), it starts at the `start`-th and,
    like a real client of a cluster, leaves a server after `move_after` requests in a row that
    timed out or found no responders (a node cut off from the others answers nothing useful
    while its connections stay up): the next connection goes to the next server of the list."""

    def __init__(self, url: str, name: str = "chaos", start: int = 0, move_after: int = 3):
        self.url = url
        self.urls = [u.strip() for u in url.split(",") if u.strip()] or [url]
        self.name = name
        self._index = start % len(self.urls)
        self._client: NatsClient | None = None
        self._lock = asyncio.Lock()
        self._streak = 0
        self.move_after = move_after
        self.reconnects = 0
        self.moves = 0

    def _ordered(self) -> str:
        return ",".join(self.urls[self._index:] + self.urls[:self._index])

    async def get(self, timeout: float = 2.0) -> NatsClient:
        async with self._lock:
            if self._client is None or self._client.closed:
                if self._client is not None:
                    await self._client.close()
                    self.reconnects += 1
                self._client = None
                self._client = await NatsClient.connect(self._ordered(), timeout, self.name)
                self._streak = 0
            return self._client

    async def _move(self) -> None:
        async with self._lock:
            if self._client is not None:
                await self._client.close()
                self._client = None
            self._index = (self._index + 1) % len(self.urls)
            self._streak = 0
            self.moves += 1

    async def request(self, subject: str, data: bytes = b"", timeout: float = 2.0,
                      headers: dict[str, str] | None = None) -> Msg:
        client = await self.get(min(timeout, 2.0))
        try:
            reply = await client.request(subject, data, timeout, headers)
        except (NatsTimeout, NoResponders):
            self._streak += 1
            if len(self.urls) > 1 and self._streak >= self.move_after:
                await self._move()
            raise
        self._streak = 0
        return reply

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


# ---- JetStream API ------------------------------------------------------------------------


class JetStreamError(NatsError):
    def __init__(self, error: dict):
        super().__init__(f"{error.get('code')} {error.get('err_code')}: {error.get('description')}")
        self.code = error.get("code")
        self.err_code = error.get("err_code")


async def js_api(client, subject: str, body: dict | None = None, timeout: float = 2.0) -> dict:
    msg = await client.request(subject, json.dumps(body).encode() if body is not None else b"", timeout)
    reply = msg.json()
    if "error" in reply:
        raise JetStreamError(reply["error"])
    return reply


async def stream_info(client, stream: str, timeout: float = 2.0) -> dict:
    return await js_api(client, f"$JS.API.STREAM.INFO.{stream}", None, timeout)


async def stream_update(client, config: dict, timeout: float = 2.0) -> dict:
    """Replaces the stream's configuration (the whole of it, as STREAM.INFO returns it)."""
    return await js_api(client, f"$JS.API.STREAM.UPDATE.{config['name']}", config, timeout)


async def consumer_info(client, stream: str, durable: str, timeout: float = 2.0) -> dict:
    return await js_api(client, f"$JS.API.CONSUMER.INFO.{stream}.{durable}", None, timeout)


@dataclass
class StoredMsg:
    stream: str
    seq: int
    subject: str
    headers: dict[str, str]
    data: bytes


async def stream_get(client, stream: str, seq: int, timeout: float = 2.0) -> StoredMsg | None:
    """The message at `seq`, or None when the stream holds none there (deleted or never)."""
    try:
        reply = await js_api(client, f"$JS.API.STREAM.MSG.GET.{stream}", {"seq": seq}, timeout)
    except JetStreamError as error:
        if error.code == 404:
            return None
        raise
    message = reply["message"]
    headers: dict[str, str] = {}
    if message.get("hdrs"):
        _, _, headers = parse_headers(base64.b64decode(message["hdrs"]))
    data = base64.b64decode(message.get("data", "")) if message.get("data") else b""
    return StoredMsg(stream, int(message["seq"]), message["subject"], headers, data)


async def read_stream(client, stream: str, parallel: int = 32, timeout: float = 5.0) -> list[StoredMsg]:
    """Every message of `stream`, first to last sequence, in sequence order."""
    info = await stream_info(client, stream, timeout)
    state = info["state"]
    first, last = int(state.get("first_seq", 0)), int(state.get("last_seq", 0))
    if last == 0 or first > last:
        return []
    results: dict[int, StoredMsg | None] = {}
    seqs = list(range(first, last + 1))

    async def worker(chunk: list[int]) -> None:
        for seq in chunk:
            results[seq] = await stream_get(client, stream, seq, timeout)

    chunks = [seqs[i::parallel] for i in range(parallel)]
    await asyncio.gather(*(worker(c) for c in chunks if c))
    return [results[s] for s in seqs if results[s] is not None]


def random_id() -> str:
    return os.urandom(8).hex()

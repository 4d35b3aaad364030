#!/usr/bin/python3
"""bench/bench.py: the logistics benchmark, from an empty directory to a table.

Usually started by bench/run, which builds Release first:

    /usr/bin/python3 bench/bench.py --build-dir build-bench [--quick | --smoke] [--markdown]

It needs DIR/orders, DIR/payments and DIR/logistics-bench (the load generator;
every measuring subcommand prints one JSON object on its last stdout line) and
nats-server. Everything runs on 127.0.0.1 under one temporary directory.

Once per run
  0. Seed template: an orders database holding --seed-orders rows. A short-lived
     orders service creates the schema (its own migrations), then Python's
     sqlite3 inserts the rows in one transaction.

Each repetition, on a fresh nats-server store, fresh databases, fresh services
  1. Baselines, no service involved: an `echo` responder answers requests at 1,
     64 and 256 in flight (the floor any NATS request/reply service pays); a
     JetStream async publish rate; SQLite WAL commits of 1 and of 100 rows with
     synchronous=FULL (the floor any durable write pays).
  2. System on empty databases: first orders alone at 256 in flight (how much
     payments' consuming costs), then orders + payments; orders.cmd.create at 1,
     64 and 256 in flight (no failure allowed), with the CPU each process spent
     per create at 256; the ORDERS stream must then hold exactly one event per
     created order; a status-filtered list load.
  3. Commit -> stream: a fresh orders service on a new database takes creates
     paced at 5,000/s; its status reports the relay's commit -> PubAck latency
     and how many creates each durable commit held; the machine's CPU busy
     share is read from /proc/stat. Done twice: first with payments stopped
     (orders alone), then, payments started again, with payments consuming.
  4. Lifecycle: create, assign, register payment, confirm, (paid), dispatch,
     deliver, with orders + payments; no failure allowed.
  5. Growth: a fresh orders service on a copy of the seed template, payments
     still running; creates at 256 in flight and the list load again, compared
     with phase 2.
  6. Memory: peak RSS (VmHWM) of every service process, read just before it is
     stopped.

Before each load on the services, the script waits until they have caught up
with the previous one (outbox published, consumers fetched everything): each
load is measured on a quiet system.

Ratios (create vs echo, 1M vs empty) are taken within a repetition, so that the
machine's state at the time cancels out; the table shows the median and the
range over the repetitions, and the verdict of each target on the median.

Only processes this script started are ever stopped, by pid: SIGTERM, then
SIGKILL after 15 s. A finally block, atexit and SIGINT/SIGTERM handlers make sure
that happens on every way out. Exit status: 0, or 1 when a correctness check
failed (or the run could not be completed), 130 when interrupted. Missed
targets are reported, not failures.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

NATS_READY_TIMEOUT = 20.0  # seconds for nats-server to accept TCP connections
SERVICE_READY_TIMEOUT = 30.0  # seconds for a service to log "service ready"
STOP_TIMEOUT = 15.0  # seconds between SIGTERM and SIGKILL
TOOL_TIMEOUT_GRACE = 60  # seconds a tool may run beyond its own --max-seconds
SETTLE_TIMEOUT = 60.0  # seconds for the services to catch up between loads

CREATE_SUBJECT = "orders.cmd.create"
LIST_SUBJECT = "orders.query.list"
ECHO_SUBJECT = "bench.echo"
# {run} makes tracking numbers unique across invocations (tracking_number is
# UNIQUE), {n} within one.
CREATE_BODY = (
    '{"tracking_number":"TRK-{run}-{n}","customer_name":"Customer {n}",'
    '"customer_email":"c{n}@example.com","origin":"Warehouse 7, Rotterdam",'
    '"destination":"Distribution centre, Antwerp"}'
)
LIST_BODY = '{"status":"CREATED","limit":50}'
WINDOWS = (1, 64, 256)  # requests in flight
SYSTEM = ("orders", "payments")  # the services phases 2 to 5 run


@dataclass(frozen=True)
class Mode:
    """How much work one mode does; quick is about a quarter of default."""

    name: str
    repetitions: int
    requests: dict[int, int]  # requests per in-flight window
    js_publish: int
    sqlite_1row: int  # transactions of 1 row
    sqlite_100rows: int  # transactions of 100 rows
    list_requests: int
    paced_requests: int
    paced_rate: int  # requests/s in phase 3
    lifecycle_orders: int
    seed_orders: int
    max_seconds: int  # cap for each load command
    stream_timeout: int  # seconds stream-check may wait for the relay


MODES = {
    "default": Mode("default", 3, {1: 5_000, 64: 50_000, 256: 100_000}, 100_000, 2_000, 500,
                    2_000, 15_000, 5_000, 20_000, 1_000_000, 300, 120),
    "quick": Mode("quick", 1, {1: 1_250, 64: 12_500, 256: 25_000}, 25_000, 500, 125,
                  500, 5_000, 5_000, 5_000, 100_000, 120, 60),
    # Only to prove every step works (a ctest smoke test): must stay under 60 s.
    "smoke": Mode("smoke", 1, {1: 200, 64: 200, 256: 200}, 1_000, 50, 10,
                  100, 500, 5_000, 100, 2_000, 20, 20),
}

# Targets, judged on the median over repetitions.
TARGETS = {
    "create_w256_per_s": (">=", 20_000),
    "create_w256_vs_echo": (">=", 0.30),
    "create_w1_p50_vs_echo": ("<=", 2.0),
    "commit_to_stream_p99_ms": ("<=", 5.0),
    "lifecycle_per_s": (">=", 2_000),
    "rss_peak_mib_max": ("<=", 64.0),
    "create_1m_vs_empty": (">=", 0.9),
    "list_p99_ms_1m": ("<=", 5.0),
}

# The figures of one repetition, in table order, with what each one means.
FIGURES = [
    ("echo_w1_per_s", "echo responder, 1 in flight, replies/s"),
    ("echo_w1_p50_us", "echo responder, 1 in flight, p50 us"),
    ("echo_w1_p99_us", "echo responder, 1 in flight, p99 us"),
    ("echo_w64_per_s", "echo responder, 64 in flight, replies/s"),
    ("echo_w64_p50_us", "echo responder, 64 in flight, p50 us"),
    ("echo_w64_p99_us", "echo responder, 64 in flight, p99 us"),
    ("echo_w256_per_s", "echo responder, 256 in flight, replies/s"),
    ("echo_w256_p50_us", "echo responder, 256 in flight, p50 us"),
    ("echo_w256_p99_us", "echo responder, 256 in flight, p99 us"),
    ("js_publish_per_s", "JetStream async publish, 330 B, acked msgs/s"),
    ("sqlite_commit_1row_per_s", "SQLite WAL FULL, 1 row/txn, commits/s"),
    ("sqlite_commit_1row_p50_us", "SQLite WAL FULL, 1 row/txn, p50 us"),
    ("sqlite_commit_1row_p99_us", "SQLite WAL FULL, 1 row/txn, p99 us"),
    ("sqlite_commit_100rows_per_s", "SQLite WAL FULL, 100 rows/txn, commits/s"),
    ("sqlite_commit_100rows_rows_per_s", "SQLite WAL FULL, 100 rows/txn, rows/s"),
    ("create_w1_per_s", "create, 1 in flight, orders/s"),
    ("create_w1_p50_us", "create, 1 in flight, p50 us"),
    ("create_w1_p99_us", "create, 1 in flight, p99 us"),
    ("create_w1_p50_vs_echo", "create p50 / echo p50, 1 in flight"),
    ("create_w1_floor_vs_echo", "(echo p50 + 1-row commit p50) / echo p50: the floor"),
    ("create_w64_per_s", "create, 64 in flight, orders/s"),
    ("create_w64_p50_us", "create, 64 in flight, p50 us"),
    ("create_w64_p99_us", "create, 64 in flight, p99 us"),
    ("create_w256_per_s", "create, 256 in flight, orders/s"),
    ("create_w256_p50_us", "create, 256 in flight, p50 us"),
    ("create_w256_p99_us", "create, 256 in flight, p99 us"),
    ("create_w256_vs_echo", "create rate / echo rate, 256 in flight"),
    ("create_alone_w256_per_s", "create, 256 in flight, orders without payments, orders/s"),
    ("cpu_us_per_create_orders", "CPU per create at 256 in flight: orders, us"),
    ("cpu_us_per_create_payments", "CPU per create at 256 in flight: payments (consuming it), us"),
    ("cpu_us_per_create_nats", "CPU per create at 256 in flight: nats-server, us"),
    ("cpu_us_per_create_client", "CPU per create at 256 in flight: load generator, us"),
    ("stream_messages", "ORDERS events after the creates (= orders created)"),
    ("list_p50_ms_empty", "list CREATED limit 50, unseeded DB, p50 ms"),
    ("list_p99_ms_empty", "list CREATED limit 50, unseeded DB, p99 ms"),
    ("cpu_us_per_create_total", "CPU per create at 256 in flight: all four processes, us"),
    ("create_w256_cpu_bound_per_s", "creates/s all cores could run at that CPU per create"),
    ("paced_alone_create_p99_ms", "orders alone, create paced at 5,000/s, client p99 ms"),
    ("paced_alone_cpu_busy_pct", "orders alone, paced at 5,000/s: machine CPU busy, %"),
    ("commit_to_stream_alone_creates_per_commit", "orders alone, paced: creates per durable commit"),
    ("commit_to_stream_alone_p50_ms", "orders alone, relay commit -> PubAck, p50 ms"),
    ("commit_to_stream_alone_p99_ms", "orders alone, relay commit -> PubAck, p99 ms"),
    ("paced_create_per_s", "create paced at 5,000/s, achieved orders/s"),
    ("paced_create_p50_ms", "create paced at 5,000/s, client p50 ms"),
    ("paced_create_p99_ms", "create paced at 5,000/s, client p99 ms"),
    ("paced_cpu_busy_pct", "paced at 5,000/s with payments: machine CPU busy, %"),
    ("commit_to_stream_creates_per_commit", "paced with payments: creates per durable commit"),
    ("commit_to_stream_p50_ms", "relay commit -> PubAck, p50 ms"),
    ("commit_to_stream_p99_ms", "relay commit -> PubAck, p99 ms"),
    ("lifecycle_per_s", "order lifecycles (7 steps) completed/s"),
    ("cpu_us_per_lifecycle", "CPU per lifecycle, all four processes, us"),
    ("lifecycle_cpu_bound_per_s", "lifecycles/s all cores could run at that CPU per lifecycle"),
    ("create_1m_w256_per_s", "create on seeded DB, 256 in flight, orders/s"),
    ("create_1m_w256_p99_us", "create on seeded DB, 256 in flight, p99 us"),
    ("create_1m_vs_empty", "create rate seeded / unseeded, 256 in flight"),
    ("list_p50_ms_1m", "list CREATED limit 50, seeded DB, p50 ms"),
    ("list_p99_ms_1m", "list CREATED limit 50, seeded DB, p99 ms"),
    ("rss_orders_mib", "orders peak RSS (VmHWM), MiB, max of its processes"),
    ("rss_orders_1m_mib", "orders peak RSS on the seeded DB, MiB"),
    ("rss_payments_mib", "payments peak RSS (VmHWM), MiB"),
    ("rss_peak_mib_max", "peak RSS of any service process, MiB"),
]

# Top-level keys of the JSON output, each the median over repetitions.
HEADLINE_KEYS = [
    "create_w1_p50_us", "echo_w1_p50_us", "create_w1_p50_vs_echo",
    "create_w256_per_s", "echo_w256_per_s", "create_w256_vs_echo",
    "commit_to_stream_p99_ms", "lifecycle_per_s", "rss_peak_mib_max",
    "create_1m_vs_empty", "list_p99_ms_1m",
]


class BenchError(Exception):
    """The run cannot go on (a process would not start, a tool crashed...)."""


class Interrupted(Exception):
    """SIGINT or SIGTERM reached this script."""


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(cannot read {path}: {error})"


# ---- processes ----------------------------------------------------------------


@dataclass
class Started:
    name: str
    popen: subprocess.Popen
    log: Path


class Processes:
    """The processes this script started. It stops those, by pid, and no other."""

    def __init__(self) -> None:
        self._running: list[Started] = []

    def start(self, name: str, argv: list[str], log_path: Path, stdout=None) -> Started:
        """Starts argv with stderr (and stdout unless given) in log_path.

        A session of its own keeps a Ctrl-C in the terminal away from it: this
        script stops it, in order (services before nats-server, so they can
        flush their outbox)."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log_file:
            popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=log_file if stdout is None else stdout,
                                     stderr=log_file, start_new_session=True)
        started = Started(name, popen, log_path)
        self._running.append(started)
        return started

    def stop(self, started: Started) -> int | None:
        """SIGTERM, up to STOP_TIMEOUT to exit, then SIGKILL; returns the exit status."""
        popen = started.popen
        if popen.poll() is None:
            popen.send_signal(signal.SIGTERM)  # by pid; Popen never signals a reaped pid
            try:
                popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log(f"{started.name} (pid {popen.pid}) did not stop within {STOP_TIMEOUT:.0f} s; killing it")
                popen.kill()
                popen.wait()
        if started in self._running:
            self._running.remove(started)
        return popen.returncode

    def stop_all(self) -> None:
        """Stops everything still running, the most recently started first."""
        for started in reversed(list(self._running)):
            self.stop(started)


def free_port() -> int:
    """A TCP port that was free a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --metrics: how often each service's /metrics is fetched (a busy Prometheus
# scrapes every 15 s; this is the pessimistic end).
METRICS_SCRAPE_INTERVAL = 1.0


def scrape_while_running(started: Started, url: str, interval: float) -> None:
    """GETs url every interval seconds on a daemon thread, until the process exits."""
    import threading
    import urllib.request

    def scrape() -> None:
        while started.popen.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    response.read()
            except OSError:
                pass  # stopping, or a slow scrape: the next one will tell
            time.sleep(interval)

    threading.Thread(target=scrape, name=f"scrape-{started.name}", daemon=True).start()


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(ready, started: Started, what: str, timeout: float) -> None:
    """Polls ready() until true; fails with the end of the log if the process
    exits or the time is up."""
    deadline = time.monotonic() + timeout
    while not ready():
        if started.popen.poll() is not None:
            raise BenchError(f"{started.name} exited with status {started.popen.returncode} "
                             f"before {what}; last lines of {started.log}:\n{tail(started.log)}")
        if time.monotonic() > deadline:
            raise BenchError(f"{started.name} not {what} within {timeout:.0f} s; "
                             f"last lines of {started.log}:\n{tail(started.log)}")
        time.sleep(0.05)


def log_has_line(path: Path, text: str) -> bool:
    try:
        with open(path, errors="replace") as lines:
            return any(text in line for line in lines)
    except FileNotFoundError:
        return False


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM, the process's peak resident set, in MiB (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # the kernel reports kB
    except OSError:
        pass
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()  # the name may hold spaces
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat(5); fields[0] is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat:
    busy is everything but idle and iowait."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def last_json_line(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line:
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                return None
            return value if isinstance(value, dict) else None
    return None


# ---- machine ------------------------------------------------------------------


def filesystem_of(path: Path) -> str:
    """The type of the filesystem holding path (tmpfs would make fsync free)."""
    best, best_type = "", "unknown"
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:
                fields = line.split()
                mount_point, fs_type = fields[1], fields[2]
                if str(path).startswith(mount_point) and len(mount_point) > len(best):
                    best, best_type = mount_point, fs_type
    except OSError:
        pass
    return best_type


def machine_info(nats_bin: str, tmp_root: Path) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                cpu = value.strip()
                break
    except OSError:
        pass
    memory_mib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mib = int(line.split()[1]) // 1024
    except OSError:
        pass
    try:
        nats_version = subprocess.run([nats_bin, "--version"], capture_output=True, text=True,
                                      timeout=10).stdout.strip().removeprefix("nats-server: ")
    except (OSError, subprocess.TimeoutExpired):
        nats_version = "unknown"
    return {
        "cpu": cpu,
        "nproc": len(os.sched_getaffinity(0)),
        "memory_mib": memory_mib,
        "kernel": os.uname().release,
        "nats_server": nats_version,
        "sqlite": sqlite3.sqlite_version,
        "tmp_filesystem": f"{tmp_root.parent} ({filesystem_of(tmp_root)})",
    }


# ---- seed template --------------------------------------------------------------

STATUSES = ("CREATED", "ASSIGNED", "PAID", "IN_TRANSIT", "DELIVERED", "CANCELLED")
VERSION_OF = {"CREATED": 1, "ASSIGNED": 2, "PAID": 3, "IN_TRANSIT": 4, "DELIVERED": 4,
              "CANCELLED": 2}
CUSTOMERS = 10_000  # distinct customer names, so the per-customer indexes have depth
PLACES = ("Warehouse 7, Rotterdam", "Distribution centre, Antwerp", "Hub Hamburg",
          "Depot Lyon", "Port of Valencia", "Cross-dock Milan")


def uuid_v7(millis: int, n: int) -> str:
    """A UUIDv7 as common::UuidV7Generator writes it: 48-bit Unix milliseconds,
    version 7, a 12-bit counter, variant 10, 62 more bits; lower-case hex."""
    scrambled = (n * 0x9E3779B97F4A7C15) & 0xFFFF_FFFF_FFFF  # spreads n, stays unique per n
    return (f"{millis >> 16:08x}-{millis & 0xFFFF:04x}-7{n & 0xFFF:03x}-"
            f"{0x8000 | ((n >> 12) & 0x3FFF):04x}-{scrambled:012x}")


def seed_rows(count: int, first_millis: int):
    """The rows of `orders`, one order per millisecond from first_millis, so that
    order_id (UUIDv7) sorts like created_at, as it does for real orders.
    Timestamps are Unix milliseconds (SqliteOrderUnitOfWork binds ToUnixMillis)."""
    for n in range(count):
        millis = first_millis + n
        status = STATUSES[n % len(STATUSES)]
        version = VERSION_OF[status]
        customer = n % CUSTOMERS
        origin = PLACES[n % len(PLACES)]
        destination = PLACES[(n + 1) % len(PLACES)]  # never the origin
        driver = f"driver-{n % 500}" if status in ("ASSIGNED", "PAID", "IN_TRANSIT", "DELIVERED") else None
        reason = "customer request" if status == "CANCELLED" else None
        yield (uuid_v7(millis, n), f"SEED-{n:08d}", f"Customer {customer}",
               f"c{customer}@example.com", origin, destination, status, driver, reason,
               millis, millis + 60_000 * (version - 1), version)


def insert_seed_rows(db_path: Path, count: int) -> None:
    """Inserts count orders into an already migrated database, in one transaction."""
    # A day before now: every order the benchmark creates sorts after the seed.
    first_millis = int(time.time() * 1000) - count - 86_400_000
    connection = sqlite3.connect(db_path, isolation_level=None)
    try:
        # Only this template is at stake: no fsync per page, a cache that holds
        # the whole build so the B-trees are written once.
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-1048576")  # 1 GiB
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO orders (order_id, tracking_number, customer_name, customer_email,"
            " origin, destination, status, driver_id, cancellation_reason, created_at,"
            " updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            seed_rows(count, first_millis))
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (stored,) = connection.execute("SELECT count(*) FROM orders").fetchone()
    finally:
        connection.close()
    if stored != count:
        raise BenchError(f"the seed template holds {stored} orders, not {count}")


def copy_database(source: Path, target: Path) -> None:
    """Copies an SQLite database with its -wal and -shm files, if any."""
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


# ---- the benchmark ----------------------------------------------------------------


class Bench:
    """One benchmark run: the phases, the processes they start, the checks."""

    def __init__(self, args: argparse.Namespace, mode: Mode, tmp: Path) -> None:
        self.args = args
        self.mode = mode
        self.tmp = tmp
        self.build_dir = Path(args.build_dir).resolve()
        self.tool = str(self.build_dir / "logistics-bench")
        self.nats_bin = find_nats_server()
        self.processes = Processes()
        self.failures: list[str] = []  # correctness checks that failed
        self.notes: list[str] = []  # figures that could not be measured, and why
        self.seed_seconds: float | None = None
        self.tool_runs = 0
        self.nats: Started | None = None  # the nats-server of the current repetition
        self.last_tool_cpu: float | None = None  # CPU seconds of the last logistics-bench run

    # -- helpers --

    def note(self, message: str) -> None:
        """Something odd that is not a correctness failure, repeated under the table."""
        log(f"  note: {message}")
        if message not in self.notes:
            self.notes.append(message)

    def check(self, condition: bool, message: str) -> bool:
        """A correctness check: a failure is recorded (exit status 1), the run goes on."""
        if not condition:
            log(f"CHECK FAILED: {message}")
            self.failures.append(message)
        return condition

    def start_nats(self, workdir: Path) -> tuple[Started, str]:
        port = free_port()
        started = self.processes.start(
            "nats-server",
            [self.nats_bin, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(workdir / "nats-store")],
            workdir / "logs" / "nats-server.log")
        wait_until(lambda: accepts_connections(port), started, "accepting connections",
                   NATS_READY_TIMEOUT)
        self.nats = started
        return started, f"nats://127.0.0.1:{port}"

    def start_service(self, name: str, url: str, db: Path, label: str) -> Started:
        log_path = db.parent / "logs" / f"{label}.log"
        argv = [str(self.build_dir / name), "--nats-url", url, "--db", str(db)]
        metrics_url = None
        if self.args.metrics:
            port = free_port()
            argv += ["--metrics-address", f"127.0.0.1:{port}"]
            metrics_url = f"http://127.0.0.1:{port}/metrics"
        started = self.processes.start(label, argv, log_path)
        wait_until(lambda: log_has_line(log_path, "service ready"), started, "ready",
                   SERVICE_READY_TIMEOUT)
        if metrics_url:
            scrape_while_running(started, metrics_url, METRICS_SCRAPE_INTERVAL)
        return started

    def stop_service(self, started: Started) -> float | None:
        """Stops a service; returns its peak RSS in MiB, read just before."""
        rss = peak_rss_mib(started.popen.pid)
        status = self.processes.stop(started)
        self.check(status == 0, f"{started.name} exited with status {status} when stopped "
                                f"(log {started.log})")
        return rss

    def tool_json(self, label: str, argv: list[str], timeout: float) -> dict:
        """Runs one logistics-bench subcommand to completion and returns the JSON
        object on the last line of its stdout. It is registered like any other
        process, so an interruption stops it too."""
        self.tool_runs += 1  # numbered logs: the order of the run, one file per invocation
        log_path = self.tmp / "logs" / f"{self.tool_runs:03d}-{label}.stderr"
        started = self.processes.start(label, [self.tool, *argv], log_path, stdout=subprocess.PIPE)
        children_before = os.times()
        try:
            stdout, _ = started.popen.communicate(timeout=timeout)
            children_after = os.times()
            # Reaped children's CPU: this tool alone, as it runs by itself.
            self.last_tool_cpu = ((children_after.children_user - children_before.children_user)
                                  + (children_after.children_system - children_before.children_system))
        except subprocess.TimeoutExpired:
            self.processes.stop(started)
            raise BenchError(f"logistics-bench {argv[0]} ran over {timeout:.0f} s; "
                             f"stderr:\n{tail(log_path)}") from None
        self.processes.stop(started)  # already exited; this only unregisters it
        text = stdout.decode(errors="replace")
        result = last_json_line(text)
        if result is None:
            raise BenchError(f"logistics-bench {argv[0]} exited with status {started.popen.returncode} "
                             f"and no JSON on its last stdout line; stdout:\n{text[-2000:]}\n"
                             f"stderr:\n{tail(log_path)}")
        if started.popen.returncode != 0:
            self.check(False, f"logistics-bench {argv[0]} ({label}) exited with status "
                              f"{started.popen.returncode}: {tail(log_path, 5)}")
        return result

    def requests(self, label: str, url: str, subject: str, body: str, in_flight: int,
                 count: int, rate: int | None = None) -> dict:
        argv = ["requests", "--url", url, "--subject", subject, "--body", body,
                "--in-flight", str(in_flight), "--count", str(count),
                "--max-seconds", str(self.mode.max_seconds)]
        if rate is not None:
            argv += ["--rate", str(rate)]
        result = self.tool_json(label, argv, self.mode.max_seconds + TOOL_TIMEOUT_GRACE)
        ok, failed = result.get("ok", 0), result.get("failed", 0)
        self.check(failed == 0, f"{label}: {failed} of {result.get('sent')} requests failed; "
                                f"first error: {result.get('first_error')}")
        self.check(ok + failed >= count, f"{label}: only {ok + failed} of {count} requests "
                                         f"answered within {self.mode.max_seconds} s")
        log(f"  {label}: {result.get('per_s') or 0:,.0f}/s, p50 {result.get('p50_us') or 0:,.0f} us, "
            f"p99 {result.get('p99_us') or 0:,.0f} us")
        return result

    def windowed_requests(self, figures: dict, prefix: str, url: str, subject: str,
                          services: tuple[str, ...] = (),
                          cpu_of: dict[str, Started] | None = None) -> dict[int, dict]:
        """Requests at 1, 64 and 256 in flight; records <prefix>_w<N>_{per_s,p50_us,p99_us}.
        Each window starts once the services have caught up with the previous one. With
        cpu_of, also the CPU each of those processes (and the load generator) spent per
        request at 256 in flight, until the services caught up: cpu_us_per_create_<name>."""
        results = {}
        for window in WINDOWS:
            self.settle(url, services)
            measured = cpu_of if window == 256 and cpu_of else {}
            before = {name: cpu_seconds(started.popen.pid) for name, started in measured.items()}
            result = self.requests(f"{prefix}-w{window}", url, subject, CREATE_BODY, window,
                                   self.mode.requests[window])
            if measured:
                tool_cpu = self.last_tool_cpu
                self.settle(url, services)  # the relay's and the consumers' share too
                ok = result.get("ok") or 0
                for name, started in measured.items():
                    after = cpu_seconds(started.popen.pid)
                    spent = None if after is None or before[name] is None else after - before[name]
                    figures[f"cpu_us_per_create_{name}"] = (round(spent * 1e6 / ok, 1)
                                                            if spent is not None and ok else None)
                figures["cpu_us_per_create_client"] = (round(tool_cpu * 1e6 / ok, 1)
                                                       if tool_cpu is not None and ok else None)
            figures[f"{prefix}_w{window}_per_s"] = result.get("per_s")
            figures[f"{prefix}_w{window}_p50_us"] = result.get("p50_us")
            figures[f"{prefix}_w{window}_p99_us"] = result.get("p99_us")
            results[window] = result
        return results

    def list_load(self, label: str, url: str) -> dict:
        return self.requests(label, url, LIST_SUBJECT, LIST_BODY, 1, self.mode.list_requests)

    # -- once per run --

    def prepare_seed_template(self) -> Path:
        """Phase 0: an orders database with seed_orders rows, copied by every repetition."""
        workdir = self.tmp / "seed"
        db = workdir / "orders.db"
        log(f"seeding a template with {self.args.seed_orders:,} orders")
        began = time.monotonic()
        # The service's own migrations create the schema, so the template is
        # exactly what the service expects.
        nats, url = self.start_nats(workdir)
        orders = self.start_service("orders", url, db, "seed-orders")
        self.stop_service(orders)
        self.processes.stop(nats)
        insert_seed_rows(db, self.args.seed_orders)
        self.seed_seconds = time.monotonic() - began
        size_mib = db.stat().st_size / 2**20
        log(f"seeded {self.args.seed_orders:,} orders in {self.seed_seconds:.1f} s ({size_mib:.0f} MiB)")
        return db

    # -- one repetition --

    def run_repetition(self, index: int, seed_template: Path) -> dict:
        workdir = self.tmp / f"rep-{index}"
        workdir.mkdir()
        figures: dict = {"repetition": index}
        rss: dict[str, list[float | None]] = {"orders": [], "payments": [], "orders_1m": []}
        nats, url = self.start_nats(workdir)
        log(f"repetition {index}: nats-server on {url}")

        self.phase_baselines(workdir, url, figures)
        orders, payments = self.phase_system_empty(workdir, url, figures)
        rss["orders"].append(self.stop_service(orders))
        rss["payments"].append(self.stop_service(payments))
        rss["orders"].append(self.stop_service(
            self.phase_commit_to_stream(workdir, url, figures, "commit_to_stream_alone", "orders-paced-alone")))
        payments = self.start_service("payments", url, workdir / "payments.db", "payments-2")
        orders = self.phase_commit_to_stream(workdir, url, figures, "commit_to_stream", "orders-paced")
        self.phase_lifecycle(url, figures, {"orders": orders, "payments": payments, "nats": nats})
        rss["orders"].append(self.stop_service(orders))
        # payments stays: phase 5 compares with phase 2, which ran beside it.
        orders = self.phase_growth(workdir, url, seed_template, figures)
        rss["orders_1m"].append(self.stop_service(orders))
        rss["payments"].append(self.stop_service(payments))
        self.processes.stop(nats)

        self.record_rss(rss, figures)
        self.record_ratios(figures)
        return figures

    def phase_baselines(self, workdir: Path, url: str, figures: dict) -> None:
        log("phase 1: baselines (echo responder, JetStream publish, SQLite commits)")
        echo_log = workdir / "logs" / "echo.log"
        echo = self.processes.start("echo", [self.tool, "echo", "--url", url, "--subject", ECHO_SUBJECT],
                                    echo_log)
        wait_until(lambda: log_has_line(echo_log, "ready"), echo, "ready", SERVICE_READY_TIMEOUT)
        self.windowed_requests(figures, "echo", url, ECHO_SUBJECT)
        self.processes.stop(echo)

        published = self.tool_json(
            "js-publish", ["js-publish", "--url", url, "--count", str(self.mode.js_publish),
                           "--size", "330", "--window", "256", "--max-seconds", str(self.mode.max_seconds)],
            self.mode.max_seconds + TOOL_TIMEOUT_GRACE)
        figures["js_publish_per_s"] = published.get("per_s")
        log(f"  js-publish: {published.get('per_s') or 0:,.0f}/s")

        # One file per row size: each run starts from an empty database.
        for rows, count, key in ((1, self.mode.sqlite_1row, "1row"), (100, self.mode.sqlite_100rows, "100rows")):
            result = self.tool_json(
                f"sqlite-commit-{key}",
                ["sqlite-commit", "--db", str(workdir / f"baseline-{key}.db"), "--rows-per-txn", str(rows),
                 "--count", str(count), "--max-seconds", str(self.mode.max_seconds)],
                self.mode.max_seconds + TOOL_TIMEOUT_GRACE)
            figures[f"sqlite_commit_{key}_per_s"] = result.get("commits_per_s")
            if rows == 1:
                figures["sqlite_commit_1row_p50_us"] = result.get("p50_us")
                figures["sqlite_commit_1row_p99_us"] = result.get("p99_us")
            else:
                figures["sqlite_commit_100rows_rows_per_s"] = result.get("rows_per_s")
            log(f"  sqlite-commit {rows} row(s)/txn: {result.get('commits_per_s') or 0:,.0f} commits/s, "
                f"p50 {result.get('p50_us') or 0:,.0f} us")

    def phase_system_empty(self, workdir: Path, url: str, figures: dict) -> tuple[Started, Started]:
        log("phase 2: orders alone, then orders + payments, on empty databases")
        orders = self.start_service("orders", url, workdir / "orders.db", "orders")
        # Orders alone first: how much of the system's rate goes to payments
        # consuming every order event on the same two cores.
        alone = self.requests("create-alone-w256", url, CREATE_SUBJECT, CREATE_BODY, 256,
                              self.mode.requests[256])
        figures["create_alone_w256_per_s"] = alone.get("per_s")
        payments = self.start_service("payments", url, workdir / "payments.db", "payments")
        results = self.windowed_requests(
            figures, "create", url, CREATE_SUBJECT, SYSTEM,
            cpu_of={"orders": orders, "payments": payments, "nats": self.nats})

        # Every acknowledged create must reach the stream exactly once.
        created = alone.get("ok", 0) + sum(result.get("ok", 0) for result in results.values())
        check = self.tool_json(
            "stream-check", ["stream-check", "--url", url, "--stream", "ORDERS", "--expect", str(created),
                             "--timeout-seconds", str(self.mode.stream_timeout)],
            self.mode.stream_timeout + TOOL_TIMEOUT_GRACE)
        figures["stream_messages"] = check.get("messages")
        self.check(check.get("ok") is True,
                   f"stream-check: ORDERS holds {check.get('messages')} messages "
                   f"({check.get('distinct_subjects')} distinct) for {created} created orders")
        log(f"  stream-check: {check.get('messages')} messages for {created} orders, ok={check.get('ok')}")

        # "Empty" means not seeded: the list runs over the orders just created,
        # so that it returns full pages, as it does on the seeded database.
        self.settle(url, SYSTEM)
        listed = self.list_load("list-empty", url)
        figures["list_p50_ms_empty"] = us_to_ms(listed.get("p50_us"))
        figures["list_p99_ms_empty"] = us_to_ms(listed.get("p99_us"))
        return orders, payments

    def phase_commit_to_stream(self, workdir: Path, url: str, figures: dict, prefix: str,
                               label: str) -> Started:
        """A fresh orders service, so that its relay statistics cover this load only.
        Run twice: with orders alone (prefix commit_to_stream_alone), then with
        payments consuming every event (commit_to_stream, the targeted figure)."""
        alone = prefix.endswith("_alone")
        log(f"phase 3: commit -> stream at {self.mode.paced_rate:,}/s, "
            f"{'orders alone' if alone else 'orders + payments'}")
        orders = self.start_service("orders", url, workdir / f"{label}.db", label)
        self.settle(url, ("orders",) if alone else SYSTEM)
        busy_before, total_before = machine_cpu_ticks()
        paced = self.requests(f"create-{label}", url, CREATE_SUBJECT, CREATE_BODY, 256,
                              self.mode.paced_requests, rate=self.mode.paced_rate)
        busy_after, total_after = machine_cpu_ticks()
        paced_figures = {
            "paced_create_per_s": paced.get("per_s"),
            "paced_create_p50_ms": us_to_ms(paced.get("p50_us")),
            "paced_create_p99_ms": us_to_ms(paced.get("p99_us")),
            # How busy both cores were: the paced rate is far below the
            # closed-loop one, but each commit holds only a few creates.
            "paced_cpu_busy_pct": (round(100.0 * (busy_after - busy_before) / (total_after - total_before), 1)
                                   if total_after > total_before else None),
        }
        for key, value in paced_figures.items():
            figures[key.replace("paced_", "paced_alone_") if alone else key] = value

        latency = self.relay_latency(url)
        figures[f"{prefix}_p50_ms"] = us_to_ms(latency.get("p50"))
        figures[f"{prefix}_p99_ms"] = us_to_ms(latency.get("p99"))
        writer = self.service_status(url, "orders").get("writer") or {}
        if writer.get("durable_commits"):
            figures[f"{prefix}_creates_per_commit"] = round(
                writer.get("changes_committed", 0) / writer["durable_commits"], 2)
        if latency:
            log(f"  commit -> PubAck: p50 {figures[f'{prefix}_p50_ms']} ms, "
                f"p99 {figures[f'{prefix}_p99_ms']} ms over {latency.get('count')} events")
        return orders

    def service_status(self, url: str, service: str) -> dict:
        return self.tool_json(f"status-{service}", ["status", "--url", url, "--service", service], 30)

    def settle(self, url: str, services: tuple[str, ...]) -> dict[str, dict]:
        """Waits until every service's outbox is published and its consumers have
        fetched everything, so that a load does not pay for the previous one's
        tail (the relay publishing, payments consuming ORDERS). Returns the last
        status of each service."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        statuses: dict[str, dict] = {}
        for service in services:
            while True:
                statuses[service] = status = self.service_status(url, service)
                backlog = backlog_of(status)
                if not backlog:
                    break
                if time.monotonic() > deadline:
                    self.note(f"{service} had not caught up after {SETTLE_TIMEOUT:.0f} s: {backlog}")
                    break
                time.sleep(0.1)
        return statuses

    def relay_latency(self, url: str) -> dict:
        """relay.commit_to_ack_us from the orders status, once the outbox is
        empty, so that every commit of the load is counted."""
        status = self.settle(url, ("orders",))["orders"]
        latency = (status.get("relay") or {}).get("commit_to_ack_us")
        if not isinstance(latency, dict):
            self.note("the orders status reports no relay.commit_to_ack_us, so "
                      "commit_to_stream_* are n/a")
            return {}
        return latency

    def phase_lifecycle(self, url: str, figures: dict, cpu_of: dict[str, Started]) -> None:
        log(f"phase 4: {self.mode.lifecycle_orders:,} order lifecycles, 256 in flight")
        self.settle(url, SYSTEM)
        before = {name: cpu_seconds(started.popen.pid) for name, started in cpu_of.items()}
        result = self.tool_json(
            "lifecycle", ["lifecycle", "--url", url, "--orders", str(self.mode.lifecycle_orders),
                          "--in-flight", "256", "--max-seconds", str(self.mode.max_seconds)],
            self.mode.max_seconds + TOOL_TIMEOUT_GRACE)
        tool_cpu = self.last_tool_cpu
        self.settle(url, SYSTEM)  # the last events' relaying and consuming count too
        figures["lifecycle_per_s"] = result.get("per_s")
        completed, failed = result.get("completed", 0), result.get("failed", 0)
        # Like creates, lifecycles are bound by the CPU all processes spend on one.
        spent = [cpu_seconds(started.popen.pid) - before[name] for name, started in cpu_of.items()
                 if before[name] is not None and cpu_seconds(started.popen.pid) is not None]
        if completed and len(spent) == len(cpu_of) and tool_cpu is not None:
            per_lifecycle = (sum(spent) + tool_cpu) * 1e6 / completed
            figures["cpu_us_per_lifecycle"] = round(per_lifecycle, 1)
            figures["lifecycle_cpu_bound_per_s"] = round((os.cpu_count() or 1) * 1e6 / per_lifecycle)
        self.check(failed == 0, f"lifecycle: {failed} orders failed; first error: {result.get('first_error')}")
        self.check(completed == self.mode.lifecycle_orders,
                   f"lifecycle: {completed} of {self.mode.lifecycle_orders} orders completed")
        log(f"  lifecycle: {completed} completed, {failed} failed, {result.get('per_s') or 0:,.0f}/s")

    def phase_growth(self, workdir: Path, url: str, seed_template: Path, figures: dict) -> Started:
        log(f"phase 5: orders on a copy of the {self.args.seed_orders:,}-order template")
        db = workdir / "orders-1m.db"
        copy_database(seed_template, db)
        orders = self.start_service("orders", url, db, "orders-1m")
        self.settle(url, SYSTEM)
        created = self.requests("create-1m-w256", url, CREATE_SUBJECT, CREATE_BODY, 256,
                                self.mode.requests[256])
        figures["create_1m_w256_per_s"] = created.get("per_s")
        figures["create_1m_w256_p99_us"] = created.get("p99_us")
        self.settle(url, SYSTEM)
        listed = self.list_load("list-1m", url)
        figures["list_p50_ms_1m"] = us_to_ms(listed.get("p50_us"))
        figures["list_p99_ms_1m"] = us_to_ms(listed.get("p99_us"))
        return orders

    # -- derived figures --

    @staticmethod
    def record_rss(rss: dict[str, list[float | None]], figures: dict) -> None:
        def peak(values):
            known = [value for value in values if value is not None]
            return round(max(known), 1) if known else None

        figures["rss_orders_mib"] = peak(rss["orders"] + rss["orders_1m"])
        figures["rss_orders_1m_mib"] = peak(rss["orders_1m"])
        figures["rss_payments_mib"] = peak(rss["payments"])
        figures["rss_peak_mib_max"] = peak(rss["orders"] + rss["orders_1m"] + rss["payments"])

    @staticmethod
    def record_ratios(figures: dict) -> None:
        """Ratios within the repetition, so that both sides saw the same machine state."""
        figures["create_w1_p50_vs_echo"] = ratio(figures.get("create_w1_p50_us"), figures.get("echo_w1_p50_us"))
        # A create cannot be answered before a request/reply hop and a durable
        # commit: their sum is the lowest create_w1_p50_vs_echo this machine allows.
        if figures.get("echo_w1_p50_us") and figures.get("sqlite_commit_1row_p50_us") is not None:
            figures["create_w1_floor_vs_echo"] = ratio(
                figures["echo_w1_p50_us"] + figures["sqlite_commit_1row_p50_us"], figures["echo_w1_p50_us"])
        figures["create_w256_vs_echo"] = ratio(figures.get("create_w256_per_s"), figures.get("echo_w256_per_s"))
        figures["create_1m_vs_empty"] = ratio(figures.get("create_1m_w256_per_s"),
                                              figures.get("create_w256_per_s"))
        # Everything runs on this machine's cores: the CPU a create costs all
        # four processes bounds the rate, whatever the latency.
        parts = [figures.get(f"cpu_us_per_create_{name}") for name in ("orders", "payments", "nats", "client")]
        if all(part is not None for part in parts) and sum(parts) > 0:
            figures["cpu_us_per_create_total"] = round(sum(parts), 1)
            figures["create_w256_cpu_bound_per_s"] = round((os.cpu_count() or 1) * 1e6 / sum(parts))

    # -- the whole run --

    def run(self) -> list[dict]:
        """The seed template, then every repetition; returns their figures."""
        seed_template = self.prepare_seed_template()
        runs = []
        for index in range(1, self.repetitions + 1):
            runs.append(self.run_repetition(index, seed_template))
        return runs

    @property
    def repetitions(self) -> int:
        return self.args.repetitions or self.mode.repetitions


def backlog_of(status: dict) -> dict:
    """What a service status says is still to do: unpublished outbox events and
    events its consumers have not fetched yet. Empty when the service is idle."""
    backlog = {}
    unpublished = (status.get("outbox") or {}).get("unpublished") or 0
    if unpublished:
        backlog["outbox_unpublished"] = unpublished
    for durable, consumer in (status.get("consumers") or {}).items():
        if isinstance(consumer, dict) and consumer.get("pending"):
            backlog[f"{durable}_pending"] = consumer["pending"]
    return backlog


def us_to_ms(value) -> float | None:
    return None if value is None else round(value / 1000.0, 3)


def ratio(numerator, denominator) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def find_nats_server() -> str:
    """NATS_SERVER_BIN, else nats-server in PATH, else /usr/sbin/nats-server."""
    return os.environ.get("NATS_SERVER_BIN") or shutil.which("nats-server") or "/usr/sbin/nats-server"


# ---- report -------------------------------------------------------------------------


def summarize(runs: list[dict]) -> dict:
    summary = {}
    for key, _ in FIGURES:
        values = [run[key] for run in runs if run.get(key) is not None]
        if values:
            summary[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
        else:
            summary[key] = {"median": None, "min": None, "max": None}
    return summary


def verdict(key: str, median) -> tuple[str, str]:
    """(target text, PASS/MISS/n/a) for a targeted figure; ("", "") otherwise."""
    if key not in TARGETS:
        return "", ""
    op, bound = TARGETS[key]
    target = f"{op} {bound:,g}"
    if median is None:
        return target, "n/a"
    passed = median >= bound if op == ">=" else median <= bound
    return target, "PASS" if passed else "MISS"


def format_number(value) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value else "0"


def table_rows(summary: dict) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for key, description in FIGURES:
        stats = summary[key]
        if stats["median"] is None:
            spread = "n/a"
        elif stats["min"] == stats["max"]:
            spread = format_number(stats["median"])
        else:
            spread = (f"{format_number(stats['median'])} "
                      f"[{format_number(stats['min'])}..{format_number(stats['max'])}]")
        target, result = verdict(key, stats["median"])
        rows.append((key, spread, target, result, description))
    return rows


HEADER = ("figure", "median [min..max]", "target", "result", "meaning")


def print_table(rows: list[tuple], machine: dict, report: dict) -> None:
    print()
    print("machine")
    for key, value in machine.items():
        print(f"  {key:<15} {value}")
    print(f"mode: {report['mode']}, repetitions: {report['repetitions']}, "
          f"seed orders: {report['seed_orders']:,} (seeded in {report['seed_seconds']:.1f} s)")
    print()
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    for row in [HEADER, tuple("-" * width for width in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def print_markdown(rows: list[tuple], machine: dict, report: dict) -> None:
    print()
    print(f"Machine: {machine['cpu']}, {machine['nproc']} CPUs, Linux {machine['kernel']}, "
          f"nats-server {machine['nats_server']}, SQLite {machine['sqlite']}. Mode {report['mode']}, "
          f"{report['repetitions']} repetition(s), {report['seed_orders']:,} seeded orders.")
    print()
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join(["---", "--:", "--:", ":-:", "---"]) + "|")
    for row in rows:
        print("| " + " | ".join(f"`{row[0]}`" if i == 0 else cell for i, cell in enumerate(row)) + " |")


def write_report(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(report, indent=2) + "\n")
    temporary.replace(path)  # never a half-written file


# ---- main ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Benchmarks the orders and payments services over NATS JetStream and SQLite: "
                    "baselines, creates, commit->stream latency, lifecycles, a seeded database, "
                    "memory. Prints a table and writes a JSON report.",
        epilog="Environment: NATS_SERVER_BIN (default: nats-server in PATH, else /usr/sbin/nats-server), "
               "TMPDIR (where the temporary directory goes; use a disk, not tmpfs, or fsync is free). "
               "Exit status 1 when a correctness check fails; missed targets are only reported.")
    parser.add_argument("--build-dir", required=True,
                        help="directory holding orders, payments and logistics-bench")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help="1 repetition, about a quarter of the counts, 100,000 seeded orders")
    size.add_argument("--smoke", action="store_true",
                      help="tiny counts, 1 repetition: checks that every step works (< 60 s)")
    parser.add_argument("--repetitions", type=int, metavar="N",
                        help="repetitions (default 3; 1 with --quick or --smoke)")
    parser.add_argument("--seed-orders", type=int, metavar="N",
                        help="orders in the seeded database (default 1,000,000; --quick 100,000; "
                             "--smoke 2,000)")
    parser.add_argument("--out", metavar="PATH",
                        help="JSON report (default bench/results/latest.json; "
                             "bench/results/smoke.json with --smoke)")
    parser.add_argument("--markdown", action="store_true", help="also print the table as markdown")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, databases)")
    parser.add_argument("--metrics", action="store_true",
                        help="run every service with --metrics-address (a free port) and fetch "
                             "its /metrics once a second, to measure what metrics cost")
    args = parser.parse_args(argv)
    if args.repetitions is not None and args.repetitions < 1:
        parser.error("--repetitions must be at least 1")
    if args.seed_orders is not None and args.seed_orders < 1:
        parser.error("--seed-orders must be at least 1")
    return args


def select_mode(args: argparse.Namespace) -> Mode:
    mode = MODES["smoke" if args.smoke else "quick" if args.quick else "default"]
    if args.seed_orders is None:
        args.seed_orders = mode.seed_orders
    return replace(mode, seed_orders=args.seed_orders)


def check_binaries(bench: Bench) -> None:
    for path in (bench.build_dir / "orders", bench.build_dir / "payments", Path(bench.tool)):
        if not os.access(path, os.X_OK):
            raise BenchError(f"{path} is missing or not executable (build it, or use bench/run)")
    if not os.access(bench.nats_bin, os.X_OK) and not shutil.which(bench.nats_bin):
        raise BenchError(f"nats-server not found at {bench.nats_bin} (set NATS_SERVER_BIN)")


def on_signal(signum, _frame) -> None:
    # A second Ctrl-C must not cut the shutdown short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mode = select_mode(args)
    out = Path(args.out) if args.out else REPO_ROOT / "bench" / "results" / (
        "smoke.json" if mode.name == "smoke" else "latest.json")
    tmp = Path(tempfile.mkdtemp(prefix="logistics-bench-"))
    bench = Bench(args, mode, tmp)
    atexit.register(bench.processes.stop_all)  # a safety net; the finally below does it first
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    began = time.monotonic()
    try:
        check_binaries(bench)
        machine = machine_info(bench.nats_bin, tmp)
        log(f"mode {mode.name}, {bench.repetitions} repetition(s), temporary directory {tmp}")
        runs = bench.run()
    except Interrupted as interruption:
        log(f"interrupted ({interruption}); stopping what was started")
        return 130
    except BenchError as error:
        log(f"error: {error}")
        return 1
    finally:
        bench.processes.stop_all()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    summary = summarize(runs)
    report = {
        "machine": machine,
        "mode": mode.name,
        "repetitions": len(runs),
        "seed_orders": args.seed_orders,
        "seed_seconds": round(bench.seed_seconds or 0.0, 1),
        "summary": summary,
        "runs": runs,
        "targets": {key: {"op": op, "value": value} for key, (op, value) in TARGETS.items()},
        "correctness_failures": bench.failures,
        "notes": bench.notes,
        **{key: summary[key]["median"] for key in HEADLINE_KEYS},
    }
    rows = table_rows(summary)
    print_table(rows, machine, report)
    if args.markdown:
        print_markdown(rows, machine, report)
    write_report(out, report)
    print()
    print(f"report: {out} (run took {time.monotonic() - began:.0f} s)")
    for note in bench.notes:
        print(f"note: {note}")
    if bench.failures:
        print(f"{len(bench.failures)} correctness check(s) FAILED:")
        for failure in bench.failures:
            print(f"  - {failure}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

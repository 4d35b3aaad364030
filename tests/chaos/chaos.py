#!/usr/bin/python3
"""tests/chaos/chaos.py: the chaos suite (started by scripts/chaos; see tests/chaos/README.md).

One run, for one seed:
  1. starts nats-server (-js, a store of its own) and orders, payments, notifications on
     127.0.0.1 (a free port, a temporary directory, one directory per service database);
  2. drives a workload of whole order lifecycles drawn from the seed (deliver, refund after
     cancel, fail after cancel), every command with its own Nats-Msg-Id, retried with the same
     key on timeout, 503 or no responders (bounded), every reply recorded in replies.jsonl;
  3. meanwhile injects the faults of a schedule drawn from the same seed (printed first):
     SIGKILL of a service, SIGSTOP/SIGCONT past the consumers' ack wait, nats-server SIGKILL
     and restart, a lost stream tail (the store rolled back, services killed in the same crash),
     a full disk (a tmpfs as one service's database directory, filled, then freed);
  4. drains (waits until the services' status says outboxes empty and consumers caught up, and
     the server says the same of the durable consumers), stops the services with SIGTERM;
  5. runs the checker (checker.py), which shares no code with the services, and reports a table
     and a JSON file. Exit 1 when an invariant broke, 2 when the run itself could not be made.

Profiles: ci (a fixed seed and a fresh one, all faults, in parallel, about a minute and a half),
long (--duration 10m, faults all along), soak (no faults, a steady load, RSS and p99 latency
sampled every 10 s), cluster and long-cluster (three nats-server nodes in network namespaces,
two instances each of orders and payments; nodes killed and cut off, the relay lease holder
paused; cluster.py). Everything this script starts is stopped by pid, every mount unmounted, on
every way out (finally, atexit, SIGINT/SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import errno
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import checker  # noqa: E402
import replicas  # noqa: E402
import cluster as netcluster  # noqa: E402
import natsclient as nats  # noqa: E402

REPO_ROOT = HERE.parent.parent
SERVICES = ("orders", "payments", "notifications")
FAULT_KINDS = ("kill", "stop", "nats-restart", "lost-tail", "disk-full", "crash-point", "marks-full", "outage")
# The cluster profiles' own kinds (three nats-server nodes, two instances of orders and payments):
# a node SIGKILLed and restarted on its store; a node cut off from the two others (network
# namespaces) and healed; the instance the relay_lease row names SIGSTOPped past the lease,
# then SIGCONTed; two nodes of three SIGKILLed at once (no quorum), then restarted.
CLUSTER_FAULT_KINDS = ("node-kill", "node-partition", "lease-pause", "quorum-loss")
# What a cluster profile may inject: its kinds, and the single-node kinds that mean the same on
# instances (a kill or a stop of one process). The others act on "the" nats-server or on one
# service's disk and are the single-node profiles' business.
CLUSTER_PROFILE_KINDS = ("kill", "stop", *CLUSTER_FAULT_KINDS)
ALL_FAULT_KINDS = FAULT_KINDS + CLUSTER_FAULT_KINDS
SCALED_SERVICES = ("orders", "payments")  # two instances each in a cluster profile; notifications stays one
CLUSTER_INSTANCES = 2
CLUSTER_JS_CHECK_MS = 1000  # the services' JetStream check: a node cut off is left after ~3 s
DEFAULT_LEASE_MS = 3000  # the services' default --relay-lease-ms
# Where each service dies when a crash-point fault arms it (LOGISTICS_FAULT, the services' test-only
# switch): the narrowest windows of the outbox and the inbox, where a wrong order of commit, ack,
# reply and side effect loses or doubles something.
CRASH_POINTS = {
    # after a commit, before the reply and the relay: the client's retry must find the stored reply
    "orders": "exit-after-commit",
    # a refund or failure of a cancelled order written, not committed: the event must come again
    "payments": "crash-after-effects-containing:logistics.order.cancelled.v1",
    # a mail written, its record not committed: the redelivery must not leave a second mail
    "notifications": "exit-after-mail",
}
OWN_STREAM = {"orders": "ORDERS", "payments": "PAYMENTS"}  # the services with an outbox
CRASH_POINT_FIRE_WITHIN = 20.0  # seconds an armed service has to reach its crash point
FIXED_CI_SEED = 15
DEFAULT_ACK_WAIT = 30.0  # the consumers' ack wait (README: "The consumers' ack wait is 30 s")

NATS_READY_TIMEOUT = 20.0
SERVICE_READY_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0

PROFILES = {
    # duration: seconds of workload (faults inside it); gap: seconds between faults of the main lane
    "ci": dict(duration=0.0, faults=tuple(k for k in FAULT_KINDS if k != "outage"), workers=4, rate=0.0,
               max_lifecycles=3000, gap=(1.0, 2.5), disk_seconds=(3.0, 6.0), stop_every=None, tmpfs_mib=16,
               wait_timeout=45.0, command_timeout=60.0, drain_timeout=45.0, sample_every=10.0),
    # notifications down for 18-24 s under load, then back with a retry budget far shorter than
    # the backlog it finds: an event about an order its projection has not reached yet must wait
    # for that order, not spend its deliveries (a lagging projection once dead-lettered mail).
    "backlog": dict(duration=0.0, faults=("outage",), workers=4, rate=0.0, max_lifecycles=3000,
                    gap=(1.0, 2.5), disk_seconds=(3.0, 6.0), stop_every=None, tmpfs_mib=0,
                    wait_timeout=45.0, command_timeout=60.0, drain_timeout=60.0, sample_every=10.0,
                    service_args={"notifications": ["--max-deliveries", "3", "--retry-initial-ms", "50",
                                                    "--retry-max-ms", "200"]}),
    "long": dict(duration=600.0, faults=FAULT_KINDS, workers=4, rate=0.0, max_lifecycles=10**6,
                 gap=(6.0, 15.0), disk_seconds=(4.0, 10.0), stop_every=(90.0, 150.0), tmpfs_mib=256, wait_timeout=60.0,
                 command_timeout=90.0, drain_timeout=120.0, sample_every=10.0),
    "soak": dict(duration=600.0, faults=(), workers=0, rate=4.0, max_lifecycles=10**6,
                 gap=(6.0, 15.0), disk_seconds=(4.0, 10.0), stop_every=None, tmpfs_mib=0, wait_timeout=60.0,
                 command_timeout=60.0, drain_timeout=120.0, sample_every=10.0),
    # Three nats-server nodes (R3 streams), two instances each of orders and payments, one of
    # notifications. Each cluster kind once, and a SIGKILL of the orders or payments relay
    # lease holder, in an order drawn from the seed; with a longer --duration the pass repeats.
    # About 45 s of workload, 60-75 s in all (the ctest entry's short cluster case).
    "cluster": dict(duration=0.0, faults=("kill", *CLUSTER_FAULT_KINDS), workers=4, rate=0.0,
                    max_lifecycles=3000, gap=(1.0, 2.0), disk_seconds=(3.0, 6.0), stop_every=None, tmpfs_mib=0,
                    wait_timeout=45.0, command_timeout=60.0, drain_timeout=45.0, sample_every=10.0, cluster=True),
    # The cluster for long: every cluster kind drawn all along, a SIGSTOP past the ack wait of
    # one instance every 90-150 s.
    "long-cluster": dict(duration=600.0, faults=CLUSTER_PROFILE_KINDS, workers=4, rate=0.0, max_lifecycles=10**6,
                         gap=(6.0, 15.0), disk_seconds=(4.0, 10.0), stop_every=(90.0, 150.0), tmpfs_mib=0,
                         wait_timeout=60.0, command_timeout=90.0, drain_timeout=120.0, sample_every=10.0,
                         cluster=True, partition_seconds=(14.0, 25.0)),
}

# The services take every setting from flags or the environment: they get a clean one, so
# that nothing set for the caller (SMTP_URL, LOGISTICS_FAULT, NATS_USER...) changes the run.
# Sanitizer settings pass (scripts/test --sanitize collects the reports of every process).
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "LOGISTICS_SANITIZER_REPORTS")
             or k.endswith("SAN_OPTIONS")}

# ---- small helpers ---------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 90s, 10m)")
    value, unit = float(match.group(1)), match.group(2) or "s"
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_mounted(path: Path) -> bool:
    target = str(path.resolve())
    try:
        with open("/proc/self/mounts", encoding="utf-8") as mounts:
            return any(line.split()[1] == target for line in mounts if len(line.split()) > 1)
    except OSError:
        return False


def unmount(path: Path) -> None:
    for _ in range(5):  # bounded: a busy mount is retried a few times, then lazily detached
        if not is_mounted(path):
            return
        if subprocess.run(["umount", str(path)], capture_output=True).returncode == 0:
            return
        time.sleep(0.2)
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def checkpoint_truncate(db: Path) -> str:
    """PRAGMA wal_checkpoint(TRUNCATE) on a service's database from a connection of our own:
    "ok", or why not (busy, an error). SQLite lets other processes checkpoint a WAL database."""
    try:
        connection = sqlite3.connect(str(db), timeout=5.0)
        try:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return "ok" if busy == 0 else "busy"
        finally:
            connection.close()
    except sqlite3.Error as error:
        return f"error: {error}"


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))
    return ordered[index]


def slope_per_minute(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, value) points, per minute."""
    points = [(t, v) for t, v in points if v is not None]
    if len(points) < 2:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 60.0


# ---- configuration ---------------------------------------------------------------------------


@dataclass
class RunConfig:
    seed: int
    profile: str
    duration: float
    faults: tuple[str, ...]
    workers: int
    rate: float
    max_lifecycles: int
    gap: tuple[float, float]
    disk_seconds: tuple[float, float]
    stop_every: tuple[float, float] | None
    tmpfs_mib: int
    wait_timeout: float
    command_timeout: float
    drain_timeout: float
    sample_every: float
    binaries: dict[str, Path]
    nats_server: str
    work_dir: Path
    keep: str  # always | failure | never
    ack_wait: float
    ack_wait_flag: list[str]
    json_out: Path | None
    requested_duration: float = 0.0  # before the schedule stretched it (ci)
    service_args: dict[str, list[str]] | None = None  # extra flags of a service, by the profile
    cluster: bool = False  # three nats-server nodes, two instances of orders and payments
    lease_ms: int = DEFAULT_LEASE_MS  # the services' --relay-lease-ms (cluster profiles)
    namespaces: bool = True  # cluster: nodes in network namespaces when the machine allows
    inject_defect: str | None = None  # the checker's own test: a defect put into the stream before the check
    partition_seconds: tuple[float, float] = (10.0, 14.0)  # how long a node-partition lasts

    def instances(self) -> list[str]:
        """The service processes' names: one per service, or orders-1, orders-2, ... in a cluster."""
        if not self.cluster:
            return list(SERVICES)
        return [f"{s}-{i}" for s in SCALED_SERVICES for i in range(1, CLUSTER_INSTANCES + 1)] + \
            [s for s in SERVICES if s not in SCALED_SERVICES]

    def replay_command(self) -> str:
        parts = ["scripts/chaos", "--profile", self.profile, "--seed", str(self.seed)]
        if self.requested_duration != PROFILES[self.profile]["duration"]:
            parts += ["--duration", f"{self.requested_duration:g}s"]
        if tuple(self.faults) != tuple(PROFILES[self.profile]["faults"]):
            parts += ["--faults", ",".join(self.faults) or "none"]
        if self.cluster and self.lease_ms != DEFAULT_LEASE_MS:
            parts += ["--lease-ms", str(self.lease_ms)]
        if self.cluster and not self.namespaces:
            parts += ["--no-netns"]
        if self.inject_defect:
            parts += ["--inject-defect", self.inject_defect]
        return " ".join(parts)


def service_of(name: str) -> str:
    """orders-2 -> orders; notifications -> notifications."""
    return name.rsplit("-", 1)[0] if name.rsplit("-", 1)[-1].isdigit() else name


def detect_ack_wait_flag(binary: Path, wanted_seconds: float) -> list[str]:
    """If the services have a flag that sets the consumers' ack wait, the arguments that set it
    to `wanted_seconds`; otherwise nothing (then SIGSTOP durations exceed the default 30 s)."""
    try:
        help_text = subprocess.run([str(binary), "--help"], capture_output=True,
                                   text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    match = re.search(r"(--[a-z-]*ack-wait[a-z-]*)", help_text)
    if not match:
        return []
    flag = match.group(1)
    if flag.endswith("-ms"):
        return [flag, str(int(wanted_seconds * 1000))]
    return [flag, str(int(max(1, wanted_seconds)))]


# ---- the fault schedule ----------------------------------------------------------------------


def fault_parameters(cfg: RunConfig, rng: random.Random, kind: str) -> dict:
    """A main-lane fault's parameters, and `length`: about how long it takes."""
    entry: dict = {"kind": kind}
    if kind == "kill":
        entry["down"] = round(rng.uniform(0.2, 2.0), 2)
        entry["length"] = entry["down"] + 1.0
    elif kind == "nats-restart":
        entry["down"] = round(rng.uniform(0.5, 3.0), 2)
        entry["length"] = entry["down"] + 1.0
    elif kind == "disk-full":
        entry["duration"] = round(rng.uniform(*cfg.disk_seconds), 2)
        entry["length"] = entry["duration"] + 0.5
    elif kind == "lost-tail":
        entry["traffic_events"] = rng.randint(10, 30)
        entry["traffic_max"] = 8.0
        entry["length"] = 6.0
    elif kind == "crash-point":
        entry["length"] = 2.5  # restart armed, reach the point at the next command or event, restart
    elif kind == "marks-full":
        entry["backlog"] = rng.randint(3, 10)  # outbox rows the refusing stream lets pile up
        entry["refuse_max"] = 6.0
        entry["marks_max"] = 10.0
        entry["duration"] = round(rng.uniform(1.0, 3.0), 2)  # full on after the first failed mark
        entry["length"] = 6.0 + entry["duration"]
    elif kind == "outage":
        entry["target"] = "notifications"
        entry["down"] = round(rng.uniform(18.0, 24.0), 2)
        entry["length"] = entry["down"] + 1.5
    elif kind == "node-kill":
        # "leader:ORDERS" is resolved when the fault strikes: the node that leads that stream then
        entry["target"] = rng.choice(["leader:ORDERS", "leader:PAYMENTS", "follower:ORDERS", *netcluster.NODES])
        entry["pick"] = rng.randint(0, 1)  # which of a leader's two followers
        entry["down"] = round(rng.uniform(2.0, 5.0), 2)
        entry["length"] = entry["down"] + 4.0  # restart, catch up
    elif kind == "node-partition":
        entry["target"] = rng.choice(["busiest", "leader:ORDERS", "leader:PAYMENTS", *netcluster.NODES])
        # Longer than the services' 3 checks, and than the majority's elections (meta leader and
        # stream leaders: 4-9 s each on 2.9) when the cut-off node led them.
        entry["duration"] = round(rng.uniform(*cfg.partition_seconds), 2)
        entry["length"] = entry["duration"] + 4.0
    elif kind == "lease-pause":
        entry["target"] = rng.choice(SCALED_SERVICES)  # its lease holder, found when the fault strikes
        entry["duration"] = round(cfg.lease_ms / 1000 + rng.uniform(1.5, 3.0), 2)
        entry["length"] = entry["duration"] + 1.0
    elif kind == "quorum-loss":
        entry["targets"] = sorted(rng.sample(netcluster.NODES, 2))
        entry["down"] = round(rng.uniform(3.0, 6.0), 2)
        entry["length"] = entry["down"] + 5.0
    return entry


def make_schedule(cfg: RunConfig) -> tuple[list[dict], float]:
    """The faults, with their start times (seconds after the workload starts), targets and
    durations, all drawn from the seed; and the workload duration they need."""
    rng = random.Random(f"schedule:{cfg.seed}")
    kinds = [k for k in ALL_FAULT_KINDS if k in cfg.faults]
    if cfg.cluster and cfg.stop_every is None:
        return schedule_cluster_passes(cfg, rng, kinds)
    if cfg.stop_every is None:
        return schedule_each_once(cfg, rng, kinds)
    return schedule_all_along(cfg, rng, kinds), cfg.duration


def cluster_kill_targets(cfg: RunConfig, rng: random.Random) -> str:
    """A cluster kill: the orders or payments relay lease holder (resolved when it strikes, so
    that the survivor's takeover is measured) or any instance."""
    return rng.choice(["holder:orders", "holder:payments", *cfg.instances()])


def schedule_cluster_passes(cfg: RunConfig, rng: random.Random, kinds: list[str]) -> tuple[list[dict], float]:
    """cluster: passes of every selected kind once, in an order drawn from the seed, the first
    node kill aimed at a stream leader; as many passes as fit in --duration (at least one). The
    faults run one after the other, and a node fault waits until the streams are whole again
    before the next begins, so at most one node is down or cut off at a time except in the
    deliberate quorum loss."""
    schedule: list[dict] = []
    warmup = 3.0
    t = warmup + rng.uniform(0.5, 1.5)
    passes = 0
    while True:
        planned = list(kinds)
        rng.shuffle(planned)
        entries = []
        for kind in planned:
            entry = fault_parameters(cfg, rng, kind)
            if kind == "kill":
                entry["target"] = "holder:" + rng.choice(SCALED_SERVICES) if passes == 0 else cluster_kill_targets(cfg, rng)
                entry["length"] = entry["down"] + 1.0
            elif kind == "stop":
                entry["target"] = rng.choice(cfg.instances())
                entry["duration"] = round(cfg.ack_wait + rng.uniform(1.5, 3.0), 2)
                entry["length"] = entry["duration"] + 1.0
            elif kind == "node-kill" and passes == 0:
                entry["target"] = rng.choice(["leader:ORDERS", "leader:PAYMENTS"])
            elif kind == "node-partition" and passes == 0:
                entry["target"] = "busiest"  # the node most services are connected to
            entries.append(entry)
        need = sum(e["length"] + cfg.gap[1] for e in entries)
        if passes > 0 and t + need + 4.0 > cfg.duration:
            break
        for entry in entries:
            entry["at"] = round(t, 2)
            t += entry.pop("length") + rng.uniform(*cfg.gap)
            schedule.append(entry)
        passes += 1
        if not entries:
            break
    return schedule, max(cfg.duration, round(t + 4.0, 1))


def schedule_each_once(cfg: RunConfig, rng: random.Random, kinds: list[str]) -> tuple[list[dict], float]:
    """ci: every selected kind once (kill twice). A SIGSTOP of notifications overlaps the other
    faults (the workload goes on meanwhile), and the lost tail comes after it; a SIGSTOP of
    orders or payments stalls every lifecycle, so it comes last, after the lost tail. The
    workload lasts at least until 4 s after the last fault."""
    schedule: list[dict] = []
    warmup = 3.0
    stop_target = rng.choice(SERVICES) if "stop" in kinds else None
    stop_length = round(cfg.ack_wait + rng.uniform(1.5, 3.0), 2)
    window = None
    if stop_target == "notifications":
        at = round(warmup + rng.uniform(0.0, 1.5), 2)
        window = (at, at + stop_length)
        schedule.append({"at": at, "kind": "stop", "target": stop_target, "duration": stop_length})
    main = [k for k in ("kill", "kill", "nats-restart", "disk-full", "outage") if k in kinds]
    rng.shuffle(main)
    t = warmup + rng.uniform(0.5, 1.5)
    for kind in main:
        entry = fault_parameters(cfg, rng, kind)
        if kind in ("kill", "disk-full"):
            overlapping = window is not None and window[0] < t + entry["length"] + 1 and t < window[1] + 1
            entry["target"] = rng.choice([s for s in SERVICES if not (overlapping and s == stop_target)])
        entry["at"] = round(t, 2)
        t += entry.pop("length") + rng.uniform(*cfg.gap)
        schedule.append(entry)
    if window is not None:
        t = max(t, window[1] + 1.5)
    if "lost-tail" in kinds:
        entry = fault_parameters(cfg, rng, "lost-tail")
        entry["at"] = round(t, 2)
        t += entry.pop("length") + rng.uniform(*cfg.gap)
        schedule.append(entry)
    # After the lost tail, which restarts everything: a crash point of each service, then the
    # full disk under the relay's marks. No restart of that service follows it (the last stop
    # is a SIGSTOP), so marks it dropped would stay dropped and the outbox would not drain.
    late = []
    if "crash-point" in kinds:
        late += [{"kind": "crash-point", "target": service} for service in rng.sample(SERVICES, len(SERVICES))]
    if "marks-full" in kinds:
        late.append({"kind": "marks-full", "target": rng.choice(sorted(OWN_STREAM))})
    for planned in late:
        entry = {**fault_parameters(cfg, rng, planned["kind"]), **planned}
        entry["at"] = round(t, 2)
        t += entry.pop("length") + rng.uniform(*cfg.gap)
        schedule.append(entry)
    if stop_target is not None and window is None:
        # Last: the consumers' messages the rolled-back store still holds as delivered are
        # redelivered after an ack wait, which this stop outlasts.
        schedule.append({"at": round(t, 2), "kind": "stop", "target": stop_target, "duration": stop_length})
        t += stop_length + 1.5
    schedule.sort(key=lambda e: e["at"])
    return schedule, max(cfg.duration, round(t + 4.0, 1))


def schedule_all_along(cfg: RunConfig, rng: random.Random, kinds: list[str]) -> list[dict]:
    """long: SIGSTOPs on a lane of their own (one every stop_every seconds), the other kinds
    drawn at random on the main lane, never aimed at the stopped service; the lost tail (which
    kills every service) waits for a stop to end."""
    schedule: list[dict] = []
    warmup = 3.0
    end = cfg.duration - 4.0  # faults end before the workload does, so traffic runs after them
    stops: list[tuple[float, float, str]] = []
    if "stop" in kinds:
        t = warmup + rng.uniform(0.0, 1.5)
        while True:
            length = cfg.ack_wait + rng.uniform(1.5, 3.0)
            if t + length > end:
                break
            target = rng.choice(cfg.instances())
            stops.append((t, t + length, target))
            schedule.append({"at": round(t, 2), "kind": "stop", "target": target,
                             "duration": round(length, 2)})
            t += length + rng.uniform(*cfg.stop_every)

    def stopped_at(t0: float, t1: float) -> list[tuple[float, float, str]]:
        return [stop for stop in stops if stop[0] < t1 + 1.0 and t0 < stop[1] + 1.0]

    main_kinds = [k for k in kinds if k != "stop"]
    t = warmup + rng.uniform(0.5, 1.5)
    while main_kinds:
        kind = rng.choice(main_kinds)
        entry = fault_parameters(cfg, rng, kind)
        busy = stopped_at(t, t + entry["length"])
        if kind in ("lost-tail", "crash-point") and busy:
            # A lost tail kills every service; a crash point needs traffic to reach its point,
            # and a stopped service stalls it: both wait for the stop to end.
            t = max(b for (_, b, _) in busy) + 1.5
            busy = stopped_at(t, t + entry["length"])
        if t + entry["length"] > end:
            break
        stopped = {target for (_, _, target) in busy}
        if kind == "kill" and cfg.cluster:
            entry["target"] = rng.choice([s for s in cfg.instances() if s not in stopped] or cfg.instances())
        elif kind == "lease-pause" and stopped & set(cfg.instances()) - {"notifications"}:
            t += rng.uniform(*cfg.gap)  # the holder may be the stopped instance: not two stops at once
            continue
        elif kind in ("kill", "disk-full", "crash-point"):
            entry["target"] = rng.choice([s for s in SERVICES if s not in stopped] or list(SERVICES))
        elif kind == "marks-full":
            entry["target"] = rng.choice([s for s in sorted(OWN_STREAM) if s not in stopped] or sorted(OWN_STREAM))
        elif kind == "outage" and "notifications" in stopped:
            t += rng.uniform(*cfg.gap)
            continue
        entry["at"] = round(t, 2)
        t += entry.pop("length") + rng.uniform(*cfg.gap)
        schedule.append(entry)
    schedule.sort(key=lambda e: e["at"])
    return schedule


# ---- processes -------------------------------------------------------------------------------


class Proc:
    """A process this run started: one log file for all its starts (a marker line per start)."""

    def __init__(self, name: str, argv: list[str], log_path: Path, ready_text: str):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.ready_text = ready_text
        self.popen: subprocess.Popen | None = None
        self.starts = 0
        self.lock = asyncio.Lock()
        self.stopped = False  # SIGSTOPped by us
        self.expected_exit = False  # we killed it (or are stopping it)
        self.pids: list[int] = []
        self.on_start = None  # called with the Proc after each start

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self, extra_env: dict[str, str] | None = None) -> int:
        self.starts += 1
        with open(self.log_path, "ab") as out:
            armed = f" with {extra_env}" if extra_env else ""
            out.write(f"--- chaos: start #{self.starts} of {self.name}{armed} at {time.time():.3f} ---\n".encode())
            offset = out.tell()
            self.popen = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT,
                                          env={**CLEAN_ENV, **(extra_env or {})},
                                          stdin=subprocess.DEVNULL, start_new_session=True)
        self.pids.append(self.popen.pid)
        if self.on_start is not None:
            self.on_start(self)
        self.expected_exit = False
        self.stopped = False
        self._ready_offset = offset
        return offset

    def log_since(self, offset: int) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    async def wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        needle = self.ready_text.encode()
        while time.monotonic() < deadline:
            try:
                with open(self.log_path, "rb") as f:
                    f.seek(self._ready_offset)
                    if needle in f.read():
                        return True
            except OSError:
                pass
            if not self.alive():
                return False
            await asyncio.sleep(0.05)
        return False

    def signal(self, sig: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            try:
                self.popen.send_signal(sig)
            except ProcessLookupError:
                pass

    async def wait_exit(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen is None or self.popen.poll() is not None:
                return True
            await asyncio.sleep(0.02)
        return self.popen.poll() is not None

    async def kill(self) -> None:
        """SIGKILL, as a crash would, and wait (bounded) until it is gone; an exit we caused."""
        self.expected_exit = True
        self.signal(signal.SIGKILL)
        await self.wait_exit(10)

    def kill_now(self) -> None:
        """SIGKILL and reap (for cleanup; blocking, bounded)."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            try:
                self.popen.send_signal(signal.SIGCONT)
                self.popen.kill()
            except ProcessLookupError:
                pass
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


# ---- one run ---------------------------------------------------------------------------------


class Run:
    def __init__(self, cfg: RunConfig):
        self.cfg = cfg
        self.dir = cfg.work_dir
        self.t0 = time.monotonic()
        self.network: netcluster.ClusterNetwork | None = None
        if cfg.cluster:
            self.network = netcluster.ClusterNetwork(self.dir, os.getpid())
            self.nats_names = [f"nats-{node}" for node in netcluster.NODES]
            self.url = ""  # once the network is set up
        else:
            self.port = free_port()
            self.url = f"nats://127.0.0.1:{self.port}"
            self.nats_names = ["nats-server"]
        self.service_names = cfg.instances()
        self.faults_skipped: list[dict] = []
        self.store = self.dir / "nats"
        self.logs = self.dir / "logs"
        self.procs: dict[str, Proc] = {}
        self.mounts: list[Path] = []
        self.schedule, cfg.duration = make_schedule(cfg)
        self.faults_done: list[dict] = []
        self.unexpected_exits: list[dict] = []
        self.not_ready: list[dict] = []
        self.lifecycles: list[dict] = []
        self.replies_file = None
        self.latencies: list[tuple[float, str, float]] = []  # (t, service, ms)
        self.samples: list[dict] = []
        self.idle_polls: list[dict] = []
        self.stop_new = asyncio.Event()
        self.workload_done = asyncio.Event()
        self.next_index = 0
        self.in_flight = 0
        self.shutdown: dict = {}
        self.drain: dict = {}
        self.errors: list[str] = []
        self.consumers_at_end: dict = {}
        self.idle_cond: asyncio.Condition | None = None

    def now(self) -> float:
        return time.monotonic() - self.t0

    # -- setup -----------------------------------------------------------------------------

    def service_dir(self, service: str) -> Path:
        return self.dir / service

    def setup(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        self.store.mkdir(exist_ok=True)
        disk_targets = sorted({e["target"] for e in self.schedule if e["kind"] in ("disk-full", "marks-full")})
        for service in SERVICES:
            path = self.service_dir(service)
            path.mkdir(exist_ok=True)
            if service in disk_targets and not self.cfg.cluster:
                result = subprocess.run(["mount", "-t", "tmpfs", "-o",
                                         f"size={self.cfg.tmpfs_mib}m,mode=0755",
                                         f"chaos-{self.cfg.seed}-{service}", str(path)],
                                        capture_output=True, text=True)
                if result.returncode != 0:
                    raise RuntimeError(f"cannot mount a tmpfs on {path} for the disk-full fault "
                                       f"(root needed; or --faults without disk-full): {result.stderr.strip()}")
                self.mounts.append(path)
                (self.dir / "mounts").write_text("".join(f"{m}\n" for m in self.mounts))
        if self.cfg.cluster:
            self.network.setup(self.cfg.namespaces)
            self.url = self.network.urls()
            for i, name in enumerate(self.nats_names):
                store = self.store / netcluster.NODES[i]
                store.mkdir(exist_ok=True)
                self.procs[name] = Proc(name, self.network.node_argv(self.cfg.nats_server, i, store),
                                        self.logs / f"{name}.log", "Server is ready")
            if self.network.partition_unavailable:
                log(f"node-partition cannot be made: {self.network.partition_unavailable}; the nodes run on "
                    "127.0.0.1 and that fault kind is SKIPPED")
            else:
                log(f"cluster nodes in network namespaces {self.network.namespaces} on bridge "
                    f"{self.network.bridge}: {self.url}")
        else:
            self.procs["nats-server"] = Proc(
                "nats-server", [self.cfg.nats_server, "-js", "-a", "127.0.0.1", "-p", str(self.port),
                                "-sd", str(self.store)],
                self.logs / "nats-server.log", "Server is ready")
        for name in self.service_names:
            service = service_of(name)
            argv = [str(self.cfg.binaries[service]), "--nats-url", self.url,
                    "--db", str(self.service_dir(service) / f"{service}.db")] + self.cfg.ack_wait_flag
            if self.cfg.cluster:
                argv += ["--stream-replicas", "3", "--js-check-interval-ms", str(CLUSTER_JS_CHECK_MS),
                         "--relay-lease-ms", str(self.cfg.lease_ms)]
            argv += (self.cfg.service_args or {}).get(service, [])
            self.procs[name] = Proc(name, argv, self.logs / f"{name}.log", "service ready")
        for proc in self.procs.values():
            proc.on_start = self.note_pids
        self.replies_file = open(self.dir / "replies.jsonl", "w", encoding="utf-8")

    def note_pids(self, _proc: Proc | None = None) -> None:
        """The pids of the processes running now, for a parent that must clean up after a run
        that was killed outright (their command lines name this run's directory)."""
        live = [str(p.pid) for p in self.procs.values() if p.pid is not None]
        (self.dir / "pids").write_text("".join(f"{pid}\n" for pid in live))

    def cleanup(self) -> None:
        """Every process stopped by pid, every mount unmounted: safe to call more than once."""
        for proc in self.procs.values():
            proc.kill_now()
        for path in self.mounts:
            unmount(path)
        if self.network is not None:
            self.network.teardown()
        if self.replies_file is not None and not self.replies_file.closed:
            self.replies_file.close()

    async def start_proc(self, name: str) -> bool:
        proc = self.procs[name]
        proc.start()
        timeout = NATS_READY_TIMEOUT if name in self.nats_names else SERVICE_READY_TIMEOUT
        ready = await proc.wait_ready(timeout)
        if not ready:
            self.not_ready.append({"process": name, "pid": proc.pid, "at": round(self.now(), 2),
                                   "alive": proc.alive(), "start": proc.starts})
            log(f"{name} (pid {proc.pid}) was not ready within {timeout:.0f}s")
        return ready

    async def start_all(self) -> None:
        if self.cfg.cluster:
            await self.start_cluster()
        elif not await self.start_proc("nats-server"):
            raise RuntimeError("nats-server did not start; see " + str(self.procs["nats-server"].log_path))
        for name in self.service_names:
            if not await self.start_proc(name):
                raise RuntimeError(f"{name} did not start; see {self.procs[name].log_path}")
        # The streams and the durable consumers exist once the services made them.
        client = nats.Reconnecting(self.url, "chaos-setup")
        try:
            deadline = time.monotonic() + 30
            missing = ["?"]
            while time.monotonic() < deadline:
                missing = []
                for stream, durable in checker.CONSUMERS:
                    try:
                        await nats.consumer_info(client, stream, durable)
                    except nats.NatsError:
                        missing.append(f"{stream}/{durable}")
                if not missing:
                    return
                await asyncio.sleep(0.2)
            raise RuntimeError(f"streams/consumers not created within 30s: {missing}")
        finally:
            await client.close()

    # -- the workload ----------------------------------------------------------------------

    def record(self, entry: dict) -> None:
        self.replies_file.write(json.dumps(entry, separators=(",", ":")) + "\n")

    async def command(self, client: nats.Reconnecting, lc: dict, step: str, subject: str,
                      body: dict) -> dict:
        key = f"chaos-{self.cfg.seed}-{lc['index']}-{step}"
        payload = json.dumps(body).encode()
        headers = {"Nats-Msg-Id": key, "Correlation-Id": f"chaos-{self.cfg.seed}-{lc['index']}"}
        started = time.monotonic()
        deadline = started + self.cfg.command_timeout
        attempts, backoff, reasons = 0, 0.1, {}
        while True:
            attempts += 1
            attempt_start = time.monotonic()
            reason = None
            try:
                msg = await client.request(subject, payload, 2.0, headers)
                code = msg.error_code
                if code is None:
                    reply = msg.json()
                    latency = (time.monotonic() - attempt_start) * 1000
                    self.latencies.append((self.now(), subject.split(".")[0], latency))
                    entry = {"lifecycle": lc["index"], "kind": lc["kind"], "step": step,
                             "subject": subject, "msg_id": key, "attempts": attempts,
                             "outcome": "ok", "t": round(self.now(), 3), "reply": reply}
                    if reasons:
                        entry["retried_for"] = reasons  # e.g. {"503 ...": 4, "timeout": 1}
                    self.record(entry)
                    return reply
                text = msg.data.decode("utf-8", "replace")
                if code == 503:
                    reason = f"503 {msg.headers.get('Nats-Service-Error', '')}"
                else:
                    self.record({"lifecycle": lc["index"], "kind": lc["kind"], "step": step,
                                 "subject": subject, "msg_id": key, "attempts": attempts,
                                 "outcome": "error", "code": code, "t": round(self.now(), 3),
                                 "error": text[:500], "retried_for": reasons})
                    raise LifecycleFailed(f"{step}: {subject} answered {code}: {text[:200]}")
            except nats.NoResponders:
                reason = "no responders"
            except nats.NatsTimeout:
                reason = "timeout"
            except nats.NatsDisconnected:
                reason = "disconnected"
            reasons[reason] = reasons.get(reason, 0) + 1
            if attempts >= 1000 or time.monotonic() >= deadline:
                self.record({"lifecycle": lc["index"], "kind": lc["kind"], "step": step,
                             "subject": subject, "msg_id": key, "attempts": attempts,
                             "outcome": "gave_up", "t": round(self.now(), 3), "retried_for": reasons})
                raise LifecycleFailed(f"{step}: {subject} unanswered after {attempts} attempts "
                                      f"in {time.monotonic() - started:.0f}s: {reasons}")
            await asyncio.sleep(min(backoff, max(0.0, deadline - time.monotonic())))
            backoff = min(backoff * 2, 1.0)

    def idle_after(self, since: float) -> bool:
        """Two consecutive polls that began after `since` found the system idle (nothing to
        publish, nothing pending for any consumer, the streams unchanged)."""
        polls = [p for p in self.idle_polls if p["started"] >= since]
        for a, b in zip(polls, polls[1:]):
            if a["idle"] and b["idle"] and a["last_seqs"] == b["last_seqs"]:
                return True
        return False

    async def wait_state(self, client: nats.Reconnecting, lc: dict, what: str, subject: str,
                         body: dict, field_name: str, wanted: str) -> dict:
        since = self.now()
        deadline = time.monotonic() + self.cfg.wait_timeout
        last = None
        payload = json.dumps(body).encode()
        while time.monotonic() < deadline:
            idle_before = self.idle_after(since)
            try:
                msg = await client.request(subject, payload, 2.0)
                if msg.error_code is None:
                    last = msg.json()
                    if last.get(field_name) == wanted:
                        return last
            except nats.NatsError:
                pass
            if idle_before:
                raise LifecycleFailed(f"{what}: the system went idle and {subject} still says "
                                      f"{field_name}={last.get(field_name) if last else None}")
            await asyncio.sleep(0.2)
        raise LifecycleFailed(f"{what}: not {wanted} within {self.cfg.wait_timeout:.0f}s "
                              f"(last {field_name}={last.get(field_name) if last else None})")

    async def lifecycle(self, index: int, client: nats.Reconnecting) -> None:
        rng = random.Random(f"lifecycle:{self.cfg.seed}:{index}")
        kind = rng.choices(["deliver", "refund", "fail"], weights=[6, 2, 2])[0]
        lc = {"index": index, "kind": kind, "started": round(self.now(), 3), "order_id": None,
              "payment_id": None, "outcome": "running"}
        self.lifecycles.append(lc)
        names = ["Ana", "Bruno", "Chloé", "Dmitri", "Eve", "Fátima", "Günther", "Hana"]
        places = ["Madrid", "Lisbon", "Porto", "Faro", "Sevilla", "Braga", "Málaga"]
        origin, destination = rng.sample(places, 2)
        create = {"tracking_number": f"CHAOS-{self.cfg.seed}-{index}",
                  "customer_name": rng.choice(names), "origin": origin, "destination": destination}
        if rng.random() < 0.9:
            create["customer_email"] = f"customer{index}@example.com"
        lc["email"] = create.get("customer_email")
        amount = f"{rng.randint(1, 50000)}.{rng.randint(0, 99):02d}"
        self.in_flight += 1
        try:
            order = await self.command(client, lc, "create", "orders.cmd.create", create)
            order_id = lc["order_id"] = order["order_id"]
            if kind == "deliver" or rng.random() < 0.5:
                await self.command(client, lc, "assign", "orders.cmd.assign",
                                   {"order_id": order_id, "driver_id": f"driver-{rng.randint(1, 20)}"})
            payment = await self.command(client, lc, "register", "payments.cmd.register",
                                         {"order_id": order_id, "amount": amount})
            payment_id = lc["payment_id"] = payment["payment_id"]
            if kind in ("deliver", "refund"):
                await self.command(client, lc, "confirm", "payments.cmd.confirm", {"payment_id": payment_id})
                await self.wait_state(client, lc, "wait PAID", "orders.query.get",
                                      {"order_id": order_id}, "status", "PAID")
            if kind == "deliver":
                await self.command(client, lc, "dispatch", "orders.cmd.dispatch", {"order_id": order_id})
                await self.command(client, lc, "deliver", "orders.cmd.deliver", {"order_id": order_id})
            else:
                await self.command(client, lc, "cancel", "orders.cmd.cancel",
                                   {"order_id": order_id, "reason": "chaos: customer asked"})
                wanted = "REFUNDED" if kind == "refund" else "FAILED"
                await self.wait_state(client, lc, f"wait {wanted}", "payments.query.get",
                                      {"payment_id": payment_id}, "status", wanted)
            lc["outcome"] = "completed"
        except LifecycleFailed as failure:
            lc["outcome"] = "failed"
            lc["reason"] = str(failure)
        finally:
            self.in_flight -= 1
            lc["ended"] = round(self.now(), 3)

    async def worker(self, wid: int) -> None:
        client = nats.Reconnecting(self.url, f"chaos-worker-{wid}", start=wid)
        try:
            while not self.stop_new.is_set() and self.next_index < self.cfg.max_lifecycles:
                index = self.next_index
                self.next_index += 1
                await self.lifecycle(index, client)
                if self.lifecycles[-1]["outcome"] != "completed" and not self.stop_new.is_set():
                    # A client that met an error does not start the next order at once: a
                    # service answering 500 must not turn the workload into a flood.
                    await asyncio.sleep(1.0)
        finally:
            await client.close()

    async def paced(self) -> None:
        """Soak: lifecycles started at a steady rate (not closed-loop), at most 200 in flight."""
        clients = [nats.Reconnecting(self.url, f"chaos-paced-{i}") for i in range(4)]
        tasks: set[asyncio.Task] = set()
        interval = 1.0 / self.cfg.rate
        next_at = time.monotonic()
        try:
            while not self.stop_new.is_set() and self.next_index < self.cfg.max_lifecycles:
                if len(tasks) < 200:
                    index = self.next_index
                    self.next_index += 1
                    task = asyncio.create_task(self.lifecycle(index, clients[index % len(clients)]))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if tasks:
                await asyncio.gather(*list(tasks), return_exceptions=True)
        finally:
            for client in clients:
                await client.close()

    # -- watching the system ---------------------------------------------------------------

    async def figures(self, client: nats.Reconnecting) -> dict:
        """One look at the whole system: the services' status, the server's consumer and stream
        info. `idle` when nothing is left to publish or to consume."""
        reasons: list[str] = []
        statuses: dict = {}
        for service in SERVICES:
            try:
                msg = await client.request(f"{service}.query.status", b"", 2.0)
                status = msg.json()
                statuses[service] = status
                unpublished = status.get("outbox", {}).get("unpublished")
                if unpublished != 0:
                    reasons.append(f"{service} outbox unpublished {unpublished}")
                for durable, consumer in status.get("consumers", {}).items():
                    if consumer.get("pending", 0) != 0:
                        reasons.append(f"{service} consumer {durable} pending {consumer.get('pending')}")
            except (nats.NatsError, ValueError) as error:
                reasons.append(f"{service} status: {type(error).__name__} {error}")
        consumers: dict = {}
        for stream, durable in checker.CONSUMERS:
            try:
                info = await nats.consumer_info(client, stream, durable)
                consumers[durable] = {"num_pending": info.get("num_pending"),
                                      "num_ack_pending": info.get("num_ack_pending"),
                                      "num_redelivered": info.get("num_redelivered")}
                if info.get("num_pending") or info.get("num_ack_pending"):
                    reasons.append(f"{durable}: num_pending {info.get('num_pending')} "
                                   f"num_ack_pending {info.get('num_ack_pending')}")
            except nats.NatsError as error:
                reasons.append(f"{durable} info: {error}")
        last_seqs = {}
        for stream in checker.STREAMS:
            try:
                info = await nats.stream_info(client, stream)
                last_seqs[stream] = info["state"]["last_seq"]
            except nats.NatsError as error:
                reasons.append(f"{stream} info: {error}")
        return {"idle": not reasons, "reasons": reasons, "last_seqs": last_seqs,
                "statuses": statuses, "consumers": consumers}

    async def watch_idle(self) -> None:
        client = nats.Reconnecting(self.url, "chaos-watch")
        try:
            while True:
                started = self.now()
                try:
                    figures = await self.figures(client)
                except nats.NatsError as error:
                    figures = {"idle": False, "reasons": [str(error)], "last_seqs": {}}
                self.idle_polls.append({"started": started, "idle": figures["idle"],
                                        "last_seqs": figures["last_seqs"], "reasons": figures["reasons"][:5]})
                if len(self.idle_polls) > 600:
                    del self.idle_polls[:300]
                await asyncio.sleep(max(0.0, 1.0 - (self.now() - started)))
        finally:
            await client.close()

    async def watch_processes(self) -> None:
        """A process that died without the suite killing it is a finding; it is restarted."""
        while True:
            await asyncio.sleep(0.5)
            for name, proc in self.procs.items():
                if proc.lock.locked() or proc.expected_exit or proc.popen is None:
                    continue
                code = proc.popen.poll()
                if code is None:
                    continue
                async with proc.lock:
                    tail = proc.log_path.read_text(errors="replace").splitlines()[-15:]
                    self.unexpected_exits.append({"process": name, "pid": proc.pid, "returncode": code,
                                                  "at": round(self.now(), 2), "log_tail": tail})
                    log(f"{name} (pid {proc.pid}) exited by itself with status {code}; restarting it")
                    await self.start_proc(name)

    async def sample(self) -> None:
        """Every sample_every seconds: RSS of every process, p99 latency of each service's
        commands in the window, the relay's commit -> PubAck p99."""
        client = nats.Reconnecting(self.url, "chaos-sampler")
        try:
            window_start = self.now()
            while True:
                await asyncio.sleep(self.cfg.sample_every)
                t = self.now()
                entry: dict = {"t": round(t, 1), "rss_mib": {}, "p99_ms": {}, "requests": {}}
                for name, proc in self.procs.items():
                    kib = rss_kib(proc.pid) if proc.alive() else None
                    entry["rss_mib"][name] = round(kib / 1024, 2) if kib else None
                for service in ("orders", "payments"):
                    window = [ms for (when, svc, ms) in self.latencies
                              if svc == service and window_start <= when < t]
                    entry["p99_ms"][service] = round(percentile(window, 0.99), 2) if window else None
                    entry["requests"][service] = len(window)
                self.latencies = [x for x in self.latencies if x[0] >= t]
                for service in SERVICES:
                    try:
                        started = time.monotonic()
                        msg = await client.request(f"{service}.query.status", b"", 2.0)
                        status = msg.json()
                        entry.setdefault("status_ms", {})[service] = round((time.monotonic() - started) * 1000, 2)
                        entry.setdefault("relay_p99_us", {})[service] = \
                            status.get("relay", {}).get("commit_to_ack_us", {}).get("p99")
                    except (nats.NatsError, ValueError):
                        pass
                # notifications takes no commands: its latency is its status round trip
                entry["p99_ms"]["notifications"] = entry.get("status_ms", {}).get("notifications")
                self.samples.append(entry)
                window_start = t
                if self.cfg.profile == "soak":
                    log(f"sample t={entry['t']}s rss MiB {entry['rss_mib']} p99 ms {entry['p99_ms']}")
        finally:
            await client.close()

    # -- faults ----------------------------------------------------------------------------

    def fault_log(self, entry: dict) -> None:
        entry["started"] = round(entry["started"], 2)
        entry["ended"] = round(self.now(), 2)
        self.faults_done.append(entry)
        log(f"fault done: {json.dumps(entry)}")

    async def kill_and_restart(self, fault: dict) -> None:
        name, lease = await self.resolve_instance(fault["target"])
        proc = self.procs[name]
        async with proc.lock:
            started = self.now()
            pid = proc.pid
            await proc.kill()
            takeover = None
            if lease and lease.get("instance") == name:
                # The lease holder died: how long until a survivor holds the lease (newer epoch)?
                takeover = asyncio.create_task(self.wait_takeover(service_of(name), lease["epoch"], pid,
                                                                  self.cfg.lease_ms / 1000 + 10))
            await asyncio.sleep(fault["down"])  # the fault: it stays down this long
            ready = await self.start_proc(name)
            figures = await takeover if takeover else {}
            extra = {"planned_target": fault["target"], "target": name, "was_lease_holder": bool(takeover)} \
                if name != fault["target"] else {}
            self.fault_log({**fault, **extra, **figures, "pid": pid, "new_pid": proc.pid, "ready": ready,
                            "started": started})

    async def stop_and_continue(self, fault: dict) -> None:
        proc = self.procs[fault["target"]]
        async with proc.lock:
            started = self.now()
            pid = proc.pid
            proc.stopped = True
            proc.signal(signal.SIGSTOP)
            await asyncio.sleep(fault["duration"])  # the fault: stopped past the ack wait
            # Evidence: what the server holds unacknowledged for the stopped service's consumers.
            held = await self.consumer_figures(service_of(fault["target"]))
            proc.signal(signal.SIGCONT)
            proc.stopped = False
            self.fault_log({**fault, "pid": pid, "started": started, "consumers_at_cont": held})

    async def consumer_figures(self, service: str) -> dict:
        client = nats.Reconnecting(self.url, "chaos-consumer-figures")
        figures = {}
        try:
            for stream, durable in checker.CONSUMERS:
                if checker.CONSUMER_SERVICE[durable] != service:
                    continue
                try:
                    info = await nats.consumer_info(client, stream, durable)
                    figures[durable] = {k: info.get(k) for k in ("num_ack_pending", "num_pending", "num_redelivered")}
                except nats.NatsError as error:
                    figures[durable] = {"error": str(error)}
        finally:
            await client.close()
        return figures

    async def nats_restart(self, fault: dict) -> None:
        proc = self.procs["nats-server"]
        async with proc.lock:
            started = self.now()
            pid = proc.pid
            await proc.kill()
            await asyncio.sleep(fault["down"])  # the fault: the server stays down this long
            ready = await self.start_proc("nats-server")
            self.fault_log({**fault, "pid": pid, "new_pid": proc.pid, "ready": ready, "started": started})

    async def stream_last_seqs(self, client: nats.Reconnecting, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return {s: (await nats.stream_info(client, s))["state"]["last_seq"] for s in checker.STREAMS}
            except nats.NatsError:
                await asyncio.sleep(0.1)
        return {}

    async def lost_tail(self, fault: dict) -> None:
        """SIGKILL nats-server, copy its store S to S', restart on S, let traffic run, then kill
        nats-server and every service in the same crash, put S' in place of S, start all again:
        what the stream acknowledged after the copy is gone from it."""
        order = ["nats-server", *SERVICES]
        locks = [self.procs[name].lock for name in order]
        for lock in locks:
            await lock.acquire()
        client = nats.Reconnecting(self.url, "chaos-lost-tail")
        try:
            started = self.now()
            server = self.procs["nats-server"]
            server.expected_exit = True
            server.signal(signal.SIGKILL)
            await server.wait_exit(10)
            snapshot = self.dir / "nats-snapshot"
            shutil.rmtree(snapshot, ignore_errors=True)
            shutil.copytree(self.store, snapshot, symlinks=True)
            await self.start_proc("nats-server")
            at_copy = await self.stream_last_seqs(client)
            # Let traffic run on S until enough new events were acknowledged (bounded in time).
            deadline = time.monotonic() + fault["traffic_max"]
            grown = 0
            current = at_copy
            while time.monotonic() < deadline:
                current = await self.stream_last_seqs(client, 2.0) or current
                grown = sum(current.get(s, 0) - at_copy.get(s, 0) for s in checker.STREAMS)
                if grown >= fault["traffic_events"]:
                    break
                await asyncio.sleep(0.1)
            await client.close()
            # The crash: every process at once.
            for name in order:
                self.procs[name].expected_exit = True
            for name in order:
                self.procs[name].signal(signal.SIGKILL)
            for name in order:
                await self.procs[name].wait_exit(10)
            moved = self.dir / "nats-lost"
            shutil.rmtree(moved, ignore_errors=True)
            self.store.rename(moved)
            snapshot.rename(self.store)
            shutil.rmtree(moved, ignore_errors=True)
            ready = {}
            for name in order:
                ready[name] = await self.start_proc(name)
            self.fault_log({**fault, "started": started, "last_seqs_at_copy": at_copy,
                            "last_seqs_at_crash": current, "events_after_copy": grown, "ready": ready})
        finally:
            await client.close()
            for lock in locks:
                lock.release()

    def fill_disk(self, directory: Path) -> tuple[Path, int]:
        """Fills the tmpfs mounted on `directory` with a filler file until ENOSPC."""
        filler = directory / "chaos-filler"
        written = 0
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for chunk_size in (1 << 20, 1 << 12, 1 << 9):
                chunk = b"\0" * chunk_size
                for _ in range((self.cfg.tmpfs_mib << 20) // chunk_size + 1):  # bounded
                    try:
                        written += os.write(fd, chunk)
                    except OSError as error:
                        if error.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        return filler, written

    async def disk_full(self, fault: dict) -> None:
        directory = self.service_dir(fault["target"])
        started = self.now()
        filler, written = self.fill_disk(directory)
        usage = shutil.disk_usage(directory)
        await asyncio.sleep(fault["duration"])  # the fault: the disk stays full this long
        filler.unlink()
        self.fault_log({**fault, "started": started, "filler_bytes": written, "free_bytes_when_full": usage.free})

    async def crash_point(self, fault: dict) -> None:
        """Restart the service armed with its crash point (CRASH_POINTS): it dies there, at its
        next command or event; then start it again, unarmed, on the same database."""
        name = fault["target"]
        point = CRASH_POINTS[name]
        proc = self.procs[name]
        async with proc.lock:
            started = self.now()
            pid = proc.pid
            await proc.kill()
            offset = proc.start({"LOGISTICS_FAULT": point})
            proc.expected_exit = True  # it is meant to die at the point
            armed_pid = proc.pid
            exited = await proc.wait_exit(CRASH_POINT_FIRE_WITHIN)
            fired = exited and "fault injection: the process dies here" in proc.log_since(offset)
            if not exited:  # the point was not reached in time (no such command or event came)
                proc.signal(signal.SIGKILL)
                await proc.wait_exit(10)
            ready = await self.start_proc(name)
            self.fault_log({**fault, "point": point, "pid": pid, "armed_pid": armed_pid, "fired": fired,
                            "new_pid": proc.pid, "ready": ready, "started": started})

    async def service_status(self, client: nats.Reconnecting, service: str) -> dict:
        try:
            return (await client.request(f"{service}.query.status", b"", 2.0)).json()
        except (nats.NatsError, ValueError):
            return {}

    async def marks_full(self, fault: dict) -> None:
        """The relay's marks meet a full disk: the service's stream refuses new messages (a
        largest message size smaller than any event; the server stays up) until its outbox
        holds a backlog;
        the disk is filled; the stream takes messages again, so the relay publishes the backlog
        and the PubAcks come back while its marks cannot be written. The disk is freed a while
        after the first failed mark. A relay that forgot those marks would never publish or mark
        the rows again while it runs: its outbox would not drain."""
        name = fault["target"]
        stream = OWN_STREAM[name]
        directory = self.service_dir(name)
        proc = self.procs[name]
        client = nats.Reconnecting(self.url, "chaos-marks-full")
        filler = None
        original = None
        try:
            async with proc.lock:
                started = self.now()
                info = await nats.stream_info(client, stream, 5.0)
                original = info["config"]
                held = int(info["state"].get("messages", 0))
                # Not max_msgs: a limit below what the stream holds by the time the update lands
                # (the relay keeps publishing) makes the server delete the oldest messages. A
                # size limit refuses new messages and never touches stored ones.
                await nats.stream_update(client, {**original, "max_msg_size": 16}, 5.0)
                deadline = time.monotonic() + fault["refuse_max"]
                backlog = 0
                while time.monotonic() < deadline:
                    status = await self.service_status(client, name)
                    backlog = status.get("outbox", {}).get("unpublished") or 0
                    if backlog >= fault["backlog"]:
                        break
                    await asyncio.sleep(0.1)
                before = (await self.service_status(client, name)).get("relay", {}).get("failed_marks", 0)
                # A WAL that already has room would take the marks without growing: have it
                # checkpointed and truncated first (from a connection of our own, as a backup
                # tool would), so that the next commit must grow a file on the full disk.
                truncated = await asyncio.to_thread(checkpoint_truncate, directory / f"{name}.db")
                filler, written = self.fill_disk(directory)
                await nats.stream_update(client, original, 5.0)
                original = None
                deadline = time.monotonic() + fault["marks_max"]
                failed = 0
                while time.monotonic() < deadline:
                    status = await self.service_status(client, name)
                    failed = (status.get("relay", {}).get("failed_marks") or 0) - before
                    if failed > 0:
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(fault["duration"])  # the fault: full while the marks fail
                filler.unlink()
                filler = None
                self.fault_log({**fault, "started": started, "stream_refused_at_msgs": held,
                                "outbox_backlog": backlog, "wal_truncated": truncated,
                                "filler_bytes": written, "failed_marks": failed})
        finally:
            if original is not None:  # an error between refusing and restoring: restore
                try:
                    await nats.stream_update(client, original, 5.0)
                except nats.NatsError as error:
                    self.errors.append(f"marks-full: could not restore {stream}: {error}")
            if filler is not None:
                filler.unlink(missing_ok=True)
            await client.close()

    # -- the cluster: nodes, leaders, the lease ----------------------------------------------

    async def start_cluster(self) -> None:
        """The three nodes at once (each waits for the others' routes), then until every node
        answers $JS.API.INFO: there is a JetStream meta leader, which places the R3 streams."""
        for name in self.nats_names:
            self.procs[name].start()
        for name in self.nats_names:
            if not await self.procs[name].wait_ready(NATS_READY_TIMEOUT):
                raise RuntimeError(f"{name} did not start; see {self.procs[name].log_path}")
        deadline = time.monotonic() + 30
        waiting = list(range(len(self.nats_names)))
        while waiting and time.monotonic() < deadline:
            for i in list(waiting):
                try:
                    client = await nats.NatsClient.connect(self.network.client_url(i), 2.0, "chaos-setup")
                    try:
                        await nats.js_api(client, "$JS.API.INFO", None, 2.0)
                        waiting.remove(i)
                    finally:
                        await client.close()
                except nats.NatsError:
                    pass
            await asyncio.sleep(0.2)
        if waiting:
            raise RuntimeError(f"no JetStream meta leader known to nodes {[netcluster.NODES[i] for i in waiting]} "
                               "within 30s")

    async def stream_clusters(self, client: nats.Reconnecting) -> dict:
        """Each stream's leader and replicas as the cluster reports them."""
        result = {}
        for stream in checker.STREAMS:
            try:
                info = await nats.stream_info(client, stream, 2.0)
                result[stream] = info.get("cluster", {})
            except nats.NatsError as error:
                result[stream] = {"error": str(error)}
        return result

    @staticmethod
    def streams_whole(clusters: dict, nodes: int = 3) -> bool:
        """Every stream has a leader and all its other replicas current."""
        for info in clusters.values():
            replicas = info.get("replicas") or []
            if not info.get("leader") or len(replicas) != nodes - 1:
                return False
            if not all(r.get("current") and not r.get("offline") for r in replicas):
                return False
        return bool(clusters)

    async def wait_streams_whole(self, client: nats.Reconnecting, bound: float = 30.0) -> float | None:
        """Seconds until every stream has a leader and every replica current, None after `bound`."""
        started = time.monotonic()
        while time.monotonic() - started < bound:
            if self.streams_whole(await self.stream_clusters(client)):
                return round(time.monotonic() - started, 2)
            await asyncio.sleep(0.2)
        return None

    async def wait_leaders(self, client: nats.Reconnecting, not_on: set[str], bound: float = 30.0) -> float | None:
        """Seconds until every stream has a leader that is not one of `not_on`."""
        started = time.monotonic()
        while time.monotonic() - started < bound:
            clusters = await self.stream_clusters(client)
            if all(c.get("leader") and c.get("leader") not in not_on for c in clusters.values()):
                return round(time.monotonic() - started, 2)
            await asyncio.sleep(0.1)
        return None

    async def resolve_node(self, client: nats.Reconnecting, target: str, pick: int = 0) -> tuple[int, dict]:
        """A schedule's node target (n2, leader:ORDERS, follower:ORDERS) -> the node's index now."""
        clusters = await self.stream_clusters(client)
        node = target
        if ":" in target:
            role, stream = target.split(":", 1)
            leader = clusters.get(stream, {}).get("leader")
            if role == "leader" and leader in netcluster.NODES:
                node = leader
            else:
                others = [n for n in netcluster.NODES if n != leader]
                node = others[pick % len(others)] if role == "follower" else netcluster.NODES[0]
        return netcluster.NODES.index(node), {s: c.get("leader") for s, c in clusters.items()}

    def service_connections(self, i: int) -> dict[str, int] | None:
        """The services' connections on node i (its /connz), by connection name; None when the
        monitoring port does not answer."""
        import urllib.request
        try:
            with urllib.request.urlopen(f"{self.network.monitor_url(i)}/connz?limit=1024", timeout=2) as reply:
                connz = json.loads(reply.read())
        except (OSError, ValueError):
            return None
        names: dict[str, int] = {}
        for conn in connz.get("connections", []):
            name = conn.get("name", "")
            if not name.startswith("chaos"):
                names[name or "?"] = names.get(name or "?", 0) + 1
        return names

    def lease_row(self, service: str) -> dict | None:
        """The relay_lease row of a service's database (read from a connection of our own)."""
        try:
            connection = sqlite3.connect(str(self.service_dir(service) / f"{service}.db"), timeout=2.0)
            try:
                row = connection.execute(
                    "SELECT holder, epoch, expires_at FROM relay_lease WHERE name = 'relay'").fetchone()
            finally:
                connection.close()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        holder, epoch, expires_at = row
        parts = holder.split("/")
        pid = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None
        owner = next((n for n in self.service_names if self.procs[n].pid == pid and service_of(n) == service), None)
        return {"holder": holder, "epoch": epoch, "expires_at": expires_at, "pid": pid, "instance": owner}

    async def wait_takeover(self, service: str, old_epoch: int, old_pid: int | None, bound: float) -> dict:
        """Polls the lease row until another instance holds it under a newer epoch."""
        started = time.monotonic()
        while time.monotonic() - started < bound:
            row = await asyncio.to_thread(self.lease_row, service)
            if row and row["epoch"] > old_epoch and row["pid"] != old_pid:
                return {"takeover_seconds": round(time.monotonic() - started, 2), "new_holder": row["instance"],
                        "new_epoch": row["epoch"]}
            await asyncio.sleep(0.05)
        return {"takeover_seconds": None, "takeover_bound": bound}

    async def resolve_instance(self, target: str) -> tuple[str, dict | None]:
        """holder:orders -> the orders instance the relay_lease row names (or orders-1)."""
        if not target.startswith("holder:"):
            return target, None
        service = target.split(":", 1)[1]
        row = await asyncio.to_thread(self.lease_row, service)
        if row and row["instance"]:
            return row["instance"], row
        return f"{service}-1", row

    async def node_kill(self, fault: dict) -> None:
        """SIGKILL one node, leave it down, restart it on its store; then wait until the streams
        are whole again (a leader each, every replica current)."""
        client = nats.Reconnecting(self.url, "chaos-node-kill")
        try:
            started = self.now()
            i, leaders = await self.resolve_node(client, fault["target"], fault.get("pick", 0))
            node = netcluster.NODES[i]
            proc = self.procs[self.nats_names[i]]
            led = {s for s, leader in leaders.items() if leader == node}
            async with proc.lock:
                pid = proc.pid
                await proc.kill()
                # The election is watched while the node is down (from another client: the
                # stream info requests may take their whole timeout meanwhile).
                watcher = nats.Reconnecting(self.url, "chaos-node-kill-election")
                election = asyncio.create_task(self.wait_leaders(watcher, {node}, fault["down"] + 15)) if led else None
                await asyncio.sleep(fault["down"])  # the fault: the node stays down this long
                ready = await self.start_proc(self.nats_names[i])
            figures = {"led_streams": sorted(led)}
            if election is not None:
                figures["new_leader_seconds"] = await election
            await watcher.close()
            figures["whole_after_restart_seconds"] = await self.wait_streams_whole(client)
            self.fault_log({**fault, "planned_target": fault["target"], "target": node, "pid": pid,
                            "new_pid": proc.pid, "ready": ready, "started": started, "leaders_before": leaders,
                            **figures})
        finally:
            await client.close()

    async def node_partition(self, fault: dict) -> None:
        """Cut one node off from the two others (both directions), heal after `duration`. The
        figures: how long until the streams it led had a leader on the majority side, and until
        no service connection was left on the cut-off node."""
        if self.network.partition_unavailable:
            self.faults_skipped.append({**fault, "reason": self.network.partition_unavailable})
            log(f"SKIPPED node-partition: {self.network.partition_unavailable}")
            await asyncio.sleep(fault["duration"])  # the schedule's time passes as planned
            return
        client = nats.Reconnecting(self.url, "chaos-node-partition")
        try:
            started = self.now()
            if fault["target"] == "busiest":
                counts = [await asyncio.to_thread(self.service_connections, j) for j in range(len(netcluster.NODES))]
                busiest = max(range(len(counts)), key=lambda j: sum((counts[j] or {}).values()))
                i, leaders = await self.resolve_node(client, netcluster.NODES[busiest])
            else:
                i, leaders = await self.resolve_node(client, fault["target"])
            node = netcluster.NODES[i]
            before = await asyncio.to_thread(self.service_connections, i)
            # The majority's view: the cut-off node still answers for the streams it led until
            # it notices it lost its quorum.
            majority = nats.Reconnecting(",".join(self.network.client_url(j) for j in range(len(netcluster.NODES))
                                                  if j != i), "chaos-node-partition-majority")
            self.network.partition(i)
            cut = time.monotonic()
            try:
                led = {s for s, leader in leaders.items() if leader == node}
                moved_seconds = None
                election = None
                left: dict | None = before
                while time.monotonic() - cut < fault["duration"]:
                    if led and election is None:
                        clusters = await self.stream_clusters(majority)
                        if all(c.get("leader") and c.get("leader") != node for c in clusters.values()):
                            election = round(time.monotonic() - cut, 2)
                    if moved_seconds is None:
                        left = await asyncio.to_thread(self.service_connections, i)
                        if left is not None and not left:
                            moved_seconds = round(time.monotonic() - cut, 2)
                    await asyncio.sleep(0.2)
            finally:
                self.network.heal()
                await majority.close()
            whole = await self.wait_streams_whole(client)
            figures = {"led_streams": sorted(led), "service_connections_before": before,
                       "service_connections_left": left, "whole_after_heal_seconds": whole}
            if led:
                figures["new_leader_seconds"] = election
            if before:
                figures["services_moved_seconds"] = moved_seconds
            self.fault_log({**fault, "planned_target": fault["target"], "target": node, "started": started,
                            "leaders_before": leaders, **figures})
        finally:
            await client.close()

    async def lease_pause(self, fault: dict) -> None:
        """SIGSTOP the instance the relay_lease row names, past the lease; measure the takeover
        (a newer epoch held by another instance); SIGCONT; see the paused one give up."""
        service = fault["target"]
        started = self.now()
        row = await asyncio.to_thread(self.lease_row, service)
        if not row or not row["instance"]:
            self.fault_log({**fault, "started": started, "holder_found": False, "lease_row": row})
            return
        name = row["instance"]
        proc = self.procs[name]
        async with proc.lock:
            offset = proc.log_path.stat().st_size
            # A process stopped inside a write transaction holds SQLite's write lock: no other
            # instance can write (commands, the lease) until it resumes, so no takeover can
            # happen. That is SQLite's limit, counted and reported; the fault then resumes it
            # at once and stops it again a moment later (bounded), to pause a holder between
            # its transactions, which is what the lease must survive.
            mid_write = 0
            for _ in range(20):
                proc.stopped = True
                proc.signal(signal.SIGSTOP)
                if not await asyncio.to_thread(self.write_lock_held, service):
                    break
                mid_write += 1
                proc.signal(signal.SIGCONT)
                await asyncio.sleep(0.05 + 0.05 * mid_write)
            else:  # always inside a write when stopped: stop it anyway, the takeover will wait
                proc.signal(signal.SIGSTOP)
            stopped_at = time.monotonic()
            takeover = await self.wait_takeover(service, row["epoch"], row["pid"], fault["duration"])
            await asyncio.sleep(max(0.0, fault["duration"] - (time.monotonic() - stopped_at)))
            proc.signal(signal.SIGCONT)
            proc.stopped = False
            resumed = time.monotonic()
            gave_up = None
            while time.monotonic() - resumed < 5.0:
                if "relay lease lost" in proc.log_since(offset):
                    gave_up = round(time.monotonic() - resumed, 2)
                    break
                await asyncio.sleep(0.05)
        self.fault_log({**fault, "target": name, "service": service, "started": started, "holder_found": True,
                        "epoch": row["epoch"], "pid": row["pid"], "stopped_mid_write": mid_write, **takeover,
                        "gave_up_after_cont_seconds": gave_up})

    def write_lock_held(self, service: str, probe_seconds: float = 0.5) -> bool:
        """True when SQLite's write lock of the service's database stays taken for
        `probe_seconds` (the instances' own transactions last milliseconds)."""
        deadline = time.monotonic() + probe_seconds
        while time.monotonic() < deadline:
            try:
                connection = sqlite3.connect(str(self.service_dir(service) / f"{service}.db"), timeout=0.0,
                                             isolation_level=None)
                try:
                    connection.execute("BEGIN IMMEDIATE")
                    connection.execute("ROLLBACK")
                    return False
                finally:
                    connection.close()
            except sqlite3.OperationalError:
                time.sleep(0.05)
        return True

    async def quorum_loss(self, fault: dict) -> None:
        """Two nodes of three SIGKILLed at once: no quorum, so publishes wait (the commands keep
        committing, their events wait in the outbox); both restarted after `down`."""
        client = nats.Reconnecting(self.url, "chaos-quorum-loss")
        names = [f"nats-{node}" for node in fault["targets"]]
        locks = [self.procs[n].lock for n in names]
        for lock in locks:
            await lock.acquire()
        try:
            started = self.now()
            pids = [self.procs[n].pid for n in names]
            for n in names:
                self.procs[n].expected_exit = True
                self.procs[n].signal(signal.SIGKILL)
            for n in names:
                await self.procs[n].wait_exit(10)
            down_at = time.monotonic()
            waiting = {}
            while time.monotonic() - down_at < fault["down"]:
                for service in SCALED_SERVICES:
                    status = await self.service_status(client, service)
                    unpublished = status.get("outbox", {}).get("unpublished")
                    if isinstance(unpublished, int):
                        waiting[service] = max(waiting.get(service, 0), unpublished)
                await asyncio.sleep(0.3)
            ready = {}
            for n in names:
                self.procs[n].start()
            for n in names:
                ready[n] = await self.procs[n].wait_ready(NATS_READY_TIMEOUT)
                if not ready[n]:
                    self.not_ready.append({"process": n, "pid": self.procs[n].pid, "at": round(self.now(), 2),
                                           "alive": self.procs[n].alive(), "start": self.procs[n].starts})
        finally:
            for lock in locks:
                lock.release()
        try:
            whole = await self.wait_streams_whole(client)
            drained = None
            since = time.monotonic()
            while time.monotonic() - since < 30.0:
                statuses = [await self.service_status(client, s) for s in SCALED_SERVICES]
                if all(st.get("outbox", {}).get("unpublished") == 0 for st in statuses):
                    drained = round(time.monotonic() - since, 2)
                    break
                await asyncio.sleep(0.2)
            self.fault_log({**fault, "target": "+".join(fault["targets"]), "pids": pids, "ready": ready,
                            "started": started, "outbox_max_while_down": waiting,
                            "whole_after_restart_seconds": whole, "outbox_empty_after_restart_seconds": drained})
        finally:
            await client.close()

    async def outage(self, fault: dict) -> None:
        """A service down for long under load (SIGKILL, restarted after `down` seconds): it comes
        back to a backlog of both streams."""
        await self.kill_and_restart(fault)

    async def inject(self) -> None:
        lanes: list[asyncio.Task] = []
        t_start = self.now()
        for fault in self.schedule:
            delay = t_start + fault["at"] - self.now()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.stop_new.is_set():
                break
            log(f"fault: {json.dumps(fault)}")
            if fault["kind"] == "stop":  # its own lane: the main lane goes on meanwhile
                lanes.append(asyncio.create_task(self.stop_and_continue(fault)))
                continue
            action = {"kill": self.kill_and_restart, "nats-restart": self.nats_restart,
                      "lost-tail": self.lost_tail, "disk-full": self.disk_full,
                      "crash-point": self.crash_point, "marks-full": self.marks_full,
                      "outage": self.outage, "node-kill": self.node_kill,
                      "node-partition": self.node_partition, "lease-pause": self.lease_pause,
                      "quorum-loss": self.quorum_loss}[fault["kind"]]
            await action(fault)
        if lanes:
            await asyncio.gather(*lanes)

    # -- drain, stop, check ----------------------------------------------------------------

    async def drain_system(self) -> None:
        for proc in self.procs.values():  # everything up and running again
            async with proc.lock:
                if proc.stopped:
                    proc.signal(signal.SIGCONT)
                    proc.stopped = False
        started = self.now()
        deadline = time.monotonic() + self.cfg.drain_timeout
        client = nats.Reconnecting(self.url, "chaos-drain")
        previous = None
        last = {}
        try:
            while time.monotonic() < deadline:
                try:
                    last = await self.figures(client)
                except nats.NatsError as error:
                    last = {"idle": False, "reasons": [str(error)], "last_seqs": {}}
                if last["idle"] and previous and previous["idle"] and previous["last_seqs"] == last["last_seqs"]:
                    self.drain = {"reached": True, "seconds": round(self.now() - started, 2),
                                  "last_seqs": last["last_seqs"]}
                    return
                previous = last
                await asyncio.sleep(0.5)
            self.drain = {"reached": False, "seconds": round(self.now() - started, 2),
                          "reasons": last.get("reasons", []), "last_seqs": last.get("last_seqs", {}),
                          "statuses": {s: {"outbox": st.get("outbox"), "consumers": st.get("consumers")}
                                       for s, st in last.get("statuses", {}).items()}}
        finally:
            await client.close()

    async def record_consumers_at_end(self) -> None:
        """The services' consumer figures (held, holds, retries, dead letters...) after the
        drain: the evidence that a fault reached the path it exists for."""
        client = nats.Reconnecting(self.url, "chaos-consumers-at-end")
        try:
            for service in SERVICES:
                status = await self.service_status(client, service)
                self.consumers_at_end[service] = status.get("consumers", {})
        finally:
            await client.close()

    def unexercised(self) -> list[str]:
        """Faults that ran but did not reach what they exist to test: a run that passes
        without them proves nothing about it."""
        problems = []
        for fault in self.faults_done:
            if fault["kind"] == "crash-point" and not fault.get("fired"):
                problems.append(f"crash-point of {fault['target']} at {fault['at']}s: the armed service never "
                                f"reached {fault['point']} within {CRASH_POINT_FIRE_WITHIN:.0f}s")
            if fault["kind"] == "marks-full" and not fault.get("failed_marks"):
                problems.append(f"marks-full of {fault['target']} at {fault['at']}s: no mark of the relay failed "
                                f"while the disk was full (backlog {fault.get('outbox_backlog')}, "
                                f"WAL checkpoint {fault.get('wal_truncated')})")
            if fault["kind"] == "lease-pause" and not fault.get("holder_found"):
                problems.append(f"lease-pause of {fault['target']} at {fault['at']}s: no instance of ours held the "
                                f"relay lease (row {fault.get('lease_row')})")
            if fault["kind"] == "lease-pause" and fault.get("holder_found") and fault.get("takeover_seconds") is None:
                problems.append(f"lease-pause of {fault['target']} at {fault['at']}s: no other instance took the "
                                f"lease over while the holder was stopped for {fault['duration']}s")
        if self.cfg.profile == "backlog" and any(f["kind"] == "outage" for f in self.faults_done):
            holds = sum(int(c.get("holds") or 0) for c in self.consumers_at_end.get("notifications", {}).values()
                        if isinstance(c, dict))
            if holds == 0:
                problems.append("backlog: notifications held no event for a missing order after the outage "
                                "(status consumers.*.holds is 0), so the lagging projection was not exercised")
        return problems

    async def stop_services(self) -> None:
        async def stop(name: str) -> None:
            proc = self.procs[name]
            proc.expected_exit = True
            proc.signal(signal.SIGTERM)
            clean = await proc.wait_exit(STOP_TIMEOUT)
            if not clean:
                proc.signal(signal.SIGKILL)
                await proc.wait_exit(10)
            self.shutdown[name] = {"pid": proc.pid, "returncode": proc.popen.returncode,
                                   "within_timeout": clean}
        await asyncio.gather(*(stop(s) for s in self.service_names))

    async def stop_nats(self) -> None:
        async def stop(name: str) -> None:
            proc = self.procs[name]
            proc.expected_exit = True
            proc.signal(signal.SIGTERM)
            if not await proc.wait_exit(STOP_TIMEOUT):
                proc.signal(signal.SIGKILL)
                await proc.wait_exit(10)
        await asyncio.gather(*(stop(n) for n in self.nats_names))

    # -- the whole run ---------------------------------------------------------------------

    async def execute(self) -> dict:
        cfg = self.cfg
        log(f"seed {cfg.seed} ({cfg.profile}), work dir {self.dir}, nats {self.url}")
        log(f"replay: {cfg.replay_command()}")
        log("schedule: " + (json.dumps(self.schedule) if self.schedule else "no faults"))
        self.setup()
        await self.start_all()
        log("nats-server and the services are up: " +
            ", ".join(f"{n} pid {p.pid}" for n, p in self.procs.items()))
        self.t0 = time.monotonic()
        background = [asyncio.create_task(self.watch_processes()), asyncio.create_task(self.watch_idle())]
        if cfg.profile == "soak" or cfg.sample_every:
            background.append(asyncio.create_task(self.sample()))
        try:
            load = ([asyncio.create_task(self.worker(w)) for w in range(cfg.workers)] if cfg.workers
                    else [asyncio.create_task(self.paced())])
            injector = asyncio.create_task(self.inject())
            await asyncio.sleep(cfg.duration)
            if not injector.done():
                log("the workload's time is up but faults are still running; waiting for them")
                async with asyncio.timeout(180):
                    await asyncio.shield(injector)
            await injector
            self.stop_new.set()
            log(f"workload: no new lifecycles; {self.in_flight} in flight finish "
                f"(at most {cfg.command_timeout + cfg.wait_timeout:.0f}s)")
            bound = cfg.command_timeout * 2 + cfg.wait_timeout * 2 + 30
            done, pending = await asyncio.wait(load, timeout=bound)
            for task in pending:
                task.cancel()
            for lc in self.lifecycles:
                if lc["outcome"] == "running":
                    lc["outcome"] = "failed"
                    lc["reason"] = f"still running {bound:.0f}s after the workload ended"
            for task in done:
                if task.exception():
                    raise task.exception()
            log(f"workload over: {len(self.lifecycles)} lifecycles; draining")
            await self.drain_system()
            log(f"drain: {json.dumps(self.drain)[:400]}")
            await self.record_consumers_at_end()
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
        await self.stop_services()
        log(f"services stopped: {json.dumps(self.shutdown)}")
        if cfg.inject_defect:
            await self.inject_defect(cfg.inject_defect)
        self.replies_file.close()
        self.write_run_file()
        report = await checker.check(self.dir, self.url)
        await self.stop_nats()
        if cfg.cluster:  # read after the nodes stopped, so each store is complete on disk
            stores = {node: self.store / node for node in netcluster.NODES}
            checker.add_replica_agreement(report, replicas.compare(stores, checker.STREAMS), stores)
        return report

    async def inject_defect(self, defect: str) -> None:
        """The checker's own test (--inject-defect): after the services stopped, put into the
        ORDERS stream what a broken relay or a lossy server would leave, so that the run must
        fail. duplicate-event: a stored event published again under another Nats-Msg-Id (a
        second, unfenced relay re-publishing after the duplicate window); lost-event: one stored
        event deleted from the stream (an acknowledged write the cluster lost)."""
        client = nats.Reconnecting(self.url, "chaos-defect")
        try:
            info = await nats.stream_info(client, "ORDERS", 5.0)
            seq = max(1, int(info["state"]["last_seq"]) // 2)
            stored = await nats.stream_get(client, "ORDERS", seq, 5.0)
            if defect == "duplicate-event":
                headers = dict(stored.headers)
                headers["Nats-Msg-Id"] = "chaos-defect-" + nats.random_id()
                ack = (await client.request(stored.subject, stored.data, 5.0, headers)).json()
                self.defect = {"defect": defect, "copied_seq": seq, "pub_ack": ack}
            else:
                reply = await nats.js_api(client, "$JS.API.STREAM.MSG.DELETE.ORDERS", {"seq": seq}, 5.0)
                self.defect = {"defect": defect, "deleted_seq": seq, "reply": reply}
            event = json.loads(stored.data)
            self.defect.update({"event": event.get("id"), "aggregate": event.get("subject")})
            log(f"DEFECT INJECTED for the checker's test: {json.dumps(self.defect)}")
        finally:
            await client.close()

    def write_run_file(self) -> None:
        cfg = self.cfg
        run = {
            "seed": cfg.seed, "profile": cfg.profile, "duration": cfg.duration,
            "faults_selected": list(cfg.faults), "replay": cfg.replay_command(),
            "ack_wait_seconds": cfg.ack_wait, "ack_wait_flag": cfg.ack_wait_flag,
            "nats_url": self.url, "schedule": self.schedule, "faults_done": self.faults_done,
            "unexpected_exits": self.unexpected_exits, "not_ready": self.not_ready,
            "consumers_at_end": self.consumers_at_end, "errors": self.errors,
            "lifecycles": self.lifecycles, "drain": self.drain, "shutdown": self.shutdown,
            "samples": self.samples, "mounts": [str(m) for m in self.mounts],
            "databases": {s: str(self.service_dir(s) / f"{s}.db") for s in SERVICES},
            "mail_dir": str(self.service_dir("notifications") / "mail"),
            "logs": {n: str(p.log_path) for n, p in self.procs.items()},
            "pids": {n: p.pids for n, p in self.procs.items()},
            "faults_skipped": self.faults_skipped,
            "defect_injected": getattr(self, "defect", None),
        }
        if self.network is not None:
            run["cluster"] = {"nodes": list(netcluster.NODES), "urls": self.url,
                              "namespaces": self.network.namespaces, "bridge": self.network.bridge,
                              "partition_unavailable": self.network.partition_unavailable,
                              "instances": self.service_names, "lease_ms": cfg.lease_ms,
                              "js_check_interval_ms": CLUSTER_JS_CHECK_MS}
        (self.dir / "run.json").write_text(json.dumps(run, indent=1))


class LifecycleFailed(Exception):
    pass


# ---- cluster figures -------------------------------------------------------------------------

CLUSTER_FIGURES = (
    # (kind, field, what it measures) — a field missing from a fault is left out
    ("node-kill", "new_leader_seconds", "a stream led by the killed node has a new leader after"),
    ("node-kill", "whole_after_restart_seconds", "every replica current again after the restart"),
    ("node-partition", "new_leader_seconds", "a stream led by the cut-off node has a leader on the majority side after"),
    ("node-partition", "services_moved_seconds", "no service connection left on the cut-off node after"),
    ("node-partition", "whole_after_heal_seconds", "every replica current again after the heal"),
    ("lease-pause", "takeover_seconds", "another instance holds the lease (newer epoch) after the SIGSTOP by"),
    ("lease-pause", "gave_up_after_cont_seconds", "the resumed holder logs 'relay lease lost' after the SIGCONT by"),
    ("lease-pause", "stopped_mid_write", "SIGSTOPs that found the holder inside a write transaction (resumed, retried)"),
    ("kill", "takeover_seconds", "another instance holds the lease after the SIGKILL of the holder by"),
    ("quorum-loss", "outbox_empty_after_restart_seconds", "both outboxes empty after the nodes are back (and whole) by"),
)


def cluster_figures(faults_done: list[dict]) -> dict:
    figures: dict = {}
    for kind, field, what in CLUSTER_FIGURES:
        values = [f[field] for f in faults_done if f["kind"] == kind and isinstance(f.get(field), (int, float))]
        missing = sum(1 for f in faults_done if f["kind"] == kind and field in f and f[field] is None)
        if values or missing:
            figures[f"{kind}.{field}"] = {"what": what, "seconds": values, "not_reached": missing,
                                          "max": max(values) if values else None}
    held = [f["outbox_max_while_down"] for f in faults_done if f["kind"] == "quorum-loss"]
    if held:
        figures["quorum-loss.outbox_max_while_down"] = {"what": "events waiting in the outboxes without quorum",
                                                        "rows": held}
    return figures


def print_cluster(report: dict) -> None:
    figures = report.get("cluster_figures") or {}
    if not figures and not report.get("run", {}).get("cluster"):
        return
    print("\nCluster figures (seconds, one per fault):")
    for key, data in figures.items():
        if "seconds" in data:
            series = ", ".join(f"{v:g}" for v in data["seconds"]) or "-"
            missed = f"; NOT REACHED within its bound x{data['not_reached']}" if data["not_reached"] else ""
            print(f"  {key:44} [{series}]{missed}  ({data['what']})")
        else:
            print(f"  {key:44} {data['rows']}  ({data['what']})")


# ---- soak summary ----------------------------------------------------------------------------


def soak_summary(samples: list[dict]) -> dict:
    summary: dict = {"rss_mib": {}, "p99_ms": {}}
    for key in ("rss_mib", "p99_ms"):
        names = sorted({n for s in samples for n in s.get(key, {})})
        for name in names:
            series = [(s["t"], s[key].get(name)) for s in samples]
            values = [v for _, v in series if v is not None]
            late = series[len(series) // 2:]
            summary[key][name] = {
                "series": [v for _, v in series],
                "slope_per_min": (round(slope_per_minute(series), 4)
                                  if slope_per_minute(series) is not None else None),
                "slope_per_min_second_half": (round(slope_per_minute(late), 4)
                                              if slope_per_minute(late) is not None else None),
                "first": values[0] if values else None, "last": values[-1] if values else None,
                "max": max(values) if values else None,
            }
    return summary


def print_soak(summary: dict) -> None:
    print("\nSoak: series every sample (oldest first) and least-squares slope per minute")
    for key, unit in (("rss_mib", "MiB"), ("p99_ms", "ms")):
        for name, data in summary[key].items():
            series = " ".join("-" if v is None else f"{v:g}" for v in data["series"])
            print(f"  {key:8} {name:14} slope {data['slope_per_min']} {unit}/min "
                  f"(second half {data['slope_per_min_second_half']})  [{series}]")


# ---- single run and the CI pair ---------------------------------------------------------------


def run_one(cfg: RunConfig) -> int:
    run = Run(cfg)
    atexit.register(run.cleanup)
    report: dict | None = None
    status = 2
    loop = asyncio.new_event_loop()
    main = loop.create_task(run.execute())

    seen: list[int] = []

    def interrupted(signum, _frame):
        seen.append(signum)
        if len(seen) == 1:
            log(f"signal {signum}: stopping")
            loop.call_soon_threadsafe(run.stop_new.set)
            loop.call_soon_threadsafe(main.cancel)
        else:  # a second signal: no more waiting
            log(f"signal {signum} again: killing what this run started and exiting")
            run.cleanup()
            os._exit(130)

    previous = {s: signal.signal(s, interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        report = loop.run_until_complete(main)
        report["unexercised"] = run.unexercised()
        if cfg.cluster:
            report["cluster_figures"] = cluster_figures(run.faults_done)
        status = 1 if report["failed"] or report["unexercised"] else 0
    except asyncio.CancelledError:
        log("interrupted")
        status = 130
    except Exception as error:  # the run could not be made: say why, clean up, exit 2
        log(f"run error: {type(error).__name__}: {error}")
        import traceback
        traceback.print_exc()
        status = 2
    finally:
        run.cleanup()  # first: every process stopped, every mount unmounted
        loop.call_soon(run.stop_new.set)
        leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in leftovers:  # workers and fault lanes of an interrupted or failed run
            task.cancel()
        if leftovers:  # bounded: a task that ignores its cancellation is left behind
            loop.run_until_complete(asyncio.wait(leftovers, timeout=5))
        for s, handler in previous.items():
            signal.signal(s, handler)
        loop.close()
    if report is not None:
        report["run"] = {"seed": cfg.seed, "profile": cfg.profile, "replay": cfg.replay_command(),
                         "work_dir": str(run.dir), "wall_seconds": round(time.monotonic() - run.t0, 1),
                         "cluster": cfg.cluster}
        if cfg.profile == "soak" or run.samples:
            report["soak"] = soak_summary(run.samples)
        (run.dir / "report.json").write_text(json.dumps(report, indent=1))
        if cfg.json_out:
            cfg.json_out.parent.mkdir(parents=True, exist_ok=True)
            cfg.json_out.write_text(json.dumps(report, indent=1))
        checker.print_report(report)
        print_cluster(report)
        for problem in report["unexercised"]:
            print(f"NOT EXERCISED: {problem}")
        if cfg.profile == "backlog":
            held = {d: {k: c.get(k) for k in ("holds", "dead_letters", "retries")}
                    for d, c in run.consumers_at_end.get("notifications", {}).items() if isinstance(c, dict)}
            print(f"Backlog: notifications' consumers after the drain: {json.dumps(held)}")
        if cfg.profile == "soak":
            print_soak(report["soak"])
    keep = cfg.keep == "always" or (cfg.keep == "failure" and status != 0)
    if keep:
        log(f"kept {run.dir} (logs, databases, mail, run.json, report.json)")
    else:
        shutil.rmtree(run.dir, ignore_errors=True)
    log(f"seed {cfg.seed}: exit {status}; replay: {cfg.replay_command()}")
    return status


def clean_after_child(run_dir: Path) -> None:
    """After a seed's process ended (killed outright, perhaps): SIGKILL the processes it
    started that still run (by pid, if their command line names its directory), unmount its
    tmpfs."""
    pids_file = run_dir / "pids"
    if pids_file.exists():
        for text in pids_file.read_text().split():
            try:
                with open(f"/proc/{int(text)}/cmdline", "rb") as cmdline:
                    if str(run_dir).encode() not in cmdline.read():
                        continue
                os.kill(int(text), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        time.sleep(0.2)
    mounts_file = run_dir / "mounts"
    if mounts_file.exists():
        for line in mounts_file.read_text().split():
            unmount(Path(line))


def run_pair(args, base: dict, seeds: list[int], out_root: Path) -> int:
    """The CI profile: several seeds at once, each in a child process of its own."""
    children = []
    for seed in seeds:
        json_out = out_root / f"seed-{seed}.json"
        previous_dir = out_root / f"seed-{seed}"  # an earlier run's: only the names this function makes
        if (previous_dir / "mounts").exists():
            for line in (previous_dir / "mounts").read_text().split():
                unmount(Path(line))
        shutil.rmtree(previous_dir, ignore_errors=True)
        json_out.unlink(missing_ok=True)
        argv = [sys.executable, str(HERE / "chaos.py"), "--profile", args.profile, "--seed", str(seed),
                "--build-dir", str(args.build_dir), "--work-dir", str(out_root / f"seed-{seed}"),
                *[x for s in SERVICES for x in (f"--{s}", str(getattr(args, s)))],
                "--json", str(json_out), "--keep", args.keep, "--nats-server", args.nats_server]
        if args.duration is not None:
            argv += ["--duration", f"{args.duration}s"]
        if args.faults is not None:
            argv += ["--faults", args.faults]
        log_path = out_root / f"seed-{seed}.out"
        out = open(log_path, "wb")
        children.append((seed, subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                                start_new_session=True), log_path, json_out, out))
        log(f"seed {seed}: pid {children[-1][1].pid}, output {log_path}")

    deadline = [time.monotonic() + args.max_seconds]

    def stop_children(*_):
        for _, child, *_ in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline[0] = min(deadline[0], time.monotonic() + 30)  # then SIGKILL

    signalled: list[int] = []
    previous = {s: signal.signal(s, lambda signum, _: (signalled.append(signum), stop_children()))
                for s in (signal.SIGINT, signal.SIGTERM)}
    interrupted = False
    try:
        for seed, child, *_ in children:
            while child.poll() is None:  # bounded by the deadline
                if time.monotonic() >= deadline[0]:
                    if not interrupted:
                        log(f"over {args.max_seconds:.0f}s (or interrupted); stopping the seeds")
                        interrupted = True
                        stop_children()
                        continue
                    child.kill()
                    child.wait()
                    break
                time.sleep(0.2)
    finally:
        for _, child, *_ in children:
            if child.poll() is None:
                child.kill()
                child.wait()
        for s, handler in previous.items():
            signal.signal(s, handler)
        for seed, child, log_path, json_out, out in children:
            out.close()
            clean_after_child(out_root / f"seed-{seed}")
            netcluster.clean_leftovers(out_root / f"seed-{seed}")
    status = 0
    reports = {}
    for seed, child, log_path, json_out, _ in children:
        print(f"\n======== seed {seed} (exit {child.returncode}) ========", flush=True)
        sys.stdout.write(log_path.read_text(errors="replace"))
        if json_out.exists():
            reports[str(seed)] = json.loads(json_out.read_text())
        code = child.returncode
        if signalled or code == 130:
            status = 130
        elif code not in (0, 1):
            status = 2 if status != 1 else 1
        elif code == 1:
            status = 1
    summary = {"seeds": seeds, "exit": status, "reports": reports}
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1))
    print("\n======== summary ========")
    for seed, child, *_ in children:
        report = reports.get(str(seed))
        broken = ", ".join(report["failed"]) if report else "no report"
        unexercised = f"; not exercised: {len(report['unexercised'])} faults" if report and report.get("unexercised") else ""
        print(f"seed {seed}: exit {child.returncode}; broken: {broken or 'none'}{unexercised}; "
              f"replay: scripts/chaos --profile {args.profile} --seed {seed}")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/chaos", description="The chaos suite: a seeded workload with faults, judged "
        "by an independent checker. See tests/chaos/README.md.")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="ci",
                        help="ci (default): a fixed seed and a fresh one, all faults; long: faults "
                        "for --duration (default 10m); soak: no faults, steady load, RSS/p99 series; "
                        "cluster: 3 nats-server nodes, 2 instances of orders and payments, every cluster "
                        "fault once (passes repeat to fill --duration); long-cluster: cluster faults all "
                        "along for --duration (default 10m)")
    parser.add_argument("--seed", type=int, help="run only this seed (replays a printed run)")
    parser.add_argument("--duration", type=parse_duration, help="workload duration (e.g. 90s, 10m)")
    parser.add_argument("--faults", help=f"comma-separated fault kinds among {','.join(FAULT_KINDS)} "
                        f"(single-node profiles) or {','.join(CLUSTER_PROFILE_KINDS)} (cluster profiles), "
                        "or none (default: the profile's)")
    parser.add_argument("--lease-ms", type=int, default=DEFAULT_LEASE_MS,
                        help="cluster profiles: the services' --relay-lease-ms (default 3000); "
                        "a lease-pause stops the holder 1.5-3 s longer")
    parser.add_argument("--inject-defect", choices=("duplicate-event", "lost-event"),
                        help="the checker's own test: after the services stopped, publish a stored ORDERS "
                        "event again under another Nats-Msg-Id, or delete one; the run must then fail")
    parser.add_argument("--no-netns", action="store_true",
                        help="cluster profiles: run the nodes on 127.0.0.1, not in network namespaces "
                        "(node-partition is then skipped, and the run says so)")
    parser.add_argument("--rate", type=float, help="soak: lifecycles started per second")
    parser.add_argument("--workers", type=int, help="concurrent lifecycles (closed loop)")
    parser.add_argument("--build-dir", type=Path, default=REPO_ROOT / "build",
                        help="where the orders, payments and notifications binaries are")
    for service in SERVICES:
        parser.add_argument(f"--{service}", type=Path, help=f"the {service} binary (else BUILD_DIR/{service})")
    parser.add_argument("--nats-server", default=shutil.which("nats-server") or "/usr/sbin/nats-server")
    parser.add_argument("--work-dir", type=Path, help="the run's directory (default: a new temporary one)")
    parser.add_argument("--keep", choices=("always", "failure", "never"), default="failure",
                        help="keep the run directory (default: when the run failed)")
    parser.add_argument("--json", help="write the report (JSON) here too")
    parser.add_argument("--ack-wait", type=parse_duration, default=DEFAULT_ACK_WAIT,
                        help="the consumers' ack wait; SIGSTOPs last 1.5-3 s longer (default 30s)")
    parser.add_argument("--max-seconds", type=float, default=170.0,
                        help="ci with two seeds: bound on the whole run (default 170)")
    args = parser.parse_args(argv)

    args.build_dir = args.build_dir.resolve()
    binaries = {}
    for service in SERVICES:
        binaries[service] = (getattr(args, service) or args.build_dir / service).resolve()
        setattr(args, service, binaries[service])
        if not binaries[service].is_file():
            parser.error(f"{binaries[service]} not found (build first, or --build-dir)")
    is_cluster = bool(PROFILES[args.profile].get("cluster"))
    allowed = CLUSTER_PROFILE_KINDS if is_cluster else FAULT_KINDS
    if args.faults is not None:
        kinds = tuple(k for k in args.faults.split(",") if k and k != "none")
        unknown = [k for k in kinds if k not in allowed]
        if unknown:
            parser.error(f"fault kinds {unknown} not for the {args.profile} profile; choose among {allowed}")
    base = dict(PROFILES[args.profile])
    if args.duration is not None:
        base["duration"] = args.duration
    if args.faults is not None:
        base["faults"] = kinds
    if args.rate is not None:
        base["rate"] = args.rate
        base["workers"] = 0
    if args.workers is not None:
        base["workers"] = args.workers
    if {"disk-full", "marks-full"} & set(base["faults"]) and os.geteuid() != 0:
        log("not root: the disk-full and marks-full faults need mount; they are left out of this run")
        base["faults"] = tuple(k for k in base["faults"] if k not in ("disk-full", "marks-full"))

    if args.profile == "ci" and args.seed is None:
        fresh = int.from_bytes(os.urandom(4), "big") % 1_000_000
        seeds = [FIXED_CI_SEED, fresh]
        log(f"ci: fixed seed {FIXED_CI_SEED} and fresh seed {fresh}, in parallel")
        out_root = (args.work_dir or Path(tempfile.mkdtemp(prefix="chaos-ci-"))).resolve()
        out_root.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        status = run_pair(args, base, seeds, out_root)
        log(f"ci: both seeds done in {time.monotonic() - started:.0f}s, exit {status}")
        if status == 0 and args.keep != "always":
            for seed in seeds:  # only what this run made
                for name in (f"seed-{seed}.json", f"seed-{seed}.out"):
                    (out_root / name).unlink(missing_ok=True)
                shutil.rmtree(out_root / f"seed-{seed}", ignore_errors=True)
            try:
                out_root.rmdir()  # when empty
            except OSError:
                pass
        else:
            log(f"ci: reports and kept runs in {out_root}")
        return status

    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big") % 1_000_000
    ack_wait_flag = detect_ack_wait_flag(binaries["payments"], 3.0)
    ack_wait = 3.0 if ack_wait_flag else args.ack_wait
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix=f"chaos-{seed}-"))
    if work_dir.exists() and any(work_dir.iterdir()):
        parser.error(f"--work-dir {work_dir} is not empty (each run needs a fresh directory)")
    cfg = RunConfig(seed=seed, profile=args.profile, duration=base["duration"], faults=tuple(base["faults"]),
                    workers=base["workers"], rate=base["rate"], max_lifecycles=base["max_lifecycles"],
                    gap=base["gap"], disk_seconds=base["disk_seconds"], stop_every=base["stop_every"], tmpfs_mib=base["tmpfs_mib"],
                    wait_timeout=base["wait_timeout"], command_timeout=base["command_timeout"],
                    drain_timeout=base["drain_timeout"], sample_every=base["sample_every"],
                    binaries=binaries, nats_server=args.nats_server, work_dir=work_dir.resolve(),
                    keep=args.keep, ack_wait=ack_wait, ack_wait_flag=ack_wait_flag,
                    json_out=Path(args.json) if args.json else None, requested_duration=base["duration"],
                    service_args=base.get("service_args"), cluster=is_cluster, lease_ms=args.lease_ms,
                    namespaces=not args.no_netns, inject_defect=args.inject_defect,
                    partition_seconds=base.get("partition_seconds", (10.0, 14.0)))
    if cfg.wait_timeout < cfg.ack_wait + 10 and "stop" in cfg.faults:
        cfg.wait_timeout = cfg.ack_wait + 15
    if "stop" in cfg.faults and "crash-point" in cfg.faults:
        # An event left unacknowledged by a crash point comes again after the ack wait, and a
        # SIGSTOP of the same service may follow: a lifecycle waits for both.
        cfg.wait_timeout = max(cfg.wait_timeout, 2 * cfg.ack_wait + 20)
    return run_one(cfg)


if __name__ == "__main__":
    sys.exit(main())

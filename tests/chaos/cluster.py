"""tests/chaos/cluster.py: the network of the chaos suite's cluster profiles.

Three nats-server nodes n1, n2, n3 in one cluster "logistics". When the machine lets us create
network namespaces (root, `ip netns`), each node runs in a namespace of its own (`ip netns exec`),
joined to the host by a veth pair on a bridge of this run; the host (the services, the workload,
the checker) reaches every node at its address on that bridge. A partition is then a real one:
blackhole routes inside the namespaces between one node and the two others, in both
directions, so the route traffic (Raft included) between them is dropped silently while the
host still reaches every node (a service connected to the cut-off node sees its JetStream
requests time out, as in a real split). Without namespaces the nodes run on 127.0.0.1 and the
partition fault cannot be made: `partition_unavailable` says why and the run reports the kind
as skipped.

Everything here is named after the run's process id (at most 15 characters per interface
name), so that parallel runs (the ci profile's seeds) never meet; `teardown` removes it, and a
file in the run directory lists it for a parent that cleans up after a killed run.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import socket
import subprocess
from pathlib import Path

NODES = ("n1", "n2", "n3")
CLUSTER_NAME = "logistics"
NS_CLIENT_PORT = 4222  # inside a namespace of its own every node has the usual ports
NS_ROUTE_PORT = 6222
NS_MONITOR_PORT = 8222
SUBNET_LOCK = Path("/tmp/chaos-cluster-subnets.lock")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip() or result.returncode}")
    return result


class ClusterNetwork:
    """Where the three nodes listen and how they are cut apart."""

    def __init__(self, run_dir: Path, tag: int):
        self.run_dir = run_dir
        self.tag = tag
        self.namespaces: list[str] = []
        self.bridge: str | None = None
        self.host_ips: list[str] = ["127.0.0.1"] * len(NODES)
        self.client_ports: list[int] = []
        self.route_ports: list[int] = []
        self.monitor_ports: list[int] = []
        self.partition_unavailable: str | None = None
        self.partitioned: int | None = None
        self.blackholes: list[tuple[str, str]] = []  # (namespace, address)

    # -- set up and tear down ---------------------------------------------------------------

    def setup(self, want_namespaces: bool) -> None:
        if not want_namespaces:
            self._loopback("the run asked for no namespaces")
            return
        if os.geteuid() != 0:
            self._loopback("not root: network namespaces need root")
            return
        try:
            self._namespaces()
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            self.teardown()
            self._loopback(f"cannot create network namespaces: {error}")

    def _loopback(self, why: str) -> None:
        self.partition_unavailable = why
        self.namespaces, self.bridge = [], None
        self.host_ips = ["127.0.0.1"] * len(NODES)
        self.client_ports = [free_port() for _ in NODES]
        self.route_ports = [free_port() for _ in NODES]
        self.monitor_ports = [free_port() for _ in NODES]

    def _namespaces(self) -> None:
        tag = self.tag % 10_000_000
        with open(SUBNET_LOCK, "a+") as lock:
            # Two runs setting up at once must not pick the same /24: the choice and the
            # address on the bridge happen under one lock.
            fcntl.flock(lock, fcntl.LOCK_EX)
            subnet = self._free_subnet()
            self.bridge = f"chb{tag}"
            self._note()
            ip("link", "add", self.bridge, "type", "bridge")
            ip("addr", "add", f"{subnet[1]}/24", "dev", self.bridge)
            ip("link", "set", self.bridge, "up")
        addresses = [str(subnet[11 + i]) for i in range(len(NODES))]
        for i, node in enumerate(NODES):
            ns = f"chaos{tag}-{node}"
            outside, inside = f"chv{tag}{i + 1}", f"chn{tag}{i + 1}"
            ip("netns", "add", ns)
            self.namespaces.append(ns)
            self._note()
            ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            ip("link", "set", outside, "master", self.bridge, "up")
            ip("link", "set", inside, "netns", ns)
            ip("-n", ns, "addr", "add", f"{addresses[i]}/24", "dev", inside)
            ip("-n", ns, "link", "set", inside, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        self.host_ips = addresses
        self.client_ports = [NS_CLIENT_PORT] * len(NODES)
        self.route_ports = [NS_ROUTE_PORT] * len(NODES)
        self.monitor_ports = [NS_MONITOR_PORT] * len(NODES)

    def _free_subnet(self) -> ipaddress.IPv4Network:
        used = ip("-o", "-4", "addr", "show").stdout + ip("-4", "route", "show").stdout
        for third in range(200, 256):
            net = ipaddress.IPv4Network(f"10.213.{third}.0/24")
            if f"10.213.{third}." not in used:
                return net
        raise RuntimeError("no free 10.213.x.0/24 for the cluster's bridge")

    def _note(self) -> None:
        """What to remove if this run dies before its teardown (read by clean_leftovers)."""
        lines = [f"netns {ns}" for ns in self.namespaces]
        if self.bridge:
            lines.append(f"link {self.bridge}")
        (self.run_dir / "network").write_text("".join(f"{line}\n" for line in lines))

    def teardown(self) -> None:
        """Safe to call more than once; the processes inside must be gone first."""
        for ns in self.namespaces:
            ip("netns", "del", ns, check=False)  # deletes its veth end, hence the pair
        if self.bridge:
            ip("link", "del", self.bridge, check=False)
        self.namespaces, self.bridge, self.blackholes = [], None, []
        (self.run_dir / "network").unlink(missing_ok=True)

    # -- the nodes --------------------------------------------------------------------------

    def client_url(self, i: int) -> str:
        return f"nats://{self.host_ips[i]}:{self.client_ports[i]}"

    def monitor_url(self, i: int) -> str:
        return f"http://{self.host_ips[i]}:{self.monitor_ports[i]}"

    def urls(self) -> str:
        return ",".join(self.client_url(i) for i in range(len(NODES)))

    def node_argv(self, nats_server: str, i: int, store: Path) -> list[str]:
        routes = ",".join(f"nats://{self.host_ips[j]}:{self.route_ports[j]}"
                          for j in range(len(NODES)) if j != i)
        argv = [nats_server, "-js", "-n", NODES[i], "-a", self.host_ips[i], "-p", str(self.client_ports[i]),
                "-m", str(self.monitor_ports[i]), "-sd", str(store), "--cluster_name", CLUSTER_NAME,
                "--cluster", f"nats://{self.host_ips[i]}:{self.route_ports[i]}", "--routes", routes]
        if self.namespaces:
            return ["ip", "netns", "exec", self.namespaces[i], *argv]
        return argv

    # -- the partition ----------------------------------------------------------------------

    def partition(self, i: int) -> None:
        """Cut node i off from the two others, both directions; the host still reaches all."""
        if self.partition_unavailable:
            raise RuntimeError(self.partition_unavailable)
        for j in range(len(NODES)):
            if j == i:
                continue
            for ns, address in ((self.namespaces[i], self.host_ips[j]), (self.namespaces[j], self.host_ips[i])):
                ip("-n", ns, "route", "add", "blackhole", f"{address}/32")
                self.blackholes.append((ns, address))
        self.partitioned = i

    def heal(self) -> None:
        for ns, address in self.blackholes:
            ip("-n", ns, "route", "del", "blackhole", f"{address}/32", check=False)
        self.blackholes = []
        self.partitioned = None


def clean_leftovers(run_dir: Path) -> None:
    """After a run that was killed outright: the namespaces and the bridge it noted."""
    noted = run_dir / "network"
    if not noted.exists():
        return
    for line in noted.read_text().splitlines():
        kind, _, name = line.partition(" ")
        if kind == "netns" and name.startswith("chaos"):
            ip("netns", "del", name, check=False)
        elif kind == "link" and name.startswith("chb"):
            ip("link", "del", name, check=False)
    noted.unlink(missing_ok=True)

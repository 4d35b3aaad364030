#!/usr/bin/env python3
"""Checks that deploy/grafana/logistics-dashboard.json is a Grafana dashboard
whose queries use only metrics the README's "Metrics" table documents, with
histogram suffixes only on histograms, and that deploy/prometheus/prometheus.yml
scrapes every service of docker-compose.yml on its metrics port.

Usage: check_dashboard.py SOURCE_DIR   (exit 0 when all holds, 1 with reasons)
"""
import json
import re
import sys
from pathlib import Path

METRIC = re.compile(r"\b((?:messaging|outbox|writer|sqlite)_[a-z_]+)\b")
# Label names that share the metrics' prefix.
LABELS = {"messaging_destination_name", "messaging_destination_subscription_name",
          "messaging_consumer_group_name"}


def documented(readme: str) -> dict[str, str]:
    """metric -> type, from the README's Metrics table."""
    section = readme.split("### Metrics", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| (counter|gauge|histogram) \|", section, re.M)
    return dict(rows)


def main() -> int:
    root = Path(sys.argv[1])
    metrics = documented((root / "README.md").read_text())
    problems = []
    if not metrics:
        problems.append("README.md: no metric table under ### Metrics")
    dashboard = json.loads((root / "deploy/grafana/logistics-dashboard.json").read_text())
    for key in ("uid", "title", "panels"):
        if key not in dashboard:
            problems.append(f"dashboard: no {key}")
    used = set()
    for panel in dashboard.get("panels", []):
        for target in panel.get("targets", []):
            for name in METRIC.findall(target.get("expr", "")):
                if name in LABELS:
                    continue
                used.add(name)
                base = re.sub(r"_(bucket|sum|count)$", "", name)
                if base != name and metrics.get(base) == "histogram":
                    continue
                if name not in metrics:
                    problems.append(f"panel '{panel.get('title')}': {name} is not in README's Metrics table")
    if not used:
        problems.append("dashboard: no query uses a metric")
    scrape = (root / "deploy/prometheus/prometheus.yml").read_text()
    for service in ("orders", "payments", "notifications"):
        if f'"{service}:9464"' not in scrape:
            problems.append(f"prometheus.yml: does not scrape {service}:9464")
    compose = (root / "docker-compose.yml").read_text()
    if compose.count("METRICS_ADDRESS: 0.0.0.0:9464") != 3:
        problems.append("docker-compose.yml: not every service sets METRICS_ADDRESS: 0.0.0.0:9464")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"check_dashboard: {len(used)} metrics used by the dashboard, {len(metrics)} documented, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""The compose file for Neo4j with APOC and GDS is valid to the docker client's compose."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker" / "compose.yaml"


def _compose_cmd() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_declares_neo4j_with_plugins_healthcheck_volume_and_env_auth():
    doc = yaml.safe_load(COMPOSE.read_text())
    svc = doc["services"]["neo4j"]
    assert svc["image"].startswith("neo4j:5")
    assert "apoc" in svc["environment"]["NEO4J_PLUGINS"] and "graph-data-science" in svc["environment"]["NEO4J_PLUGINS"]
    assert "${NEO4J_PASSWORD" in svc["environment"]["NEO4J_AUTH"]
    assert "healthcheck" in svc and any(v.startswith("neo4j-data:/data") for v in svc["volumes"])


def test_compose_config_validates(monkeypatch):
    cmd = _compose_cmd()
    if cmd is None:
        pytest.skip("no docker compose client on this machine")
    env_ok = subprocess.run(
        [*cmd, "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "NEO4J_PASSWORD": "s3cret-pass"},
    )
    assert env_ok.returncode == 0, env_ok.stderr
    assert "neo4j/s3cret-pass" in env_ok.stdout
    missing = subprocess.run(
        [*cmd, "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert missing.returncode != 0 and "NEO4J_PASSWORD" in missing.stderr

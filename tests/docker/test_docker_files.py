"""The docker files pass their static checks, and each check can fail.

No Docker engine runs in CI: compose files are validated against the Compose
Specification's JSON schema (and with ``docker-compose config -q`` when installed),
Dockerfiles with hadolint, and the stack's wiring by `docker.check`'s own rules.
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from docker import check

BASE = check.load_yaml(check.BASE_FILE)
OVERLAY = check.load_yaml(check.OVERLAY_FILE)
DOCKERFILE = (check.DOCKER_DIR / "Dockerfile").read_text()


@pytest.mark.parametrize("path", [check.BASE_FILE, check.OVERLAY_FILE], ids=lambda p: p.name)
def test_compose_files_match_the_compose_schema(path):
    assert check.schema_problems(check.load_yaml(path), path.name) == []


def test_the_schema_check_finds_a_misspelt_key_and_a_bad_port():
    broken = copy.deepcopy(BASE)
    broken["services"]["loginput"]["imagee"] = "vigil:dev"
    broken["services"]["loginput"]["ports"] = [{"published": "not-a-mapping-key"}]
    problems = check.schema_problems(broken, "broken.yml")
    assert any("imagee" in p for p in problems)
    assert any("services/loginput/ports/0" in p for p in problems)


def test_the_dockerfile_passes_hadolint():
    assert check.hadolint_problems(check.DOCKER_DIR / "Dockerfile") == []


def test_hadolint_runs_and_flags_a_bad_dockerfile(tmp_path: Path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install requests\n")
    problems = "\n".join(check.hadolint_problems(bad))
    assert "DL3007" in problems  # using latest
    assert "DL3013" in problems  # unpinned pip install


def test_the_stack_and_overlay_are_wired_as_documented():
    assert check.stack_problems(BASE, DOCKERFILE) == []
    assert check.overlay_problems(OVERLAY, DOCKERFILE) == []


def mutate(path: list[str], value: Any) -> dict[str, Any]:
    """BASE with the value at `path` replaced (None deletes it)."""
    data = copy.deepcopy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    "compose, expected",
    [
        (mutate(["services", "loginput", "command"], None), "loginput: built from our Dockerfile"),
        (mutate(["services", "actions"], None), "service actions is missing"),
        (mutate(["services", "rabbitmq", "image"], "rabbitmq:latest"), "rabbitmq: image must"),
        (mutate(["services", "rabbitmq", "healthcheck"], None), "rabbitmq: has no healthcheck"),
        (
            mutate(["services", "alerts", "environment", "VIGIL_STORE_URI"], "x"),
            "VIGIL_STORE_URI is not a setting",
        ),
        (
            mutate(["services", "alerts", "environment", "VIGIL_BROKER_URL"], "amqp://mq//"),
            "alerts: VIGIL_BROKER_URL must be",
        ),
        (mutate(["services", "loginput", "ports"], ["127.0.0.1:80:80"]), "8080 is not published"),
        (mutate(["services", "alerts", "command"], ["celery", "worker"]), "alerts: command must"),
        (
            mutate(["services", "loginput", "depends_on", "kafka"], {}),
            "depends on unknown service kafka",
        ),
    ],
    ids=[
        "no command",
        "missing service",
        "unpinned image",
        "no healthcheck",
        "unknown setting",
        "wrong broker",
        "unpublished port",
        "wrong alerts command",
        "unknown dependency",
    ],
)
def test_stack_rules_catch_mistakes(compose, expected):
    problems = check.stack_problems(compose, DOCKERFILE)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "dockerfile, expected",
    [
        (DOCKERFILE.replace("python:3.11.13-slim-bookworm", "python:3.11-slim"), "pinned"),
        (DOCKERFILE.replace("USER 10001:10001", "USER root"), "non-root"),
        (DOCKERFILE.replace("pip install --no-cache-dir .", "pip install vigil"), "pip install ."),
    ],
    ids=["unpinned base", "root user", "not installing the project"],
)
def test_dockerfile_rules_catch_mistakes(dockerfile, expected):
    assert dockerfile != DOCKERFILE
    assert any(expected in p for p in check.dockerfile_problems(dockerfile))


def test_the_overlay_rule_catches_a_wrong_mount():
    overlay = copy.deepcopy(OVERLAY)
    overlay["services"]["alerts"]["volumes"] = ["../alerts:/opt/vigil/alerts"]
    assert check.overlay_problems(overlay, DOCKERFILE)


def test_the_actions_command_is_the_one_actions_worker_documents():
    docstring = (check.ROOT / "alerts" / "lib" / "actions_worker.py").read_text()
    assert " ".join(check.EXPECTED_COMMANDS["actions"]) in docstring


@pytest.mark.parametrize(
    "files",
    [[check.BASE_FILE], [check.BASE_FILE, check.OVERLAY_FILE]],
    ids=["base", "base + dev-alerts"],
)
def test_docker_compose_config_accepts_the_files(files):
    """Debian's docker-compose parses the files (no engine needed); CI installs it."""
    if shutil.which("docker-compose") is None:
        if os.environ.get("VIGIL_REQUIRE_DOCKER_COMPOSE") == "1":
            pytest.fail("docker-compose is required here (VIGIL_REQUIRE_DOCKER_COMPOSE=1)")
        pytest.skip("docker-compose not installed (apt-get install docker-compose)")
    assert check.compose_cli_problems(files) == []


def test_the_whole_check_passes():
    assert check.all_problems() == []
    assert check.main() == 0

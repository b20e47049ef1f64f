"""Settings: where the store and broker URLs come from, read when they are used."""

from __future__ import annotations

import pytest

from lib import config


@pytest.fixture
def no_url_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No VIGIL_STORE_URL / VIGIL_BROKER_URL and config's own dicts as shipped."""
    monkeypatch.delenv("VIGIL_STORE_URL", raising=False)
    monkeypatch.delenv("VIGIL_BROKER_URL", raising=False)
    monkeypatch.setitem(config.ES, "servers", [])
    monkeypatch.setitem(config.RABBITMQ, "url", "")
    return monkeypatch


def test_without_settings_the_store_and_broker_are_embedded(no_url_environment):
    assert config.store_url() == str(config.DATA_DIR / "store.db")
    assert config.broker_url() == "filesystem://"


def test_the_environment_is_read_when_used_not_at_import(no_url_environment):
    no_url_environment.setenv("VIGIL_STORE_URL", "memory://set-after-import")
    no_url_environment.setenv("VIGIL_BROKER_URL", "amqp://guest:guest@mq:5672//")
    assert config.store_url() == config.store_url(config.ES) == "memory://set-after-import"
    assert (
        config.broker_url()
        == config.broker_url(config.RABBITMQ)
        == ("amqp://guest:guest@mq:5672//")
    )
    no_url_environment.delenv("VIGIL_STORE_URL")
    assert config.store_url() == str(config.DATA_DIR / "store.db")


def test_the_environment_wins_over_configs_own_dicts(no_url_environment):
    no_url_environment.setitem(config.ES, "servers", ["http://es-from-config:9200"])
    no_url_environment.setitem(config.RABBITMQ, "mqserver", "mq-from-config")
    assert config.store_url() == "http://es-from-config:9200"
    assert config.broker_url() == "amqp://guest:guest@mq-from-config:5672/"
    no_url_environment.setenv("VIGIL_STORE_URL", "memory://from-env")
    no_url_environment.setenv("VIGIL_BROKER_URL", "amqp://guest:guest@mq-from-env:5672//")
    assert config.store_url() == "memory://from-env"
    assert config.broker_url() == "amqp://guest:guest@mq-from-env:5672//"


def test_a_dict_other_than_configs_own_wins_over_the_environment(no_url_environment):
    """MozDef's harness reassigns lib.alerttask.ES / RABBITMQ: those dicts alone decide."""
    no_url_environment.setenv("VIGIL_STORE_URL", "http://production-es:9200")
    no_url_environment.setenv("VIGIL_BROKER_URL", "amqp://guest:guest@production-mq:5672//")
    assert config.store_url({"servers": ["memory://test-store"]}) == "memory://test-store"
    assert config.broker_url({"url": "", "data_folder": "/tmp/x"}) == "filesystem://"
    assert config.broker_url({"mqserver": "test-mq"}) == "amqp://guest:guest@test-mq:5672/"

"""Patch 10: Storm's Java side of "serializer": "msgpack" (msgpack_serializer).

tests/test_msgpack_serializer.py checks the Java serializer itself against pystorm's."""

import pytest
import streamparse.cli.common as common
import streamparse.cli.submit as submit

from streamparse_storm2 import UserError, msgpack_serializer
from streamparse_storm2.msgpack_serializer import components_serializer, multilang_serializer


def test_storms_side_of_multilang_follows_the_components_serializer(
    monkeypatch, stub_resolve_options
):
    monkeypatch.delenv("LOGSTORM_SERIALIZER", raising=False)
    assert components_serializer({}, {"serializer": "msgpack"}) == "msgpack"
    assert components_serializer({"serializer": "json"}, {"serializer": "msgpack"}) == "json"
    monkeypatch.setenv("LOGSTORM_SERIALIZER", "json")  # one command's override
    assert components_serializer({"serializer": "msgpack"}, {}) == "json"
    options = {}
    multilang_serializer("json", options)
    assert options == {"topology.multilang.serializer": "org.apache.storm.multilang.JsonSerializer"}


def test_a_serializer_the_two_sides_would_not_share_stops_before_storm_starts(monkeypatch):
    monkeypatch.setenv("LOGSTORM_SERIALIZER", "pickle")
    with pytest.raises(UserError, match="'pickle' is not one Storm and pystorm both speak"):
        components_serializer({}, {})
    json_side = {"topology.multilang.serializer": "org.apache.storm.multilang.JsonSerializer"}
    with pytest.raises(UserError) as stopped:
        multilang_serializer("msgpack", json_side)
    assert "option 'topology.multilang.serializer'" in str(stopped.value)
    assert "would die at the handshake" in str(stopped.value)


def test_resolved_options_carry_storms_side_and_submit_sends_the_uber_jar(
    monkeypatch, stub_resolve_options
):
    monkeypatch.setenv("LOGSTORM_SERIALIZER", "msgpack")
    stub_resolve_options(lambda *a, **kw: {})
    jars = []
    monkeypatch.setattr(submit, "jar_for_deploy", lambda simple_jar=False: jars.append(simple_jar))
    msgpack_serializer.apply()
    options = common.resolve_options(None, {}, object(), "logs")
    assert options == {"topology.multilang.serializer": "logstorm.storm.MsgpackSerializer"}
    submit.jar_for_deploy(simple_jar=True)
    assert jars == [False]

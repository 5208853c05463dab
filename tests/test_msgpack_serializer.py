"""logstorm.storm.MsgpackSerializer against pystorm's msgpack side, message by message.

tests/jvm/SerializerEcho.java drives the Java serializer as ShellBolt and ShellSpout do
and answers each message with what Storm would see; this side speaks through pystorm's
own MsgpackSerializer. The handshake (conf and context) is exercised by every topology
run under msgpack (tests/integration).
"""

import subprocess
import threading

import pytest
from pystorm.serializers.msgpack_serializer import MsgpackSerializer
from sparse_run import PROJECT

from streamparse_storm2 import storm_home

STORM_JARS = ("storm-client", "storm-shaded-deps", "slf4j-api")  # what the serializer uses


@pytest.fixture(scope="module")
def echo_classpath(tmp_path_factory):
    out = tmp_path_factory.mktemp("classes")
    [msgpack_jar] = PROJECT.glob(".cache/m2/org/msgpack/msgpack-core/*/msgpack-core-*[0-9].jar")
    storm = [next((storm_home() / "lib").glob(f"{jar}-*.jar")) for jar in STORM_JARS]
    classpath = ":".join(map(str, [*storm, msgpack_jar]))
    sources = [PROJECT / "src/jvm/logstorm/storm/MsgpackSerializer.java",
               PROJECT / "tests/jvm/SerializerEcho.java"]  # fmt: skip
    subprocess.run(["javac", "-d", out, "-cp", classpath, *sources], check=True)
    return f"{out}:{classpath}"


class Echo:
    """A running SerializerEcho and pystorm's serializer on its pipes."""

    def __init__(self, classpath: str) -> None:
        self.proc = subprocess.Popen(
            ["java", "-cp", classpath, "SerializerEcho"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        lock = threading.RLock()
        self.pystorm = MsgpackSerializer(self.proc.stdout, self.proc.stdin, lock, lock)

    def send(self, message: dict) -> dict:
        """What Storm saw of message; checks the ack and task ids that follow."""
        self.pystorm.send_message(message)
        bolt_msg = self.pystorm.read_message()
        assert self.pystorm.read_message() == {
            "id": "-1", "comp": None, "stream": "__heartbeat", "task": -1, "tuple": []}  # fmt: skip
        assert self.pystorm.read_message() == {"command": "ack", "id": message.get("id")}
        assert self.pystorm.read_message() == [3, 7]
        seen, raw, real, flag, nothing = bolt_msg["tuple"]
        assert (bolt_msg["task"], raw, real, flag, nothing) == (2**40, b"\x00\xff", 2.5, True, None)
        return seen

    def close(self) -> tuple[int, str]:
        self.proc.stdin.close()
        code = self.proc.wait(timeout=60)
        return code, self.proc.stderr.read().decode()


@pytest.fixture
def echo(echo_classpath):
    echo = Echo(echo_classpath)
    yield echo
    echo.proc.kill()
    echo.proc.wait()


def test_an_emit_reaches_storm_with_its_values_and_their_types(echo):
    seen = echo.send({
        "command": "emit", "id": 2**40 + 1, "stream": "urls", "task": 9, "anchors": ["a", "b"],
        "tuple": ["é漢 /ünï", b"\xff\x00", 2**63 - 1, -(2**40), 1.5, None, True,
                  [[1, [2, 3]], {"k": {"deep": [4]}}], {1: "int key"}],
    })  # fmt: skip
    assert seen["tuple"] == ["é漢 /ünï", b"\xff\x00", 2**63 - 1, -(2**40), 1.5, None, True,
                             [[1, [2, 3]], {"k": {"deep": [4]}}], {"1": "int key"}]  # fmt: skip
    # keys go back as text, as in JSON: pystorm's unpacker refuses others
    assert seen["tuple_types"] == [
        "String", "byte[]", "Long", "Long", "Double", "null", "Boolean",
        [["Long", ["Long", "Long"]], {"String:k": {"String:deep": ["Long"]}}],
        {"Long:1": "String"},
    ]  # fmt: skip
    assert (seen["id"], seen["id_type"]) == (2**40 + 1, "Long")  # message ids past 32 bits
    assert (seen["stream"], seen["task"], seen["anchors"]) == ("urls", 9, ["a", "b"])
    assert seen["need_task_ids"] is True  # pystorm's default when it does not say


def test_integers_past_64_bits_signed_arrive_as_big_integers(echo):
    seen = echo.send({"command": "emit", "id": 2**64 - 1, "tuple": [2**63]})
    assert (seen["id"], seen["id_type"]) == (2**64 - 1, "BigInteger")
    assert (seen["tuple"], seen["tuple_types"]) == ([2**63], ["BigInteger"])


def test_defaults_and_the_other_commands_mean_what_they_mean_in_json(echo):
    seen = echo.send({"command": "emit", "tuple": ["x"], "need_task_ids": False, "anchors": "a"})
    assert (seen["stream"], seen["task"], seen["need_task_ids"]) == ("default", 0, False)
    assert seen["anchors"] == ["a"]  # a single anchor may come as a string
    log = echo.send({"command": "log", "msg": "über 5 % — ok", "level": 4})
    assert (log["msg"], log["level"]) == ("über 5 % — ok", "ERROR")
    error = echo.send({"command": "error", "msg": "Traceback …"})
    assert error["msg"] == "Traceback …"
    metric = echo.send({"command": "metrics", "name": "lines", "params": [1, {"a": 2}]})
    assert metric["metric"] == ["lines", [1, {"a": 2}]]
    assert echo.send({"command": "sync"})["tuple"] is None  # a heartbeat's answer
    assert echo.send({"command": "ack", "id": "tuple-7"})["id"] == "tuple-7"


def test_a_message_that_is_no_command_is_refused_by_name(echo):
    echo.pystorm.send_message(["not", "a", "map"])
    code, stderr = echo.close()
    assert code == 3
    assert 'expected a map with a "command" from the shell component' in stderr


def test_a_process_that_dies_mid_message_is_a_broken_pipe_not_a_hang(echo):
    echo.proc.stdin.write(b"\x82\xa7command")  # a map of 2 entries, cut after one key
    code, stderr = echo.close()
    assert code == 3
    assert "NoOutputException: Pipe to subprocess seems to be broken!" in stderr

"""The shipper against the real broker: lines appended, rotated (rename + create) and
truncated (copytruncate) under it all reach the topic; a shipper killed with SIGKILL
after reading lines Kafka never confirmed (the broker was down) and started again
leaves nothing missing (at-least-once)."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from kafka_broker import KAFKA, SERVERS, new_topic, read_partitions, sh
from sparse_run import wait_for

pytestmark = pytest.mark.storm  # needs the broker, as the Storm tests need Storm


def line(n: int) -> str:
    return f'10.0.0.1 - - [17/May/2015:10:05:03 +0000] "GET /page/{n} HTTP/1.1" 200 5\n'


def append(path: Path, first: int, last: int) -> None:
    with open(path, "a") as fh:
        fh.write("".join(line(n) for n in range(first, last)))


class ShipperProcess:
    def __init__(self, folder: Path, topic: str, log: Path) -> None:
        argv = [sys.executable, "-m", "logstorm.shipping.shipper", "--dir", str(folder),
                "--pattern", "access.log", "--servers", SERVERS, "--topic", topic]  # fmt: skip
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        self.log = log


def read_up_to(pid: int, path: Path) -> int:
    """How far the process's open descriptor of path has read (0: not open)."""
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) == str(path):
                info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
                return int(info.split("pos:")[1].split()[0])
        except OSError:
            continue
    return 0


def shipped_pages(topic: str) -> list[int]:
    records = [r for part in read_partitions(topic, 3) for r in part]
    return [int(r.split("/page/")[1].split(" ")[0]) for r in records]


def test_every_line_reaches_the_topic_through_rotation_truncation_and_a_kill(kafka, tmp_path):
    topic, folder, log = new_topic(3), tmp_path / "logs", tmp_path / "shipper.log"
    folder.mkdir()
    live = folder / "access.log"
    append(live, 0, 2000)
    shipper = ShipperProcess(folder, topic, log)
    wait_for(lambda: len(set(shipped_pages(topic))) >= 2000, 60, "the first lines", log)

    live.rename(folder / "access.log.1")  # rotation by rename: the old file is drained
    append(folder / "access.log.1", 2000, 2500)  # still written by the old writer
    append(live, 2500, 4000)
    wait_for(lambda: len(set(shipped_pages(topic))) >= 4000, 60, "the rotated lines", log)

    shutil.copy(live, folder / "access.log.2")  # copytruncate
    with open(live, "r+") as fh:
        fh.truncate(0)
    append(live, 4000, 5000)
    wait_for(lambda: len(set(shipped_pages(topic))) >= 5000, 60, "the lines after truncation", log)

    # The broker goes away; the shipper reads on, and Kafka confirms none of it.
    assert sh([*KAFKA, "down"]).returncode == 0
    append(live, 5000, 20000)
    size = live.stat().st_size
    wait_for(lambda: read_up_to(shipper.proc.pid, live) == size, 60, "the shipper to read", log)
    shipper.proc.send_signal(signal.SIGKILL)  # with 15,000 lines read and unconfirmed
    shipper.proc.wait()
    up = sh([*KAFKA, "up"])
    assert up.returncode == 0 and "kafka: up" in up.stdout, up.stdout + up.stderr
    assert len(set(shipped_pages(topic))) == 5000  # none of them had got through
    shipper = ShipperProcess(folder, topic, log)
    wait_for(lambda: len(set(shipped_pages(topic))) >= 20000, 120, "every line after the restart",
             log)  # fmt: skip
    shipper.proc.send_signal(signal.SIGTERM)
    assert shipper.proc.wait(timeout=30) == 0

    pages = shipped_pages(topic)
    assert sorted(set(pages)) == list(range(20000))  # nothing missing
    assert len(pages) - 20000 < 5000  # at-least-once: at most a second of lines came twice
    assert "lines confirmed by Kafka" in log.read_text()

"""The access-log traffic generator: determinism, parseability, realism and its CLI."""

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest

from logstorm.parsing.accesslog import parse_line
from logstorm.traffic import DEFAULT_START, TrafficGenerator, format_line, main, site_paths


@pytest.fixture(scope="module")
def records():
    generator = TrafficGenerator(seed=3)
    return [generator.record(DEFAULT_START + i / 50) for i in range(20_000)]


def _cli(*args: str) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "-m", "logstorm.traffic", *args], dict(os.environ)


def test_same_seed_same_lines_other_seed_other_lines():
    first = list(TrafficGenerator(7).lines(500))
    assert first == list(TrafficGenerator(7).lines(500))
    assert first != list(TrafficGenerator(8).lines(500))
    assert TrafficGenerator(7).line(0) == next(TrafficGenerator(7).lines(1, start=0))


def test_the_timestamp_is_apaches():
    line = TrafficGenerator().line(1431856800.9)
    assert "[17/May/2015:10:00:00 +0000]" in line
    assert parse_line(line).time == 1431856800


def test_every_line_parses_back_to_the_generated_record(records):
    for record in records:
        assert parse_line(format_line(record)) == record


def test_a_few_hundred_urls_with_queries():
    paths = site_paths()
    assert 200 <= len(set(paths)) == len(paths) <= 500
    assert "/search?page=3&q=storm" in paths and "/favicon.ico" in paths


def test_the_traffic_looks_real(records):
    lines = [format_line(record) for record in records]
    paths = Counter(record.path for record in records).most_common()
    assert paths[0][1] > 3 * paths[9][1]  # Zipf
    assert len(paths) > 200
    statuses = Counter(record.status for record in records)
    assert statuses[200] > len(records) / 2
    assert statuses[404] and statuses[304] and statuses[301]
    assert sum(":" in record.host for record in records) > 100  # IPv6
    assert all(record.size is None for record in records if record.status == 304)
    assert any(record.size is None and record.status == 200 for record in records)  # HEAD
    assert {record.method for record in records} == {"GET", "HEAD", "POST"}
    assert {record.protocol for record in records} == {"HTTP/1.1", "HTTP/1.0"}
    assert any(record.user != "-" for record in records)
    assert any(record.referer == "-" for record in records)
    assert any(record.referer.startswith("https://") for record in records)
    assert 0 < sum('\\"' in line for line in lines) < 0.01 * len(lines)


def test_cli_count_at_full_speed(tmp_path, capsys):
    out = tmp_path / "logs" / "access.log"
    assert main(["--out", str(out), "--count", "500", "--rate", "0"]) == 0
    text = out.read_text()
    assert text.endswith("\n") and text.count("\n") == 500
    assert all(parse_line(line).status for line in text.splitlines())
    assert "wrote 500 lines" in capsys.readouterr().err
    main(["--out", str(out), "--count", "20", "--rate", "0"])  # appends
    assert out.read_text().count("\n") == 520


def test_cli_rejects_an_endless_unlimited_rate(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", "-", "--rate", "0"])
    assert exit_info.value.code == 2


def test_cli_keeps_the_rate_for_the_duration(tmp_path):
    out = tmp_path / "access.log"
    command, env = _cli("--out", str(out), "--rate", "200", "--duration", "2", "--seed", "5")
    subprocess.run(command, env=env, check=True, timeout=30, capture_output=True)
    text = out.read_text()
    assert text.endswith("\n")
    assert 300 <= text.count("\n") <= 500


def test_cli_stops_cleanly_on_sigterm():
    command, env = _cli("--out", "-", "--rate", "1000")
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "bufsize": 0}  # no read-ahead
    with subprocess.Popen(command, env=env, **pipes) as proc:
        seen = [proc.stdout.readline() for _ in range(10)]  # it is running and writing
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    lines = b"".join(seen).decode().splitlines() + rest.decode().splitlines()
    assert all(parse_line(line) for line in lines)
    assert f"wrote {len(lines)} lines to stdout" in err.decode()

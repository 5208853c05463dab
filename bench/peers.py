"""The replay's peers, each a job of another stream processor in its own venv.

    PyFlink 2.3      bench/flink_peer.py    (variants sql and udf)
    Bytewax 0.21.1   bench/bytewax_peer.py
    Quix Streams     bench/quix_peer.py     (reads a topic of the project's broker)
    Pathway 0.33     bench/pathway_peer.py

Each is timed twice, on the first tenth of its file and on all of it: its rate is the
difference in lines over the difference in wall time, so start-up, planning and
warm-up cancel out; CPU likewise (the job's whole process tree), RSS the full run's
peak. The Python peers are first run on a check file (15,000 lines at 20 lines per
second of log time, windows fill and close; Quix and Pathway 5,000) and their windows
compared with the brute-force reference (``bench/peer_check.py``): a peer whose
windows differ is reported as such. The PyFlink job writes into blackhole sinks and is not checked.
Python peers are slow (each assigns every line to 300 windows), so each times a
head of the replay's file sized to take about half a minute.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from bench_topics import BROKER, make_topic  # noqa: E402
from live_latency import cpu_secs, rss_mib, session_procs  # noqa: E402
from peer_check import check_file  # noqa: E402
from reference import generated  # noqa: E402

# name -> (the table's name, lines timed by default, lines of its check file)
PYTHON_PEERS = {
    "bytewax": ("Bytewax 0.21.1", 100_000, 15_000),
    "quix": ("Quix Streams 3.28", 20_000, 5_000),
    "pathway": ("Pathway 0.33", 5_000, 5_000),  # 15,000 lines take 5.7 GiB, Quix 2 min
}
CHECK_RATE = 20.0  # lines per second of log time: windows fill (300 s) and close


def venv_python(peer: str) -> str:
    """The python of peer's venv, built by tools/bench-venv on first use."""
    built = subprocess.run([str(ROOT / "tools" / "bench-venv"), peer], check=True,
                           capture_output=True, text=True)  # fmt: skip
    return built.stdout.strip()


def timed(command: list[str], what: str) -> tuple[float, float, float, str]:
    """Run command to its end: (wall seconds, CPU seconds of its process tree, peak RSS
    MiB, its stdout)."""
    started, cpu, rss = time.monotonic(), 0.0, 0.0
    job = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    while job.poll() is None:
        procs = session_procs(job.pid)
        cpu, rss = max(cpu, cpu_secs(procs)), max(rss, rss_mib(procs))
        time.sleep(0.2)
    out = job.stdout.read() if job.stdout else ""
    if job.returncode != 0:
        raise RuntimeError(f"{what} exited with {job.returncode}")
    return time.monotonic() - started, cpu, rss, out


def head(log: Path, lines: int, dest: Path) -> Path:
    """The first lines of log in dest."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(log) as src, open(dest, "w") as out:
        out.writelines(line for _, line in zip(range(lines), src, strict=False))
    return dest


def marginal(name: str, runs: list[tuple[int, tuple[float, float, float, str]]]) -> dict:
    """A row from a small and a full run [(lines, timed(...))]: the full one minus the
    small one."""
    (small, (secs_s, cpu_s, _, _)), (full, (secs_f, cpu_f, rss, _)) = runs
    lines, secs = full - small, secs_f - secs_s
    return {
        "engine": name,
        "lines": full,
        "secs": secs_f,
        "rate": lines / secs,
        "cpu_per_million": (cpu_f - cpu_s) / lines * 1e6,
        "cpu_cores": (cpu_f - cpu_s) / secs,
        "rss_mib": rss,
    }


def flink(log: Path, lines: int, variant: str, workdir: Path) -> dict[str, Any]:
    """The PyFlink variant's row over log (its first tenth, then all of it)."""
    python, runs = venv_python("flink"), []
    for n in (lines // 10, lines):
        folder = workdir / f"flink-{variant}-{n}"
        if n == lines:
            folder.mkdir()
            (folder / "access.log").symlink_to(log)
        else:
            head(log, n, folder / "access.log")
        command = [python, str(ROOT / "bench" / "flink_peer.py"), "--variant", variant,
                   "--input", str(folder)]  # fmt: skip
        runs.append((n, timed(command, f"the PyFlink {variant} job")))
        shutil.rmtree(folder)
    return {**marginal(f"PyFlink 2.3, {variant}", runs), "identical": "not checked", "late": "-"}


def python_peer(peer: str, log: Path, lines: int, workdir: Path) -> dict[str, Any]:
    """A Python peer's row: checked on the check file, then timed over log's head."""
    python, (name, _, check_lines) = venv_python(peer), PYTHON_PEERS[peer]
    check = workdir / f"{peer}-check.log"
    check.write_text("\n".join(generated(check_lines, CHECK_RATE)) + "\n")
    out = workdir / f"{peer}-check.jsonl"
    timed(command(peer, python, check, out, workdir), f"the {name} job")
    verdict = check_file(check, out)
    print(f"{name} on the check file: {verdict}", flush=True)
    runs = []
    for n in (lines // 10, lines):
        part = head(log, n, workdir / f"{peer}-{n}" / "access.log")
        runs.append((n, timed(command(peer, python, part, out, workdir), f"the {name} job")))
        shutil.rmtree(part.parent)
    late = json.loads(runs[-1][1][3].strip().splitlines()[-1]).get("late")
    identical = "yes" if verdict["identical"] else (
        f"**no**: {verdict['missing']} missing, {verdict['extra']} extra, "
        f"{verdict['different']} different of {verdict['expected']}")  # fmt: skip
    return {**marginal(name, runs), "identical": identical, "late": late}


def command(peer: str, python: str, log: Path, out: Path, workdir: Path) -> list[str]:
    """The command that runs peer over log, its windows into out."""
    script = [python, str(ROOT / "bench" / f"{peer}_peer.py"), "--windows", str(out)]
    if peer != "quix":
        return [*script, "--input", str(log)]
    topic = f"replay-{log.stem}-{time.monotonic_ns()}"
    lines = ship(log, topic)
    return [*script, "--broker", BROKER, "--topic", topic, "--lines", str(lines)]


def ship(log: Path, topic: str, partitions: int = 1, sent: int = 0) -> int:
    """log's lines into topic of the project's broker (created unless lines were sent to
    it before: sent), in blocks of 1,000 lines given to the partitions in turn (each
    partition in the file's order, all equally long); how many lines the topic has then."""
    from confluent_kafka import Producer

    if not sent:
        made = make_topic(topic, partitions)
        if made.returncode:
            raise RuntimeError(f"no topic {topic}: {made.stdout}{made.stderr}")
    producer, failed = Producer({"bootstrap.servers": BROKER, "linger.ms": 20}), []
    with open(log, "rb") as fh:
        for line in fh:
            while True:
                try:
                    producer.produce(
                        topic,
                        line.rstrip(b"\n"),
                        partition=sent // 1000 % partitions,
                        on_delivery=lambda err, _: err and failed.append(err),
                    )
                    break
                except BufferError:  # the client's queue is full: let it deliver some
                    producer.poll(0.1)
            sent += 1
    if producer.flush(60) or failed:
        raise RuntimeError(f"the broker did not take every line of {log} into {topic}")
    return sent

"""Both topologies on a real one-host Storm cluster (ZooKeeper, Nimbus, Supervisor, UI,
logviewer), driven with the streamparse commands a user types: sparse submit / list /
stats / kill, and watched through the Storm UI's REST API and in a real browser."""

import json
import os
import re
import signal
from pathlib import Path

import pytest
import suite_env
from browser import rendered_dom, screenshot, table_rows
from event_reference import as_jsonl, reference_windows
from sample_log import (
    BROKEN_LINE,
    SAMPLE,
    STATUSES,
    expected_url_top,
    first_window_with_total,
    window_counting_at_least,
    window_rows,
    windows,
)
from sparse_run import wait_for
from storm_cluster import (
    CLUSTER,
    RUN,
    kill,
    python_components,
    running_topologies,
    sh,
    sparse,
    worker_of,
)
from storm_ui import UI, components, topologies, topology, ui_json

from logstorm.jsonl_follow import complete_lines, complete_records
from logstorm.parsing.accesslog import event_time
from topologies.logs import Logs
from topologies.wordcount import WordCount

pytestmark = pytest.mark.storm
# a row of bench/faults.py as well: run by `make faults`, over the suite's budget
FAULT_ROW = pytest.mark.faults

# Kept after the run: what the Storm UI's topology page showed (docs/storm-ui.md).
UI_SCREENSHOT = suite_env.ARTIFACTS / "storm-ui-topology.png"
EXACT_STATS = {"topology.stats.sample.rate": 1.0}  # the UI counts every tuple, not 5 %


def cluster_parallelism(topology_class) -> dict[str, int]:
    """Executors per component in the `cluster` environment, as the topology declares."""
    return {
        spec.name: spec.par if isinstance(spec.par, int) else spec.par["cluster"]
        for spec in topology_class.specs
    }


def submit_logs(
    tmp_path: Path, serializer: str | None = None, **extra
) -> tuple[Path, Path, list[str]]:
    """sparse submit the logs topology tailing tmp_path/in; return (inbox, out, argv)."""
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    options = {
        "logstorm.input.path": inbox,
        "logstorm.output.path": out / "windows.jsonl",
        "logstorm.errors.path": out / "errors.jsonl",
        **extra,
    }
    argv = ["submit", "-e", "cluster", "-n", "logs"]
    for key, value in options.items():
        argv += ["-o", f"{key}={value}"]
    submitted = sparse(*argv, serializer=serializer)
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    return inbox, out, argv


def test_a_second_cluster_up_says_so_instead_of_starting_twins(cluster):
    again = sh([*CLUSTER, "up"])
    assert again.returncode == 0 and "already running" in again.stdout


def spout_acked_by_its_log(pids: set[int]) -> int:
    """Tuples the logfiles spout processes say they had acked (their 10 s log lines)."""
    logs = [p for p in (RUN / "logs" / "python").glob("pystorm_logs_logfiles_*.log")
            if int(p.stem.rsplit("_", 1)[1]) in pids]  # fmt: skip
    assert logs, f"no log of spout processes {pids}"
    acked = re.compile(r"last \d+s: (\d+) tuples acked")
    return sum(int(n) for log in logs for n in acked.findall(log.read_text()))


def topologies_if_answering() -> dict:
    """The UI's topology summaries, or none while it does not answer in time."""
    try:
        return topologies()
    except OSError:
        return {}


def every_executor_listed(name: str, topology_class) -> dict | None:
    """The UI's components of a running topology once it lists all their executors: it
    lists a component's executors only when their worker's heartbeat with stats arrived,
    so a late worker's are missing at first. While workers start on two busy cores the
    UI can take longer than a request's timeout to answer: not ready yet, either."""
    try:
        by_id = components(topology(name))
    except OSError:  # URLError, timeout: the UI did not answer this time
        return None
    listed = {c: x["executors"] for c, x in by_id.items()}
    return by_id if listed == cluster_parallelism(topology_class) else None


def ui_counts_match_the_spout(acked_by_log: int) -> dict | None:
    """The logs topology's components once every executor is listed and the UI's counts
    caught up with the spout's log."""
    by_id = every_executor_listed("logs", Logs)
    if by_id is None or by_id["logfiles"]["acked"] != acked_by_log:
        return None
    flowing = all(c["emitted"] > 0 for name, c in by_id.items() if "sink" not in name)
    acking = all(c["acked"] > 0 for c in by_id.values())
    return by_id if flowing and acking else None


def test_logs_on_the_cluster_gives_exact_windows(cluster, tmp_path):
    inbox, out, argv = submit_logs(tmp_path, **EXACT_STATS)
    assert running_topologies() == {"logs": "ACTIVE"}
    assert "logs" in sparse("list", "-e", "cluster").stdout

    raw = SAMPLE.read_bytes()
    lines = raw.decode().splitlines()
    good = [line for i, line in enumerate(lines, 1) if i != BROKEN_LINE]
    (inbox / "access.log").write_bytes(raw)
    sink = out / "windows.jsonl"
    url = wait_for(lambda: first_window_with_total(sink, "url", len(good)), 240, "URL windows")
    status = wait_for(lambda: first_window_with_total(sink, "status", len(good)), 60, "statuses")
    assert url["top"] == expected_url_top(good, 10)
    assert dict(status["top"]) == STATUSES
    errors = complete_records(out / "errors.jsonl")
    assert [e["reason"] for e in errors] == ["unterminated user-agent field"]

    # The Storm UI's REST API: every component at its parallelism, and counts that
    # agree with what the spout itself logged (exact, with a sample rate of 1).
    spout_pids = python_components("spouts.logfiles.LogFileSpout")
    by_id = wait_for(lambda: (n := spout_acked_by_its_log(spout_pids)) > 0
                     and ui_counts_match_the_spout(n), 240,
                     "every executor in the UI, its counts matching the spout's log")  # fmt: skip
    assert topology("logs")["status"] == "ACTIVE"
    assert {name: (c["executors"], c["tasks"]) for name, c in by_id.items()} == {
        name: (par, par) for name, par in cluster_parallelism(Logs).items()
    }
    assert by_id["logfiles"]["failed"] == 0

    again = sparse(*argv)  # the same name while it runs
    assert again.returncode != 0
    assert "already running on the cluster" in again.stderr and "fix: sparse kill" in again.stderr
    kill("logs")
    assert running_topologies() == {}


def test_wordcount_on_the_cluster_keeps_counting(cluster, tmp_path):
    submitted = sparse("submit", "-e", "cluster", "-n", "wordcount", "-o",
                       f"wordcount.snapshot.dir={tmp_path}")  # fmt: skip
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr

    def counted() -> int:
        total = 0
        for path in tmp_path.glob("counts-*.json"):
            total += sum(json.loads(path.read_text())["counts"].values())
        return total

    first = wait_for(counted, 240, "first word counts")
    wait_for(lambda: counted() > first + 100, 120, "the counts to keep growing")
    tasks = wait_for(lambda: len(list(tmp_path.glob("counts-*.json"))) == 12, 120,
                     "all 12 count tasks (the Java topology's parallelism) to report")  # fmt: skip
    assert tasks
    kill("wordcount")


def test_the_storm_ui_and_sparse_stats_show_both_topologies(cluster, tmp_path):
    # Both under JSON here (config.json's msgpack in the other cluster tests): the counts
    # the UI shows are those of a topology really processing tuples with either.
    submit_logs(tmp_path, "json", **EXACT_STATS)
    submitted = sparse("submit", "-e", "cluster", "-n", "wordcount", "-o",
                       f"wordcount.snapshot.dir={tmp_path}", serializer="json")  # fmt: skip
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    summary = wait_for(lambda: (t := topologies_if_answering()).keys() == {"logs", "wordcount"}
                       and all(x["workersTotal"] > 0 for x in t.values()) and t, 180,
                       "both topologies scheduled, as the UI reports them")  # fmt: skip
    assert {name: t["status"] for name, t in summary.items()} == {
        "logs": "ACTIVE", "wordcount": "ACTIVE"}  # fmt: skip
    assert ui_json("/api/v1/cluster/summary")["supervisors"] == 1
    wait_for(lambda: every_executor_listed("logs", Logs)
             and every_executor_listed("wordcount", WordCount), 180,
             "every executor of both topologies in the UI")  # fmt: skip

    cluster_stats = sparse("stats", "-e", "cluster")
    assert cluster_stats.returncode == 0, cluster_stats.stderr
    assert "# Cluster summary" in cluster_stats.stdout and "MISSING" not in cluster_stats.stdout
    for name, t in summary.items():
        assert re.search(rf"\| +{name} \| +{t['id']} \| +ACTIVE \|", cluster_stats.stdout), name

    def stats_list_every_executor() -> str | None:
        """sparse stats' table for logs once it shows each bolt at its parallelism (the
        UI's listing, which it prints, can lose a late worker's executors for a while)."""
        shown = sparse("stats", "-e", "cluster", "-n", "logs")
        assert shown.returncode == 0, shown.stderr
        bolts = [n for n in cluster_parallelism(Logs) if n != "logfiles"]
        par = cluster_parallelism(Logs)
        listed = all(re.search(rf"\| {n} +\| +{par[n]} +\| +{par[n]} +\|", shown.stdout)
                     for n in bolts)  # fmt: skip
        return shown.stdout if listed else None

    logs_stats = wait_for(stats_list_every_executor, 120, "sparse stats to list every executor")
    assert re.search(r"# Spouts \(All time\)\n(.*\n){3}\| logfiles +\|", logs_stats)
    missing = sparse("stats", "-e", "cluster", "-n", "nosuch")
    assert missing.returncode != 0 and "no topology named 'nosuch'" in missing.stderr

    # A real browser renders the UI's topology page: the topology and its components.
    # Its executor listing comes from the workers' heartbeats like the REST API's, and
    # like it can miss a worker's executors for a moment just after the workers start
    # (seen with 5 s heartbeats: 2 of 4 parse executors, 17 s into the topology).
    for name, topology_class in (("logs", Logs), ("wordcount", WordCount)):
        page = f"{UI}/topology.html?id={summary[name]['id']}"
        want = {c: str(par) for c, par in cluster_parallelism(topology_class).items()}

        def page_lists_every_executor(page=page, want=want) -> list[list[str]] | None:
            rows = table_rows(rendered_dom(page))
            shown = {row[0]: row[1] for row in rows if len(row) > 1}
            return rows if {c: shown.get(c) for c in want} == want else None

        rows = wait_for(page_lists_every_executor, 90, f"{name}'s page to list every executor")
        assert [name, summary[name]["id"]] in [row[:2] for row in rows], name
    screenshot(f"{UI}/topology.html?id={summary['logs']['id']}", UI_SCREENSHOT)

    def counted_something() -> bool:
        return any(json.loads(p.read_text())["counts"] for p in tmp_path.glob("counts-*.json"))

    wait_for(counted_something, 120, "wordcount's first counts under JSON")
    kill("wordcount")
    kill("logs")


def test_missing_worker_virtualenv_is_named_with_the_fix(tmp_path):
    config = json.loads(suite_env.config_path().read_text())
    config["envs"]["cluster"]["virtualenv_root"] = str(tmp_path / "nowhere")
    (tmp_path / "config.json").write_text(json.dumps(config))
    result = sparse("submit", "--config", str(tmp_path / "config.json"), "-e", "cluster",
                    "-n", "logs")  # fmt: skip
    assert result.returncode != 0
    assert "worker virtualenv for topology 'logs' is missing" in result.stderr
    assert "fix: make cluster-venvs" in result.stderr


def test_nimbus_down_is_reported_with_the_fix(tmp_path):
    config = json.loads(suite_env.config_path().read_text())
    config["envs"]["cluster"]["nimbus"] = "127.0.0.1:6699"  # nothing listens there
    (tmp_path / "config.json").write_text(json.dumps(config))
    result = sparse("list", "--config", str(tmp_path / "config.json"), "-e", "cluster")
    assert result.returncode != 0
    assert "cannot reach Nimbus" in result.stderr and "make cluster-up" in result.stderr
    assert "Traceback" not in result.stderr


def test_unfilled_prod_template_names_the_placeholder():
    result = sparse("list", "-e", "prod")
    assert result.returncode != 0
    assert "environment 'prod' still has the placeholder '<SSH_USER>' at 'user'" in result.stderr


def test_sparse_visualize_draws_the_logs_topology(tmp_path):
    result = sparse("visualize", "-n", "logs", "-o", str(tmp_path / "logs.png"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "logs.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_killed_bolt_process_is_restarted_and_loses_no_acked_line(cluster, tmp_path):
    replay_soon = {"topology.message.timeout.secs": 10}  # what the dead process held
    inbox, out, _ = submit_logs(tmp_path, **{"logstorm.state.path": tmp_path / "state"},
                                **replay_soon)  # fmt: skip
    sink = out / "windows.jsonl"
    lines = SAMPLE.read_text().splitlines(keepends=True)
    first, second = lines[:5000], lines[5000:]
    log = inbox / "access.log"
    log.write_text("".join(first))
    wait_for(lambda: first_window_with_total(sink, "url", len(first)), 240, "the first half")

    parse = "bolts.parse.AccessLogParseBolt"
    before = python_components(parse)
    victim = sorted(before)[0]
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: (now := python_components(parse)) and victim not in now and
             len(now) == len(before), 180, "Storm to restart the parse bolt")  # fmt: skip
    killed_at = max(w["window_end"] for w in windows(sink, "url"))
    with open(log, "a") as fh:
        fh.write("".join(second))

    good = [line.rstrip("\n") for i, line in enumerate(lines, 1) if i != BROKEN_LINE]
    # At-least-once: nothing acked is missing (replays may count some lines twice).
    top = dict(expected_url_top(good, 10))
    url = wait_for(lambda: window_counting_at_least(sink, "url", top), 240, "every top URL")
    wait_for(lambda: window_counting_at_least(sink, "status", STATUSES), 60, "every status")
    assert url["window_end"] > killed_at  # windows kept coming after the fault
    kill("logs")


@FAULT_ROW
def test_event_time_windows_stay_exact_when_a_window_bolt_process_is_killed(cluster, tmp_path):
    lateness = 30
    inbox, out, _ = submit_logs(tmp_path, **{
        "logstorm.input.mode": "spool", "logstorm.time": "event",
        "logstorm.allowed_lateness_secs": lateness, "logstorm.state.path": tmp_path / "state",
        "logstorm.input.batch.lines": 25,  # many small chunks: the kill lands mid-replay
        "topology.message.timeout.secs": 10,  # what the dead process held comes back soon
    })  # fmt: skip
    want = as_jsonl(reference_windows(SAMPLE.read_text().splitlines(), lateness)[0])
    (inbox / ".access.log.part").write_bytes(SAMPLE.read_bytes())
    (inbox / ".access.log.part").rename(inbox / "access.log")  # spooled files arrive whole
    sink = out / "windows.jsonl"
    wait_for(lambda: sink.exists() and sink.read_text(), 240, "the first windows")

    # A window process whose worker runs no spout, rankings or sink: the guarantee
    # under test is the window tasks' (see docs/guarantees.md).
    keep = set().union(
        *(
            python_components(c)
            for c in ("spouts.logfiles.LogFileSpout", "bolts.rankings.RankingsBolt", "bolts.sinks.")
        )
    )
    spared = {worker_of(pid) for pid in keep}
    windows_bolts = python_components("bolts.windows.WindowBolt")
    victim = min(pid for pid in windows_bolts if worker_of(pid) not in spared)
    assert len(complete_lines(sink)) < len(want)  # mid-run
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: (now := python_components("bolts.windows.WindowBolt"))
             and victim not in now and len(now) == len(windows_bolts), 180,
             "Storm to restart the window bolt")  # fmt: skip

    wait_for(lambda: (inbox / "access.log.COMPLETED").exists()
             and len(window_rows(sink)) >= len(want), 300, f"{len(want)} windows")  # fmt: skip
    assert window_rows(sink) == want  # exactly the reference: no window lost, nothing counted twice
    kill("logs")


def tail_the_sample_in_event_time(tmp_path: Path):
    """Submit logs tailing an empty folder in event time with a state folder; return
    (inbox, out, argv, the sample's lines, the windows they must give)."""
    lateness = 30
    inbox, out, argv = submit_logs(tmp_path, **{
        "logstorm.input.mode": "tail", "logstorm.time": "event",
        "logstorm.allowed_lateness_secs": lateness, "logstorm.state.path": tmp_path / "state",
        "logstorm.idle_timeout_secs": 3600,  # the watermark follows the lines alone
        "logstorm.input.batch.lines": 25,
        "topology.message.timeout.secs": 10,  # what a dead process held comes back soon
    })  # fmt: skip
    lines = SAMPLE.read_text().splitlines(keepends=True)
    # Tailing never ends the input: the windows out at the end are those the newest line
    # closes, which are whole (a later line for them would be late).
    watermark = max(filter(None, map(event_time, lines))) - lateness
    want = as_jsonl(w for w in reference_windows([ln.rstrip("\n") for ln in lines], lateness)[0]
                    if w["window_end"] <= watermark)  # fmt: skip
    return inbox, out, argv, lines, want


@FAULT_ROW
def test_tailed_event_time_windows_stay_exact_when_spout_rankings_and_sink_are_killed(
    cluster, tmp_path
):
    """The event-time rows of docs/guarantees.md for the spout (tail mode), the rankings and the
    window sink: each killed with `kill -9` in turn while the log grows, the JSONL ends
    up equal to the reference: no window missing, none twice, no line counted twice."""
    inbox, out, _, lines, want = tail_the_sample_in_event_time(tmp_path)
    log, sink = inbox / "access.log", out / "windows.jsonl"
    parts = [lines[i : i + 2500] for i in range(0, len(lines), 2500)]
    victims = ["spouts.logfiles.LogFileSpout", "bolts.rankings.RankingsBolt",
               "bolts.sinks.WindowSinkBolt"]  # fmt: skip
    for part, victim_kind in zip(parts, [*victims, None], strict=True):
        seen = len(complete_lines(sink))
        with open(log, "a") as fh:
            fh.write("".join(part))
        wait_for(lambda n=seen: len(complete_lines(sink)) > n, 240, "windows of the new lines")
        if victim_kind is None:
            break
        [victim] = python_components(victim_kind)
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda kind=victim_kind, pid=victim: (now := python_components(kind))
                 and pid not in now, 180, f"Storm to restart {victim_kind}")  # fmt: skip
    wait_for(lambda: len(window_rows(sink)) >= len(want), 300, f"{len(want)} windows")
    assert window_rows(sink) == want  # exactly the reference: none lost, none twice
    kill("logs")


@FAULT_ROW
def test_event_time_windows_stay_exact_when_the_topology_is_killed_and_submitted_again(
    cluster, tmp_path
):
    """The resubmit row of docs/guarantees.md: `sparse kill` mid-log, `sparse submit` again over the
    same input and state folders; the JSONL ends up equal to the reference, so the
    windows open at the kill were resumed, not lost, and no line was counted twice."""
    inbox, out, argv, lines, want = tail_the_sample_in_event_time(tmp_path)
    log, sink = inbox / "access.log", out / "windows.jsonl"
    half = len(lines) // 2
    log.write_text("".join(lines[:half]))
    wait_for(lambda: complete_lines(sink), 240, "windows of the first half")
    kill("logs")  # windows of the first half still open: their lines only in the state
    resubmitted = sparse(*argv)
    assert resubmitted.returncode == 0, resubmitted.stdout + resubmitted.stderr
    with open(log, "a") as fh:
        fh.write("".join(lines[half:]))
    wait_for(lambda: len(window_rows(sink)) >= len(want), 300, f"{len(want)} windows")
    assert window_rows(sink) == want  # exactly the reference: none lost, none twice
    kill("logs")

"""The benchmarks' table rows, from figures (no run): a mistake here would otherwise
show only at the end of a long `make bench`."""

import sys

from sparse_run import PROJECT

sys.path.insert(0, str(PROJECT / "bench"))

from live_latency import spark_row
from profile_logs import jvm_rows


def cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def test_the_spark_row_gives_logstorm_over_spark_for_rate_latency_memory_and_cpu():
    ours = {"counted_rate": 40_000, "p99": 0.6, "rss_mib": 800, "cpu_cores": 1.2}
    spark = {"rate": 40_000, "processed_rate": 20_000, "window_full": True,
             "kept_up": False, "latency_p50": 2.0, "latency_p99": 4.0, "rss_max_mb": 1600,
             "cpu_cores": 1.2}  # fmt: skip
    assert cells(spark_row(ours, spark)) == [
        "40,000", "20,000", "yes", "no", "2.00 / 4.00", "1,600", "1.20",
        "60.0",  # Spark's CPU-seconds per million lines; ours: 30.0
        "2.00x", "0.15x", "0.50x", "0.50x",
    ]  # fmt: skip


def test_jvm_threads_are_grouped_by_kind_with_cores_and_where_their_samples_land():
    before = {"0x1": ("Thread-7-parse-executor[3, 3]", 1000.0), "0x2": ("C2 CompilerThread0", 0.0)}
    after = {
        "0x1": ("Thread-7-parse-executor[3, 3]", 3000.0),
        "0x3": ("Thread-8-parse-executor[4, 4]", 1000.0),  # started in between: all counts
        "0x2": ("C2 CompilerThread0", 500.0),
    }
    samples = {("Thread-#-parse-executor[#, #]", "JCQueue.consume"): 3,
               ("Thread-#-parse-executor[#, #]", "ShellBolt.execute"): 1}  # fmt: skip
    rows = jvm_rows(before, after, samples, secs=10, top=5)
    assert [cells(r) for r in rows] == [
        ["Thread-#-parse-executor[#, #]", "2", "0.30",
         "`JCQueue.consume` 75%; `ShellBolt.execute` 25%"],
        ["C# CompilerThread#", "1", "0.05", "-"],
    ]  # fmt: skip

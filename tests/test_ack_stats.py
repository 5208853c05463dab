"""The spout's ack counts and complete latencies (its log line without the Storm UI)."""

from logstorm.monitoring.ack_stats import AckStats, summary


def test_report_counts_acked_lines_and_complete_latency_then_starts_afresh():
    stats = AckStats()
    for i in range(100):
        stats.emitted(f"c{i}", 10.0)
        stats.acked(f"c{i}", 10.0 + (i + 1) / 1000, lines=10)  # 1..100 ms
    stats.emitted("late", 10.0)
    stats.failed_tuple("late")
    stats.emitted("late", 11.0)  # sent again: its tree starts over
    stats.acked("late", 11.5, lines=10)
    stats.acked("unknown", 12.0, lines=5)  # not ours (or acked twice): ignored
    report = stats.report(10.0)
    assert report["complete_latency_ms"] == {"p50": 51, "p99": 100}
    assert summary(report) == (
        "last 10s: 101 tuples acked (1010 lines, 101 lines/s), 1 failed, "
        "complete latency p50 51 ms p99 100 ms"
    )
    assert summary(stats.report(10.0)) == (
        "last 10s: 0 tuples acked (0 lines, 0 lines/s), 0 failed"
    )

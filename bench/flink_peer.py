"""PyFlink peer of the logs topology's event-time replay (run by bench/replay.py).

    <flink venv python> bench/flink_peer.py --variant sql|udf --input DIR

The course job as a Python user would write it on Flink 2.3 today: a bounded
``raw`` filesystem source over DIR, event time with a 30 s bounded-out-of-orderness
watermark, hopping windows 300 s / 1 s (URLs) and 300 s / 5 s (statuses) with a
window top-10, both in one job (a StatementSet) into blackhole sinks, parallelism 2.
Two variants:

- ``udf``: the line is parsed by logstorm's own parser in a Python scalar function
  (like for like: Python code per line, as in the topology). Flink's default
  execution runs it in the client's Python process.
- ``sql``: parsing in SQL (``REGEXP_EXTRACT``), no Python per line: the JVM's best.

The event time comes from SQL in both (a computed column, as a watermark needs).
bench/replay.py runs each variant on a small and on the full file and takes the
difference (start-up, planning and JVM warm-up cancel out).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME = r"TO_TIMESTAMP(REGEXP_EXTRACT(line, '\[([^\]]+)\]', 1), 'dd/MMM/yyyy:HH:mm:ss Z')"
URL = r"""REGEXP_EXTRACT(line, '"[A-Za-z]+ (\S+)', 1)"""
STATUS = r"""REGEXP_EXTRACT(line, '" (\d{3}) ', 1)"""
HOPS = {"url": ("1", "urls"), "status": ("5", "statuses")}


def top10(source: str, key: str, slide: str) -> str:
    """The windowed top-10 of key over source, Flink's window Top-N."""
    return f"""
        SELECT window_end, k, cnt FROM (
          SELECT window_start, window_end, k, cnt, ROW_NUMBER() OVER (
            PARTITION BY window_start, window_end ORDER BY cnt DESC) AS rn
          FROM (
            SELECT window_start, window_end, {key} AS k, COUNT(*) AS cnt
            FROM TABLE(HOP(TABLE {source}, DESCRIPTOR(ts), INTERVAL '{slide}' SECOND,
                           INTERVAL '300' SECOND(3)))
            WHERE {key} IS NOT NULL
            GROUP BY window_start, window_end, {key}))
        WHERE rn <= 10"""


def run_job(variant: str, input_dir: Path) -> None:
    from pyflink.common import Row
    from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
    from pyflink.table.udf import udf

    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.get_config().set("parallelism.default", "2")
    env.execute_sql(f"""
        CREATE TABLE logs (line STRING, ts AS {TIME},
                           WATERMARK FOR ts AS ts - INTERVAL '30' SECOND)
        WITH ('connector' = 'filesystem', 'path' = '{input_dir}', 'format' = 'raw')""")
    if variant == "udf":
        sys.path.insert(0, str(ROOT / "src"))
        from logstorm.parsing.accesslog import MalformedLine, parse_line

        @udf(
            result_type=DataTypes.ROW(
                [
                    DataTypes.FIELD("url", DataTypes.STRING()),
                    DataTypes.FIELD("status", DataTypes.STRING()),
                ]
            )
        )
        def parse(line: str):
            try:
                record = parse_line(line)
            except MalformedLine:
                return Row(None, None)
            return Row(record.path, None if record.status is None else str(record.status))

        env.create_temporary_function("parse", parse)
        env.execute_sql(
            "CREATE TEMPORARY VIEW parsed AS SELECT ts, p.url AS url, "
            "p.status AS status FROM (SELECT ts, parse(line) AS p FROM logs)"
        )
    else:
        env.execute_sql(
            f"CREATE TEMPORARY VIEW parsed AS SELECT ts, {URL} AS url, "
            f"{STATUS} AS status FROM logs"
        )
    statements = env.create_statement_set()
    for metric, (slide, sink) in HOPS.items():
        env.execute_sql(
            f"CREATE TABLE {sink} (window_end TIMESTAMP(3), k STRING, cnt BIGINT) "
            "WITH ('connector' = 'blackhole')"
        )
        statements.add_insert_sql(f"INSERT INTO {sink} {top10('parsed', metric, slide)}")
    statements.execute().wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", choices=["sql", "udf"], required=True)
    ap.add_argument("--input", type=Path, required=True)
    args = ap.parse_args()
    run_job(args.variant, args.input)


if __name__ == "__main__":
    main()

# logstorm's entry points. Every target installs what it needs first (tools/bootstrap,
# idempotent and fast once .cache/ and .venv/ exist).
SHELL := /bin/bash
VENV := .venv/bin
export LEIN_ROOT := 1

.PHONY: setup check run run-kafka dashboard logs-sample logs-replay wordcount bench faults soak cluster-up cluster-down cluster-status cluster-venvs cluster-clean kafka-up kafka-down kafka-status kafka-clean test lint clean

setup:
	@tools/bootstrap

## The main job: the log analyzer on a Storm LocalCluster, fed live by the traffic
## generator, until Ctrl-C (RATE=lines/s, default 50).
run: setup
	tools/run-live

## The same through Kafka: the broker (started if needed), the generator producing to
## the topic access-log, and 3 spout tasks reading its 3 partitions.
run-kafka: setup
	tools/run-live --kafka

## The live dashboard of the windows in run/logs/ (what make run writes) on
## http://127.0.0.1:8765/ until Ctrl-C; DASHBOARD_ARGS for its options, e.g.
## DASHBOARD_ARGS="--windows run/replay-out/windows.jsonl" after make logs-replay.
dashboard: setup
	$(VENV)/python -m logstorm.dashboard $(DASHBOARD_ARGS)

## The log analyzer over the real 10,000-line sample (data/apache_logs), spooled once.
logs-sample: setup
	rm -rf run/sample && mkdir -p run/sample && cp data/apache_logs run/sample/
	$(VENV)/sparse run -n logs -o logstorm.input.path=$(CURDIR)/run/sample -o logstorm.input.mode=spool

## The same sample by event time: the windows of May 2015, identical on every replay.
logs-replay: setup
	rm -rf run/replay && mkdir -p run/replay && cp data/apache_logs run/replay/
	$(VENV)/sparse run -n logs -o logstorm.input.path=$(CURDIR)/run/replay -o logstorm.input.mode=spool -o logstorm.time=event -o logstorm.output.path=$(CURDIR)/run/replay-out/windows.jsonl -o logstorm.errors.path=$(CURDIR)/run/replay-out/errors.jsonl

## WordCount (storm-starter's WordCountTopology in Python) until Ctrl-C.
wordcount: setup
	$(VENV)/sparse run -n wordcount

## A one-host Storm cluster on loopback (ZooKeeper, Nimbus, Supervisor) for
## `sparse submit -e cluster`; state and logs in run/cluster/.
cluster-up: setup cluster-venvs
	$(VENV)/python tools/cluster up

cluster-down:
	$(VENV)/python tools/cluster down

cluster-status: setup
	$(VENV)/python tools/cluster status

cluster-venvs: setup
	$(VENV)/python tools/cluster venvs

## Forget a stopped cluster's topologies and logs (a restart otherwise resumes them).
cluster-clean:
	$(VENV)/python tools/cluster clean

## A Kafka broker on loopback (KRaft, 127.0.0.1:9092) with the topic access-log (3
## partitions), for -o logstorm.input.kind=kafka; data and logs in run/kafka/.
## BROKERS=3: three brokers (9092, 9192, 9292), topics replicated 3 times.
BROKERS ?= 1
kafka-up: setup
	$(VENV)/python tools/kafka up --brokers $(BROKERS)

kafka-down:
	$(VENV)/python tools/kafka down

kafka-status: setup
	$(VENV)/python tools/kafka status

## Forget a stopped broker's topics, offsets and consumer groups.
kafka-clean:
	$(VENV)/python tools/kafka clean

## Benchmarks (not part of the tests): rewrite BENCHMARKS.md's tables, about 45 minutes.
## BENCH_RATE: the log analyzer's target rate (lines/s): measured there with its 300 s
## windows full, beside Spark's DStream job with its window full too; then at half that
## rate, files and Kafka. First, in about two minutes, whether the peers' scripts still run
## (pytest -m peers: the Spark job and storm-starter's topologies on a tiny input).
BENCH_RATE ?= 100000
bench: setup
	$(VENV)/python -m pytest -m peers tests/integration
	$(VENV)/python bench/parse_rate.py
	$(VENV)/python bench/live_latency.py --rates $(BENCH_RATE) $$(( $(BENCH_RATE) / 2 )) --fill 300 60 --secs 60 --spark-secs 60 --spark-rates $(BENCH_RATE)
	$(VENV)/python bench/live_latency.py --rates $(BENCH_RATE) $$(( $(BENCH_RATE) / 2 )) --fill 30 --secs 30 --inputs kafka
	$(VENV)/python bench/replay.py --lines 1000000 --flink udf sql --peers bytewax quix pathway
	$(VENV)/python bench/scaling.py --lines 1000000
	$(VENV)/python bench/wordcount_peers.py --secs 30 --warmup 10
	$(VENV)/python bench/profile_logs.py --rate $$(( $(BENCH_RATE) / 2 ))
	$(VENV)/python bench/dashboard_start.py --secs 130000 --runs 5

## The soak (not part of the tests): 30 minutes on the loopback cluster at 50,000 lines/s
## (half the sustained rate): RSS per process kind, lines counted within their slide,
## windows per minute, state sizes; RELIABILITY.md's soak table.
soak: setup
	$(VENV)/python bench/soak.py

## The fault matrix (not part of the tests): every fault of bench/faults.py on the
## loopback cluster under load, files and Kafka, both time modes; rewrites RELIABILITY.md's
## table (about 80 minutes). Then the fault tests kept out of the suite's 15 minutes.
faults: setup
	$(VENV)/python bench/faults.py
	$(VENV)/python -m pytest -m faults tests/integration

## The loop while working (under 2 minutes): lint, the type checker and the unit tests
## (no Storm, no broker, no browser), on both cores.
check: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy
	$(VENV)/python -m pytest -q -n 2 -m "not storm" --ignore=tests/integration --durations=5

## The whole test suite: lint, unit tests, and the real-Storm integration tests. Its
## cluster, broker and live run live in a temporary folder, on ports free at its start
## (tests/suite_env.py): apart from run/ and the ports of make run / cluster-up / kafka-up.
test: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy
	$(VENV)/python -m pytest

lint: setup
	$(VENV)/ruff check --fix .
	$(VENV)/ruff format .

clean:
	rm -rf _build _resources run

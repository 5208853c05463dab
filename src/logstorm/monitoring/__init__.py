"""What a run says about itself for people and tools watching it: each spout task's
status file (acked lines/s, latency, lag), a replay's progress, and the ack
statistics they are made from. Read by the console, the dashboard and /metrics."""

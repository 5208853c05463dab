"""Access-log lines into per-key counts: the parser, the combiner, and which window
task a key goes to."""

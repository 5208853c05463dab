"""Where lines come from: log files or Kafka partitions, cut into chunks tracked until
acknowledged, and event time stamped at the source."""

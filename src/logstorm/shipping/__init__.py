"""Lines into Kafka: the producer every writer shares, and the shipper that tails log
files into a topic (the part Flume or Filebeat plays on each web server)."""

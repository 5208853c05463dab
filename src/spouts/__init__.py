"""Storm spouts: thin streamparse adapters over the logstorm core."""

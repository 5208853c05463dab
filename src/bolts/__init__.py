"""Storm bolts: thin streamparse adapters over the logstorm core."""

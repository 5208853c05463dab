"""The compat layer (compat/streamparse_storm2/): one test module per patch module."""

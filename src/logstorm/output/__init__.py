"""The global top N of each window, and the sinks that write windows and errors."""

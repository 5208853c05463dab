"""Sliding-window counts by processing time and by event time, and their journals."""

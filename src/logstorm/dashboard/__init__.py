"""The live dashboard: a web page of the log analysis as its windows are written.

``python -m logstorm.dashboard`` serves it (:mod:`.server`); the page (``dashboard/``
in the repository) draws what :class:`.feed.WindowFeed` hands out: the window sink's
records as they are appended (:mod:`.history` keeps the recent ones for a browser that
connects late), the errors tally (:mod:`.tally`), the spouts' status files
(:mod:`.spout_status`) and, on a cluster, the Storm UI's counts (:mod:`.storm_ui`).
Plain Python: nothing here imports Storm or streamparse.
"""

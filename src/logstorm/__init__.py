"""logstorm's core: plain-Python logic shared by the spouts and bolts.

Nothing in this package imports Storm, pystorm or streamparse; the components
under src/spouts and src/bolts are thin adapters over it.
"""

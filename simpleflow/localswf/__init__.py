"""The embedded SWF service: an implementation of the Amazon SWF API on one machine.

It knows nothing of simpleflow's workflows; it is an SWF engine with SQLite storage, long polling,
every decision and every timeout, reachable over HTTP on loopback or in process through botocore.
"""

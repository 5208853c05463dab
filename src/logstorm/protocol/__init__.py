"""The exactly-once protocol of the log analyzer: who sends what to whom, what each
keeps durable, and what each failure replays. The bolts delegate to it; nothing here
imports Storm. (A page with a sequence diagram: ``docs/state.md``.)

Every hand-off between components is a Storm tuple; what must outlive a worker that
Storm may restart on another host is in the component's *own* state
(:mod:`logstorm.state`: a folder on one host, Kafka on several). No component reads
another's state.

Messages::

    spout ------ chunk bundles (anchored), watermarks --------> window task
    window task  [metric, since, watermark, reports] ---------> rankings
    rankings --- [window, seq] -------------------------------> window sink
    rankings --- released: [epoch, {metric: watermark}] ------> every window task
    window sink  progress: [received, durable] ---------------> rankings

Parts, one per role:

- :mod:`~logstorm.protocol.window_task` (:class:`ReportSender`): journal the counts
  (:mod:`~logstorm.protocol.journal`) and the reports sent but not yet out
  (:mod:`~logstorm.protocol.sent_reports`), durable before the input tuples are
  acked; forget what the rankings says is out, send the rest again on a new epoch.
- :mod:`~logstorm.protocol.releaser` (:class:`Releaser`): the rankings numbers each
  window and keeps it in its outbox (:mod:`~logstorm.protocol.outbox`) before it is
  emitted; once a second it makes the outbox durable, then its record, and sends the
  record to the window tasks; it raises the epoch when it starts and when a task's
  report went missing (a ``since`` it does not have); it sends the sink again the
  windows whose numbers the sink's progress lacks.
- :mod:`~logstorm.protocol.sink_order` (:class:`InOrder`): the sink writes windows
  in number order, each once, and keeps how far it is (with Kafka in the transaction
  that writes those windows to the windows topic).
- :mod:`~logstorm.protocol.run_state`: which state a run opens: the one its input
  checkpoint names, so a resubmitted topology resumes it.

What each failure replays:

- a window task: its journal restores counts and counted chunk ids; the spout replays
  its unacked chunks (dropped if counted, in event time); the rankings' next record
  has a new epoch for it (``None`` before) and it sends again what is not out;
- the rankings: it takes over its outbox and record (it releases nothing twice, and
  numbers the next windows as before), raises the epoch; every task sends again;
- the window sink: it starts from the numbers it kept (an open Kafka transaction is
  aborted); its progress stops short of what the rankings sent, which sends the rest;
- a tuple lost on its way (a worker restarting): a report's successor has a ``since``
  the rankings lacks; a window's successor waits in the sink for it and the sink's
  progress asks; a record or a progress is followed by the next a second later.

The spout's own replay (its cut log in event time) is :mod:`logstorm.sources.cuts`.
"""

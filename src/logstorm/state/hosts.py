"""What a run over several hosts cannot do: keep state or read input on one host's disk.

``sparse submit`` asks Nimbus which hosts its supervisors run on and calls
:func:`check_hosts` before the topology is sent; a run that would need a disk the other
hosts do not have is refused with the option and the fix, instead of running until
Storm moves a task to another host, where it would not find its journal.

>>> options = {"logstorm.state.backend": "dir", "logstorm.state.path": "/var/logstorm",
...            "logstorm.input.kind": "kafka", "logstorm.input.path": ""}
>>> check_hosts(options, ["127.0.0.1"])          # one host: its disk is every task's
>>> check_hosts(options, ["10.0.0.1", "10.0.0.2"])
Traceback (most recent call last):
...
logstorm.options.OptionError: option 'logstorm.state.backend' is 'dir' (window state in \
/var/logstorm on each host's own disk), but the cluster's supervisors run on 2 hosts \
(10.0.0.1, 10.0.0.2): a task Storm moves to another host would not find its state, and \
windows would go missing; fix: -o logstorm.state.backend=kafka (state in Kafka topics \
every host reaches), or -o logstorm.state.path= (keep no state)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from logstorm import logs_options as opt
from logstorm.options import OptionError


def check_hosts(options: dict[str, Any], hosts: Iterable[str]) -> None:
    """Raise OptionError if the run needs one host's disk and the cluster has several."""
    hosts = sorted(set(hosts))
    if len(hosts) < 2:
        return
    where = f"the cluster's supervisors run on {len(hosts)} hosts ({', '.join(hosts)})"
    if options[opt.STATE_BACKEND] == "dir" and options[opt.STATE_PATH]:
        raise OptionError(
            f"option {opt.STATE_BACKEND!r} is 'dir' (window state in "
            f"{options[opt.STATE_PATH]} on each host's own disk), but {where}: a task "
            "Storm moves to another host would not find its state, and windows would go "
            f"missing; fix: -o {opt.STATE_BACKEND}=kafka (state in Kafka topics every host "
            f"reaches), or -o {opt.STATE_PATH}= (keep no state)"
        )
    if options[opt.INPUT_KIND] == "files":
        raise OptionError(
            f"option {opt.INPUT_KIND!r} is 'files' (the folder {options[opt.INPUT_PATH]} and "
            f"its position file on one host's disk), but {where}: the spout would read "
            "whatever folder of that name the host Storm gives it has; fix: ship the files "
            "into a Kafka topic (python -m logstorm.shipping.shipper) and -o "
            f"{opt.INPUT_KIND}=kafka"
        )

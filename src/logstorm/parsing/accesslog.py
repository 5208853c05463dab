"""Parser of Apache/NGINX access-log lines (combined and common formats), in linear time.

    host ident user [time] "request" status size ["referer" "agent" [anything...]]

Every field has one unambiguous shape: a token without spaces, ``[...]`` without
``]``, or a double-quoted string where ``\\"`` and ``\\\\`` are escapes. Each is matched
with possessive quantifiers, so the regular expression never backtracks and a line
costs time linear in its length, however it is crafted (the course's
``\\[(.+)\\]``/``"(.+)"`` pattern is O(n^4) on such lines).

A line that is not an access-log line raises :class:`MalformedLine` with a reason.
A line whose request is ``-``, empty, a single token or binary junk is still a
valid line: it keeps its status, size and time, with no URL.

``python -m logstorm.parsing.accesslog FILE`` prints one JSON object per line.
"""

from __future__ import annotations

import calendar
import functools
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass

_TOKEN = r"\S++"
_QUOTED = r'"((?:[^"\\]++|\\.)*+)"'
_LINE = re.compile(
    rf"({_TOKEN}) ++({_TOKEN}) ++({_TOKEN}) ++\[([^\]]*+)\] ++{_QUOTED} ++(\S++) ++(\S++)"
    rf"(?: ++{_QUOTED}(?: ++{_QUOTED})?+)?+",
)
_TIME_FIELD = re.compile(rf"{_TOKEN} ++{_TOKEN} ++{_TOKEN} ++\[([^\]]*+)\]")  # _LINE's start
_TIME = re.compile(
    r"(\d\d)/([A-Z][a-z]{2})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)", re.ASCII
)
# Whatever token the client sent, as Apache logs it (RFC 9110's token characters):
# PROPFIND and MKCOL from WebDAV, M-SEARCH, and the lower-case `get` of broken bots.
_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]++")
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
_ESCAPE = re.compile(r"\\([\\\"])")


class MalformedLine(ValueError):
    """The line is not an access-log line; ``reason`` says which part is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class AccessRecord:
    """One request. ``path`` is None when the request line holds no URL.

    Not frozen, though never changed: a frozen dataclass's ``__init__`` sets each of its
    eleven fields through ``object.__setattr__``, once per line parsed
    (docs/benchmarks-history.md, notes of 2026-12-02, second round).
    """

    host: str
    ident: str
    user: str
    time: int
    method: str | None
    path: str | None
    protocol: str | None
    status: int | None
    size: int | None
    referer: str | None
    agent: str | None


def parse_line(line: str) -> AccessRecord:
    """Parse one line (a trailing CR/LF is ignored); raise MalformedLine if it is not one."""
    line = line.rstrip("\r\n")
    m = _LINE.match(line)
    if m is None:
        raise MalformedLine(_diagnose(line))
    host, ident, user, raw_time, request, raw_status, raw_size, referer, agent = m.groups()
    rest = line[m.end() :]
    if rest:
        if not rest[0].isspace():
            raise MalformedLine("text glued to the last field (unterminated quote?)")
        if agent is None and rest.lstrip().startswith('"'):
            which = "referer" if referer is None else "user-agent"
            raise MalformedLine(f"unterminated {which} field")
    method, path, protocol = split_request(_unescape(request))
    return AccessRecord(
        host,
        ident,
        user,
        parse_time(raw_time),
        method,
        path,
        protocol,
        _number(raw_status, "status", 3),
        _number(raw_size, "size", 0),
        None if referer is None else _unescape(referer),
        None if agent is None else _unescape(agent),
    )


def event_time(line: str) -> int | None:
    """The line's timestamp in epoch seconds, or None if it has no valid one.

    Reads only the fields up to ``[time]``, with the same pattern as :func:`parse_line`,
    so for every line that parses it equals the record's ``time``: the log-file spout
    uses it to order events (watermarks) without parsing whole lines.
    """
    m = _TIME_FIELD.match(line)
    if m is None:
        return None
    try:
        return parse_time(m[1])
    except MalformedLine:
        return None


# the rest of each line is taken too, so the search does not try every position of it
_TIME_FIELDS = re.compile(
    rf"^{_TOKEN} ++{_TOKEN} ++{_TOKEN} ++\[([^\]\n]*+)\][^\n]*+", re.MULTILINE
)


def event_times(text: str) -> LineTimes:
    """:func:`event_time` of each line of text (lines joined by newlines), each distinct
    timestamp converted once, in one pass over the text when every line has a time field.

    >>> times = event_times('h - - [17/May/2015:10:05:03 +0000] "GET /"\\nh - - [junk] x')
    >>> list(times), times.distinct()
    ([1431857103, None], {1431857103})
    """
    raws = _TIME_FIELDS.findall(text)
    if len(raws) != text.count("\n") + 1:  # a line without one: each line is its own key
        lines = text.split("\n")
        return LineTimes(lines, {line: event_time(line) for line in set(lines)})
    seconds: dict[str, int | None] = {}
    for raw in set(raws):
        try:
            seconds[raw] = parse_time(raw)
        except MalformedLine:
            seconds[raw] = None
    return LineTimes(raws, seconds)


class LineTimes:
    """The timestamps of a chunk's lines in order (epoch seconds; None: no valid one),
    kept as each line's key into the few distinct values, so that :meth:`distinct`
    (all a chunk without late lines needs, see :class:`~logstorm.sources.watermark.EventClock`)
    costs nothing per line.
    """

    __slots__ = ("_keys", "_seconds")

    def __init__(self, keys: list[str], seconds: dict[str, int | None]) -> None:
        self._keys = keys
        self._seconds = seconds

    def distinct(self) -> set[int]:
        """Every valid timestamp among the lines, once."""
        return {t for t in self._seconds.values() if t is not None}

    def __iter__(self) -> Iterator[int | None]:
        return map(self._seconds.__getitem__, self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, value: object) -> bool:
        return value in self._seconds.values()


@functools.lru_cache(maxsize=4096)  # a busy log repeats each second's timestamp many times
def parse_time(text: str) -> int:
    """``17/May/2015:10:05:03 +0000`` -> epoch seconds (UTC)."""
    m = _TIME.fullmatch(text)
    if m is None or m[2] not in _MONTHS:
        raise MalformedLine(f"bad timestamp [{text[:40]}]")
    day, month, year = int(m[1]), _MONTHS[m[2]], int(m[3])
    hour, minute, second = int(m[4]), int(m[5]), int(m[6])
    if not (
        year >= 1  # calendar.timegm raises ValueError for year 0
        and 1 <= day <= calendar.monthrange(year, month)[1]
        and hour < 24
        and minute < 60
        and second < 61
        and int(m[9]) < 60
    ):
        raise MalformedLine(f"bad timestamp [{text[:40]}]")
    offset = (int(m[8]) * 3600 + int(m[9]) * 60) * (1 if m[7] == "+" else -1)
    return calendar.timegm((year, month, day, hour, minute, second)) - offset


def split_request(request: str) -> tuple[str | None, str | None, str | None]:
    """``GET /a?b HTTP/1.1`` -> (method, path, protocol); no URL for `-`, one token or junk
    (a first word that is not an HTTP token, such as escaped TLS bytes).

    >>> split_request("propfind /dav/ HTTP/1.1")
    ('propfind', '/dav/', 'HTTP/1.1')
    """
    parts = request.split(" ")
    if len(parts) < 2 or not _METHOD.fullmatch(parts[0]):
        return None, None, None
    if len(parts) == 2:  # HTTP/0.9 style: no protocol
        return parts[0], parts[1] or None, None
    if parts[-1].startswith("HTTP/"):
        return parts[0], " ".join(parts[1:-1]) or None, parts[-1]
    return parts[0], " ".join(parts[1:]), None


def _number(text: str, field: str, digits: int) -> int | None:
    if text == "-":
        return None
    if not text.isdigit() or not text.isascii() or (digits and len(text) != digits):
        raise MalformedLine(f"bad {field} {text[:20]!r}")
    return int(text)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def _diagnose(line: str) -> str:
    """Which field stops the line from matching (for the error record)."""
    if not line.strip():
        return "empty line"
    checks = (
        (r"\S++ ++\S++ ++\S++ ++", "fewer than three fields before the timestamp"),
        (r"\S++ ++\S++ ++\S++ ++\[", "no [timestamp] after host, ident and user"),
        (r"\S++ ++\S++ ++\S++ ++\[[^\]]*+\]", "unterminated [timestamp]"),
        (r"\S++ ++\S++ ++\S++ ++\[[^\]]*+\] ++\"", "no quoted request after the timestamp"),
        # Without its closing quote, the request runs on to the referer's opening quote.
        (rf"\S++ ++\S++ ++\S++ ++\[[^\]]*+\] ++{_QUOTED}(?= |\Z)", "unterminated request field"),
    )
    for pattern, reason in checks:
        if not re.match(pattern, line):
            return reason
    return "missing status or size after the request"


def main(argv: list[str] | None = None) -> int:
    """Print one JSON object per line of FILE (or stdin): the fields, or the error."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m logstorm.parsing.accesslog FILE|-", file=sys.stderr)
        return 2
    # The file is closed by the `with` below.
    source = sys.stdin if args[0] == "-" else open(args[0], encoding="utf-8", errors="replace")  # noqa: SIM115
    with source:
        for line in source:
            try:
                out = asdict(parse_line(line))
            except MalformedLine as err:
                out = {"error": err.reason, "line": line.rstrip("\r\n")}
            print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Tests of the access-log parser ``logstorm.parsing.accesslog``."""

from __future__ import annotations

import calendar
import contextlib
import io
import json
import math
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logstorm.parsing.accesslog import (
    AccessRecord,
    MalformedLine,
    event_time,
    event_times,
    main,
    parse_line,
    parse_time,
    split_request,
)
from logstorm.parsing.combiner import _count_line_by_line, count_chunk

DATA_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "apache_logs"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

T_TEXT = "17/May/2015:10:05:03 +0000"
T_EPOCH = calendar.timegm((2015, 5, 17, 10, 5, 3))
PREFIX = f"83.149.9.216 - - [{T_TEXT}] "
COMBINED = (
    PREFIX + '"GET /images/kibana-search.png HTTP/1.1" 200 203023 '
    '"http://semicomplete.com/presentations/" "Mozilla/5.0 (Macintosh) Chrome/32.0"'
)


def with_request(request: str, tail: str = '200 512 "-" "curl/8.0"') -> str:
    """A combined line whose quoted request field holds ``request`` verbatim."""
    return f'{PREFIX}"{request}" {tail}'


def apache_escape(text: str) -> str:
    """Escape a quoted field as Apache's mod_log_config does for ``\\`` and ``"``."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def reason_of(line: str) -> str:
    with pytest.raises(MalformedLine) as caught:
        parse_line(line)
    return caught.value.reason


# --- the fields of a well-formed line ---------------------------------------------------------


def test_combined_line_gives_every_field():
    assert parse_line(COMBINED) == AccessRecord(
        host="83.149.9.216",
        ident="-",
        user="-",
        time=T_EPOCH,
        method="GET",
        path="/images/kibana-search.png",
        protocol="HTTP/1.1",
        status=200,
        size=203023,
        referer="http://semicomplete.com/presentations/",
        agent="Mozilla/5.0 (Macintosh) Chrome/32.0",
    )


def test_common_line_has_no_referer_nor_agent():
    record = parse_line(f'{PREFIX}"POST /login HTTP/1.0" 302 17')
    assert (record.method, record.path, record.protocol) == ("POST", "/login", "HTTP/1.0")
    assert (record.status, record.size) == (302, 17)
    assert record.referer is None
    assert record.agent is None


@pytest.mark.parametrize("host", ["2001:db8::1", "::1", "crawl-66-249.googlebot.com", "10.0.0.1"])
def test_host_is_any_token(host):
    assert parse_line(f'{host} - - [{T_TEXT}] "GET / HTTP/1.1" 200 1').host == host


def test_ident_and_user_are_kept():
    record = parse_line(f'1.2.3.4 identd-42 frank [{T_TEXT}] "GET / HTTP/1.1" 200 1')
    assert (record.ident, record.user) == ("identd-42", "frank")


def test_size_dash_means_no_body():
    assert parse_line(f'{PREFIX}"GET / HTTP/1.1" 304 - "-" "-"').size is None


def test_status_dash_is_none():
    record = parse_line(f'{PREFIX}"GET / HTTP/1.1" - - "-" "-"')
    assert (record.status, record.size) == (None, None)


def test_referer_and_agent_dash_are_kept_verbatim():
    record = parse_line(f'{PREFIX}"GET / HTTP/1.1" 200 1 "-" "-"')
    assert (record.referer, record.agent) == ("-", "-")


def test_empty_referer_and_agent_are_empty_strings():
    record = parse_line(f'{PREFIX}"GET / HTTP/1.1" 200 1 "" ""')
    assert (record.referer, record.agent) == ("", "")


# --- time -------------------------------------------------------------------------------------


def test_negative_offset_is_added_to_reach_utc():
    # 13:55:36 at -0700 is 20:55:36 UTC.
    expected = calendar.timegm((2000, 10, 10, 13, 55, 36)) + 7 * 3600
    assert parse_time("10/Oct/2000:13:55:36 -0700") == expected
    assert expected == calendar.timegm((2000, 10, 10, 20, 55, 36))


def test_positive_half_hour_offset_is_subtracted_to_reach_utc():
    # 00:10:00 at +0530 on 1 Jan is 18:40:00 UTC the day (and year) before.
    expected = calendar.timegm((2024, 1, 1, 0, 10, 0)) - (5 * 3600 + 30 * 60)
    assert parse_time("01/Jan/2024:00:10:00 +0530") == expected
    assert expected == calendar.timegm((2023, 12, 31, 18, 40, 0))


def test_time_of_a_line_is_epoch_seconds():
    line = '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'
    assert parse_line(line).time == 971211336


def test_leap_day_is_a_valid_date():
    assert parse_time("29/Feb/2024:12:00:00 +0000") == calendar.timegm((2024, 2, 29, 12, 0, 0))


# --- the request line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_line", "expected"),
    [
        ("GET /a?b=1 HTTP/1.1", ("GET", "/a?b=1", "HTTP/1.1")),
        ("OPTIONS * HTTP/1.0", ("OPTIONS", "*", "HTTP/1.0")),
        ("GET /old-style", ("GET", "/old-style", None)),
        ("GET /a b HTTP/1.1", ("GET", "/a b", "HTTP/1.1")),
        ("PROPFIND /dav/ HTTP/1.1", ("PROPFIND", "/dav/", "HTTP/1.1")),
        ("MKCOL /dav/new/ HTTP/1.1", ("MKCOL", "/dav/new/", "HTTP/1.1")),
        ("M-SEARCH * HTTP/1.1", ("M-SEARCH", "*", "HTTP/1.1")),
        ("get / HTTP/1.1", ("get", "/", "HTTP/1.1")),  # broken clients and bots
        ("Get /a HTTP/1.0", ("Get", "/a", "HTTP/1.0")),
        ("-", (None, None, None)),
        ("", (None, None, None)),
        ("GET", (None, None, None)),
        (r"\x16\x03\x01\x00\xa5\x01\x00\x00", (None, None, None)),
    ],
)
def test_split_request(request_line, expected):
    assert split_request(request_line) == expected


@pytest.mark.parametrize("method", ["PROPFIND", "MKCOL", "propfind", "gEt"])
def test_a_line_with_any_method_token_keeps_its_url_and_status(method):
    record = parse_line(with_request(f"{method} /dav/a HTTP/1.1", tail='207 512 "-" "-"'))
    assert (record.method, record.path, record.status) == (method, "/dav/a", 207)


@pytest.mark.parametrize(
    "request_line",
    ["-", "", "GET", "quit", r"\x16\x03\x01\x00\xa5\x01\x00\x00", r"\x80\x01\x01\x00\x00"],
    ids=["dash", "empty", "method-only", "one-token", "tls-handshake", "sslv2-hello"],
)
def test_request_without_url_keeps_status_size_and_time(request_line):
    record = parse_line(with_request(request_line, tail='400 226 "-" "-"'))
    assert record.path is None
    assert (record.status, record.size, record.time) == (400, 226, T_EPOCH)


def test_binary_junk_request_with_no_status():
    record = parse_line(with_request(r"\x16\x03\x01", tail="- -"))
    assert (record.method, record.path, record.status, record.size) == (None, None, None, None)


# --- escapes inside quoted fields -------------------------------------------------------------


def test_escaped_quote_in_request_is_unescaped():
    record = parse_line(with_request(r"GET /search?q=\"storm\" HTTP/1.1"))
    assert record.path == '/search?q="storm"'
    assert record.protocol == "HTTP/1.1"


def test_escaped_quote_and_backslash_in_referer_and_agent_are_unescaped():
    line = f'{PREFIX}"GET / HTTP/1.1" 200 1 "http://x/?q=\\"hi\\"" "Agent \\\\o/ \\"quoted\\""'
    record = parse_line(line)
    assert record.referer == 'http://x/?q="hi"'
    assert record.agent == 'Agent \\o/ "quoted"'


def test_field_ending_in_an_escaped_backslash_closes_at_the_next_quote():
    # The agent is `C:\` : Apache writes it as "C:\\", so the quote after \\ closes it.
    record = parse_line(f'{PREFIX}"GET / HTTP/1.1" 200 1 "-" "C:\\\\" "trailing"')
    assert record.agent == "C:\\"


def test_other_backslash_sequences_stay_literal():
    record = parse_line(f'{PREFIX}"GET / HTTP/1.1" 200 1 "-" "bot\\x09tab\\n"')
    assert record.agent == "bot\\x09tab\\n"


# --- tolerated variations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [' "203.0.113.9, 10.0.0.2"', " 0.123", ' "-" 0.004 upstream=10.0.0.5:8080', ' "un"closed'],
    ids=["x-forwarded-for", "request-time", "several", "junk"],
)
def test_trailing_fields_after_agent_are_ignored(extra):
    assert parse_line(COMBINED + extra) == parse_line(COMBINED)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_line_endings_are_ignored(ending):
    assert parse_line(COMBINED + ending) == parse_line(COMBINED)


def test_common_line_with_crlf():
    record = parse_line(f'{PREFIX}"GET / HTTP/1.1" 200 -\r\n')
    assert (record.status, record.size, record.agent) == (200, None, None)


# --- malformed lines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected_reason"),
    [
        ("", "empty line"),
        ("  \r\n", "empty line"),
        ("garbage", "fewer than three fields"),
        ("<html><body>hello world</body></html>", "timestamp"),
        ('1.2.3.4 - - "GET / HTTP/1.1" 200 1', "no [timestamp]"),
        ('1.2.3.4 - - [17/May/2015:10:05:03 +0000 "GET / HTTP/1.1" 200 1', "unterminated [times"),
        (f"{PREFIX}GET / HTTP/1.1 200 1", "no quoted request"),
        (f'{PREFIX}"GET / HTTP/1.1 200 1', "unterminated request"),
        (f'{PREFIX}"GET / HTTP/1.1" 200', "missing status or size"),
        (f'{PREFIX}"GET / HTTP/1.1"', "missing status or size"),
        (f'{PREFIX}"GET / HTTP/1.1" 200 1 "http://ref', "unterminated referer"),
        (f'{PREFIX}"GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (X11', "unterminated user-agent"),
        (f'{PREFIX}"GET / HTTP/1.1" 200 1 "-" "Mozilla \\"', "unterminated user-agent"),
        (f'{PREFIX}"GET / HTTP/1.1" 200 1 "-" "Mozilla"/5.0', "glued"),
        (f'{PREFIX}"GET / HTTP/1.1" 2x0 1', "bad status '2x0'"),
        (f'{PREFIX}"GET / HTTP/1.1" 2000 1', "bad status"),
        (f'{PREFIX}"GET / HTTP/1.1" 20 1', "bad status"),
        (f'{PREFIX}"GET / HTTP/1.1" ²００ 1', "bad status"),
        (f'{PREFIX}"GET / HTTP/1.1" 200 12k', "bad size '12k'"),
        (f'{PREFIX}"GET / HTTP/1.1" 200 -5', "bad size"),
    ],
)
def test_malformed_line_reason_names_the_problem(line, expected_reason):
    assert expected_reason in reason_of(line)


def test_unterminated_request_in_combined_line_is_reported_as_such():
    # The request's closing quote is missing, so its field runs on to the referer's quote.
    line = f'{PREFIX}"GET /index.html HTTP/1.1 200 512 "-" "Mozilla/5.0"'
    assert "unterminated request" in reason_of(line)


@pytest.mark.parametrize(
    "bad_time",
    [
        "17/Foo/2015:10:05:03 +0000",  # no such month
        "17/may/2015:10:05:03 +0000",  # month names are capitalised
        "17/May/2015:25:05:03 +0000",  # hour 25
        "17/May/2015:10:60:03 +0000",  # minute 60
        "00/May/2015:10:05:03 +0000",  # day 0
        "32/May/2015:10:05:03 +0000",  # day 32
        "31/Apr/2015:10:05:03 +0000",  # April has 30 days
        "29/Feb/2015:10:05:03 +0000",  # 2015 is not a leap year
        "01/Jan/0000:00:00:00 +0000",  # there is no year 0
        "17/May/2015:10:05:03 +0075",  # 75 minutes of offset
        "17/May/2015:10:05:03",  # no zone
        "17/May/2015 10:05:03 +0000",  # space instead of colon
        "2015-05-17T10:05:03Z",  # ISO 8601 is not Apache's %t
        "\u0661\u0667/May/2015:10:05:03 +0000",  # Arabic-Indic digits
        "",
    ],
)
def test_bad_timestamp_is_malformed(bad_time):
    with pytest.raises(MalformedLine, match="bad timestamp"):
        parse_time(bad_time)
    line = f'1.2.3.4 - - [{bad_time}] "GET / HTTP/1.1" 200 1'
    assert reason_of(line).startswith("bad timestamp")


def test_malformed_line_is_a_value_error_carrying_its_reason():
    with pytest.raises(ValueError, match="empty line") as caught:
        parse_line("")
    assert caught.value.reason == "empty line"


# --- the real data file -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def apache_logs():
    """(line number, record) for each good line and (line number, reason) for each bad one."""
    if not DATA_FILE.is_file():
        pytest.skip(f"data file {DATA_FILE} is absent (see shared/data/README.md to fetch it)")
    good, bad = [], []
    with DATA_FILE.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                good.append((number, parse_line(line)))
            except MalformedLine as err:
                bad.append((number, err.reason))
    return good, bad


def test_real_log_only_line_8899_is_malformed_for_its_unterminated_agent(apache_logs):
    good, bad = apache_logs
    assert len(good) == 9999
    assert bad == [(8899, "unterminated user-agent field")]


def test_real_log_line_8899_alone_is_a_200_with_235_bytes():
    """The bad line is not guessed, although its first fields are fine."""
    if not DATA_FILE.is_file():
        pytest.skip(f"data file {DATA_FILE} is absent")
    line = DATA_FILE.read_text(encoding="utf-8").splitlines()[8898]
    assert line.startswith("46.118.127.106 ")
    assert ' 200 235 "-" "Mozilla/5.0 ' in line
    assert not line.endswith('"')
    assert "user-agent" in reason_of(line)


def test_real_log_status_counts(apache_logs):
    good, _ = apache_logs
    assert Counter(r.status for _, r in good) == {
        200: 9125,
        206: 45,
        301: 164,
        304: 445,
        403: 2,
        404: 213,
        416: 2,
        500: 3,
    }


def test_real_log_methods(apache_logs):
    good, _ = apache_logs
    # The data README counts GET 9,952 over all 10,000 lines; line 8899 is a GET.
    assert Counter(r.method for _, r in good) == {"GET": 9951, "HEAD": 42, "POST": 5, "OPTIONS": 1}


def test_real_log_sizes_without_body(apache_logs):
    good, _ = apache_logs
    with DATA_FILE.open(encoding="utf-8") as lines:
        dash_sizes = sum(1 for line in lines if re.search(r'" \d{3} - "', line))
    assert dash_sizes == 669  # the README's count; line 8899 has a size (235)
    assert sum(1 for _, r in good if r.size is None) == 669


def test_real_log_times_fall_within_the_four_days(apache_logs):
    good, _ = apache_logs
    start = calendar.timegm((2015, 5, 17, 0, 0, 0))
    end = calendar.timegm((2015, 5, 21, 0, 0, 0))
    assert all(start <= r.time < end for _, r in good)
    assert all(r.path and r.protocol in ("HTTP/1.0", "HTTP/1.1") for _, r in good)


# --- linear time ------------------------------------------------------------------------------

VALID_START = f'{PREFIX}"GET / HTTP/1.1" 200 5 '

# Each family builds a line of about n characters from a repeated unit. Most make the parser
# scan the whole line (and, when it fails, scan it again to say why); the last ones make the
# course's `\[(.+)\] "(.+)" (\d{3}|-) (\S+) "(.*)" "(.*)"\Z` backtrack through every split.
ADVERSARIAL_LINES = {
    "only-quotes": lambda n: '"' * n,
    "only-spaces-after-three-tokens": lambda n: "a b c " + " " * n + "x",
    "unclosed-timestamp-of-brackets-and-quotes": lambda n: "h - - [" + '[ "' * (n // 3),
    "bracket-pairs-after-timestamp": lambda n: "h - - [x" + "] [" * (n // 3) + '] "GET /" 200 5',
    "bracket-pairs-in-request": lambda n: PREFIX + '"GET /' + "] [" * (n // 3) + ' HTTP/1.1" 200 5',
    "unterminated-request-of-escaped-quotes": lambda n: PREFIX + '"GET /' + '\\" ' * (n // 3),
    "valid-prefix-then-spaces-and-quotes": lambda n: VALID_START + " " * (n // 2) + '"' * (n // 2),
    "valid-prefix-then-space-quote-pairs": lambda n: VALID_START + ' "' * (n // 2),
    "unterminated-referer-of-escaped-quotes": lambda n: VALID_START + '"' + ' \\"' * (n // 3),
    "unterminated-agent-of-escaped-quotes": lambda n: VALID_START + '"-" "' + '\\"' * (n // 2),
    "long-valid-agent": lambda n: VALID_START + '"-" "' + 'a\\"b\\\\ ' * (n // 8) + '"',
    # The course's pattern is O(n^2) on the next three, O(n^3) and O(n^4) on the last two.
    "closing-bracket-quote-pairs": lambda n: "a b c [" + '] "' * (n // 3),
    "request-end-candidates": lambda n: 'a b c [x] "' + '" 200 1 "' * (n // 10),
    "referer-agent-split-candidates": lambda n: VALID_START + '"' + '" "' * (n // 3) + "x",
    "request-referer-agent-candidates": lambda n: (
        'a b c [x] "GET /' + '" 200 - "" "' * (n // 14) + "x"
    ),
    "course-regex-killer": lambda n: "a b c [" + '] "" 200 1 "" "' * (n // 16) + "x",
}
SIZES = (2_000, 8_000, 32_000, 128_000)


def _attempt(line: str) -> None:
    with contextlib.suppress(MalformedLine):
        parse_line(line)


def seconds_per_char(parse, line: str, chars_per_repeat: int, repeats: int = 5) -> float:
    """Best-of-``repeats`` time per character, parsing about ``chars_per_repeat`` characters."""
    calls = max(1, chars_per_repeat // len(line))
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            parse(line)
        best = min(best, time.perf_counter() - start)
    return best / (calls * len(line))


@pytest.mark.parametrize("family", ADVERSARIAL_LINES)
def test_parse_time_per_character_does_not_grow_with_line_length(family):
    make = ADVERSARIAL_LINES[family]
    costs = {n: seconds_per_char(_attempt, make(n), chars_per_repeat=SIZES[-1]) for n in SIZES}
    ratio = costs[SIZES[-1]] / costs[SIZES[0]]
    detail = ", ".join(f"{n}: {c * 1e9:.2f} ns/char" for n, c in costs.items())
    assert ratio < 8, f"{family}: cost per character grew {ratio:.1f}x ({detail})"


def test_timing_method_detects_a_backtracking_regex():
    """Control: the same measurement flags the course's pattern on the killer family."""
    course = re.compile(r'^(\S+) (\S+) (\S+) \[(.+)\] "(.+)" (\d{3}|-) (\S+) "(.*)" "(.*)"\Z')
    make = ADVERSARIAL_LINES["course-regex-killer"]
    small, large = (
        seconds_per_char(course.match, make(n), chars_per_repeat=1_000, repeats=3)
        for n in (160, 480)
    )
    assert course.match(make(160)) is None
    assert large / small > 8


# --- command line -----------------------------------------------------------------------------


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_cli_prints_one_json_object_per_line(tmp_path, capsys):
    log = tmp_path / "access.log"
    bad = f'{PREFIX}"GET / HTTP/1.1" 200 1 "-" "Mozilla'
    common_crlf = f'{PREFIX}"HEAD /x HTTP/1.0" 304 -\r\n'
    log.write_bytes(f"{COMBINED}\n{bad}\n{common_crlf}".encode())

    assert main([str(log)]) == 0
    first, second, third = _json_lines(capsys.readouterr().out)

    assert first == {
        "host": "83.149.9.216",
        "ident": "-",
        "user": "-",
        "time": T_EPOCH,
        "method": "GET",
        "path": "/images/kibana-search.png",
        "protocol": "HTTP/1.1",
        "status": 200,
        "size": 203023,
        "referer": "http://semicomplete.com/presentations/",
        "agent": "Mozilla/5.0 (Macintosh) Chrome/32.0",
    }
    assert second == {"error": "unterminated user-agent field", "line": bad}
    assert (third["method"], third["status"], third["size"], third["agent"]) == (
        "HEAD",
        304,
        None,
        None,
    )


def test_cli_reports_an_impossible_date_and_goes_on(tmp_path, capsys):
    log = tmp_path / "access.log"
    year_zero = '1.2.3.4 - - [01/Jan/0000:00:00:00 +0000] "GET / HTTP/1.1" 200 1'
    log.write_text(f"{year_zero}\n{COMBINED}\n", encoding="utf-8")
    assert main([str(log)]) == 0
    error, record = _json_lines(capsys.readouterr().out)
    assert error == {"error": "bad timestamp [01/Jan/0000:00:00:00 +0000]", "line": year_zero}
    assert record["status"] == 200


def test_cli_reads_stdin_for_dash(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{COMBINED}\n\n"))
    assert main(["-"]) == 0
    records = _json_lines(capsys.readouterr().out)
    assert records[0]["path"] == "/images/kibana-search.png"
    assert records[1] == {"error": "empty line", "line": ""}


def test_cli_keeps_non_ascii_text_readable(tmp_path, capsys):
    log = tmp_path / "access.log"
    log.write_text(f'{PREFIX}"GET /café HTTP/1.1" 200 1 "-" "Navigateur été"\n', encoding="utf-8")
    main([str(log)])
    out = capsys.readouterr().out
    assert "Navigateur été" in out
    assert json.loads(out)["path"] == "/café"


def test_cli_without_a_file_prints_usage(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


# --- property: formatting then parsing gives the fields back -----------------------------------

TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-_"
PATH_CHARS = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\')
tokens = st.text(TOKEN_CHARS, min_size=1, max_size=40)
quoted_text = st.text(
    st.one_of(
        st.sampled_from('"\\ -/;()'),
        st.characters(blacklist_categories=("Cc", "Cs")),
    ),
    max_size=60,
)


@st.composite
def log_fields(draw):
    combined = draw(st.booleans())
    return {
        "host": draw(tokens),
        "ident": draw(st.one_of(st.just("-"), tokens)),
        "user": draw(st.one_of(st.just("-"), tokens)),
        "time": draw(st.integers(0, 4_102_444_800)),  # 1970 .. 2100
        "offset_minutes": draw(st.integers(-12 * 60, 14 * 60)),
        "method": draw(st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"])),
        "path": "/" + draw(st.text(PATH_CHARS, max_size=50)),
        "protocol": draw(st.sampled_from(["HTTP/1.0", "HTTP/1.1", "HTTP/2.0"])),
        "status": draw(st.one_of(st.none(), st.integers(100, 599))),
        "size": draw(st.one_of(st.none(), st.integers(0, 10**12))),
        "referer": draw(quoted_text) if combined else None,
        "agent": draw(quoted_text) if combined else None,
    }


def apache_time(epoch: int, offset_minutes: int) -> str:
    local = time.gmtime(epoch + offset_minutes * 60)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return (
        f"{local.tm_mday:02d}/{MONTHS[local.tm_mon - 1]}/{local.tm_year:04d}:"
        f"{local.tm_hour:02d}:{local.tm_min:02d}:{local.tm_sec:02d} {sign}{hours:02d}{minutes:02d}"
    )


def format_line(f: dict) -> str:
    def dash(value):
        return "-" if value is None else str(value)

    line = (
        f"{f['host']} {f['ident']} {f['user']} [{apache_time(f['time'], f['offset_minutes'])}] "
        f'"{f["method"]} {apache_escape(f["path"])} {f["protocol"]}" '
        f"{dash(f['status'])} {dash(f['size'])}"
    )
    if f["agent"] is not None:
        line += f' "{apache_escape(f["referer"])}" "{apache_escape(f["agent"])}"'
    return line


@given(log_fields())
def test_formatting_then_parsing_gives_the_fields_back(fields):
    record = parse_line(format_line(fields) + "\n")
    expected = {k: v for k, v in fields.items() if k != "offset_minutes"}
    assert {k: getattr(record, k) for k in expected} == expected


@given(quoted_text, quoted_text)
def test_escaped_referer_and_agent_round_trip_with_trailing_fields(referer, agent):
    line = f'{PREFIX}"GET / HTTP/1.1" 200 1 "{apache_escape(referer)}" "{apache_escape(agent)}"'
    record = parse_line(line + ' "10.0.0.1" 0.5\r\n')
    assert (record.referer, record.agent) == (referer, agent)


_FIELD_PIECES = ["a", "/x", "-", " ", "  ", '"', "\\", "\\\"", "[", "]", "\r", "\t", "é", "0",
                 "HTTP/1.1", "GET", "200", "\ufffd"]  # fmt: skip
_PLAIN = '10.0.0.{} - - [17/May/2015:10:05:{:02d} +0000] "GET /p{} HTTP/1.1" {} 5 "-" "ua"'


@given(
    st.lists(
        st.one_of(
            st.builds(
                _PLAIN.format,
                st.integers(0, 9),
                st.integers(0, 59),
                st.integers(0, 5),
                st.sampled_from(["200", "404", "-", "007", "2000"]),
            ),  # fmt: skip
            st.builds(
                lambda a, b: a + b,
                st.builds(_PLAIN.format, st.just(1), st.just(3), st.just(1), st.just("200")),
                st.lists(st.sampled_from(_FIELD_PIECES), max_size=4).map("".join),
            ),
            st.builds(  # a plain line with one of its space-separated words changed
                lambda i, piece: " ".join(
                    piece if j == i else w
                    for j, w in enumerate(_PLAIN.format(1, 3, 1, 200).split(" "))
                ),
                st.integers(0, 11),
                st.lists(st.sampled_from(_FIELD_PIECES), max_size=3).map("".join),
            ),
            st.lists(st.sampled_from(_FIELD_PIECES), max_size=12).map("".join),
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([None, {"url": 1, "status": 5, "host": 5}]),
)
@settings(max_examples=400)
def test_a_chunk_counts_the_same_in_one_pass_as_line_by_line(lines, slides):
    """The one-pass path of plain chunks gives what parsing each line gives, errors too;
    the spout's timestamps of a chunk are those of its lines one by one."""
    text = "\n".join(lines)
    assert list(event_times(text)) == [event_time(line) for line in lines]
    at = [0, "bytes", []]
    fast = count_chunk("a.log", text, at, [], slides=slides)
    slow = _count_line_by_line("a.log", text, at, [], slides, None)
    assert fast.counts == slow.counts and fast.errors == slow.errors

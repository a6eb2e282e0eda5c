"""Validates a provider calendar feed with an independent parser (icalendar).

Usage: check_ics_feed.py FEED.ics EXPECTED_EVENTS FORBIDDEN_TEXT...
Exits non-zero with a message when the feed is not what calendars can subscribe to.
"""

import sys
from datetime import timedelta

import icalendar


def main() -> None:
    path, expected, *forbidden = sys.argv[1:]
    raw = open(path, "rb").read()
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, f"unfolded line longer than 75 octets: {line!r}"
    text = raw.decode("utf-8")
    for f in forbidden:
        assert f not in text, f"the feed must not contain {f!r}"
    cal = icalendar.Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0"
    assert cal.get("PRODID")
    tzs = [c for c in cal.walk("VTIMEZONE")]
    assert [str(t["TZID"]) for t in tzs] == ["Asia/Tokyo"], "one VTIMEZONE Asia/Tokyo"
    events = cal.walk("VEVENT")
    assert len(events) == int(expected), f"{len(events)} events, expected {expected}"
    uids = set()
    for e in events:
        uid = str(e["UID"])
        assert uid not in uids, f"duplicate UID {uid}"
        uids.add(uid)
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert start.utcoffset() == timedelta(hours=9), "times in Japan time"
        assert end > start
        assert int(e["SEQUENCE"]) >= 0
        assert e.get("DTSTAMP") is not None
        assert str(e["STATUS"]) in ("CONFIRMED", "TENTATIVE")
        assert str(e["SUMMARY"])
    print("ok", len(events), "events")


if __name__ == "__main__":
    main()

"""Parses what the SMTP sink received, independently of the Rust code: Python's
email package for MIME and RFC 2047, icalendar for the .ics. Prints one JSON
object per message (a JSON list) for the Rust test to assert on."""

import datetime
import email
import email.policy
import json
import re
import sys
from pathlib import Path

import icalendar


def calendar_facts(part):
    raw = part.get_payload(decode=True)
    cal = icalendar.Calendar.from_ical(raw)
    events = [c for c in cal.walk("VEVENT")]
    tzs = [str(c.get("TZID")) for c in cal.walk("VTIMEZONE")]
    ev = events[0]
    start = ev.decoded("DTSTART")
    end = ev.decoded("DTEND")
    return {
        "content_type": part.get_content_type(),
        "method_param": part.get_param("method"),
        "method": str(cal.get("METHOD")),
        "version": str(cal.get("VERSION")),
        "timezones": tzs,
        "events": len(events),
        "uid": str(ev.get("UID")),
        "sequence": int(ev.get("SEQUENCE", 0)),
        "status": str(ev.get("STATUS")),
        "summary": str(ev.get("SUMMARY")),
        "dtstart_tzid": ev.get("DTSTART").params.get("TZID"),
        "dtstart_utc": start.astimezone(datetime.timezone.utc).isoformat(),
        "dtend_utc": end.astimezone(datetime.timezone.utc).isoformat(),
        "organizer": str(ev.get("ORGANIZER")),
        "attendee": str(ev.get("ATTENDEE")),
        "url": str(ev.get("URL")),
    }


def raw_subject_is_ascii(raw):
    """Non-ASCII subjects must travel RFC 2047 encoded."""
    m = re.search(rb"^Subject:(.*(?:\r?\n[ \t].*)*)", raw, re.M)
    return bool(m) and all(b < 128 for b in m.group(1))


def facts(path):
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    out = {
        "file": path.name,
        "message_id": msg["Message-ID"],
        "subject": str(msg["Subject"]),
        "raw_subject_ascii": raw_subject_is_ascii(path.read_bytes()),
        "from": str(msg["From"]),
        "to": str(msg["To"]),
        "to_addresses": [a.addr_spec for a in msg["To"].addresses],
        "to_names": [a.display_name for a in msg["To"].addresses],
        "date": str(msg["Date"]),
        "content_type": msg.get_content_type(),
        "text": None,
        "html": None,
        "calendar": None,
        "defects": [str(d) for d in msg.defects],
    }
    for part in msg.walk():
        ct = part.get_content_type()
        if ct == "text/plain" and out["text"] is None:
            out["text"] = part.get_content()
        elif ct == "text/html" and out["html"] is None:
            out["html"] = part.get_content()
        elif ct == "text/calendar":
            out["calendar"] = calendar_facts(part)
    return out


def main():
    d = Path(sys.argv[1])
    files = sorted(p for p in d.glob("*.eml"))
    print(json.dumps([facts(p) for p in files], ensure_ascii=False))


if __name__ == "__main__":
    main()

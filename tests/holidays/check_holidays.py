#!/usr/bin/env python3
"""Cross-checks Hagukumi's Japanese holiday table against an independent source.

The Rust table (domain/src/calendar/holidays.rs) is dumped as JSON by the
`dump_holidays` example; this script compares it, date by date and name by name,
with the PyPI package `holidays` (version pinned in requirements.txt), which is
maintained independently.

Usage, from the repository root:

    cargo run -q -p hagukumi-domain --example dump_holidays \
      | .venv/bin/python tests/holidays/check_holidays.py -

Exit status 0 when every difference is one of the KNOWN disagreements below, each
of which cites the law that decides it; 1 on any unexplained difference; 2 on bad
input. Sources disagree (jpholiday, for example, marks 4 May as 国民の休日 before
the 1985 amendment and has a substitute holiday in February 1973): the law decides.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import holidays

# Dates the reference lacks or adds, with the reason the law gives us.
# date -> (ours, reference's, why)  where ours/reference's is a name or None.
KNOWN_DATE_DISAGREEMENTS: dict[dt.date, tuple[str | None, str | None, str]] = {
    dt.date(1948, 9, 23): (
        "秋分の日",
        None,
        "国民の祝日に関する法律 (昭和23年法律第178号) took effect on 1948-07-20 (附則); "
        "the reference starts in 1949",
    ),
    dt.date(1948, 11, 3): ("文化の日", None, "same: the Act applies from 1948-07-20"),
    dt.date(1948, 11, 23): ("勤労感謝の日", None, "same: the Act applies from 1948-07-20"),
}

# Names that differ only in wording; ours is the title of the special law that made
# the day a 休日, the reference uses a short form.
KNOWN_NAME_DIFFERENCES: dict[dt.date, tuple[str, str, str]] = {
    dt.date(1959, 4, 10): (
        "皇太子明仁親王の結婚の儀",
        "結婚の儀",
        "皇太子明仁親王の結婚の儀の行われる日を休日とする法律 (昭和34年法律第16号)",
    ),
    dt.date(1989, 2, 24): (
        "昭和天皇の大喪の礼",
        "大喪の礼",
        "昭和天皇の大喪の礼の行われる日を休日とする法律 (平成元年法律第4号)",
    ),
    dt.date(1993, 6, 9): (
        "皇太子徳仁親王の結婚の儀",
        "結婚の儀",
        "皇太子徳仁親王の結婚の儀の行われる日を休日とする法律 (平成5年法律第32号)",
    ),
    dt.date(2019, 10, 22): (
        "即位礼正殿の儀",
        "即位礼正殿の儀が行われる日",
        "天皇の即位の日及び即位礼正殿の儀の行われる日を休日とする法律 (平成30年法律第99号)",
    ),
}

# Facts fixed by law that other sources have got wrong; checked on our table alone so
# that a regression is caught even if the reference made the same mistake.
LAW_PINNED: dict[dt.date, str | None] = {
    # Substitute holidays exist only from 1973-04-12 (昭和48年法律第10号): the Sunday
    # 建国記念の日 of 1973-02-11 had none. The first one is 1973-04-30.
    dt.date(1973, 2, 12): None,
    dt.date(1973, 4, 30): "振替休日",
    # 国民の休日 exists only from 1985-12-27 (昭和60年法律第103号).
    dt.date(1985, 5, 4): None,
    dt.date(1984, 5, 4): None,
    dt.date(1988, 5, 4): "国民の休日",
    # The 1985 text excluded Sundays: 1986-05-04 was a plain Sunday.
    dt.date(1986, 5, 4): None,
    dt.date(2019, 4, 30): "国民の休日",
    dt.date(2019, 5, 2): "国民の休日",
    dt.date(2021, 8, 9): "振替休日",
    dt.date(2026, 9, 22): "国民の休日",
}


def load_ours(path: str) -> dict[dt.date, str]:
    raw = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
    rows = json.loads(raw)
    ours: dict[dt.date, str] = {}
    for row in rows:
        day = dt.date.fromisoformat(row["date"])
        if day in ours:
            raise ValueError(f"duplicate date {day}")
        ours[day] = row["name"]
    dates = [dt.date.fromisoformat(r["date"]) for r in rows]
    if dates != sorted(dates):
        raise ValueError("dump is not sorted by date")
    return ours


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        ours = load_ours(argv[1])
    except (OSError, ValueError, KeyError) as e:
        print(f"cannot read the dump: {e}", file=sys.stderr)
        return 2
    if not ours:
        print("the dump is empty", file=sys.stderr)
        return 2

    first_year = min(ours).year
    last_year = max(ours).year
    ref_cal = holidays.country_holidays(
        "JP", years=range(first_year, last_year + 1), language="ja"
    )
    reference = {day: name for day, name in ref_cal.items()}

    problems: list[str] = []
    explained = 0
    for day in sorted(set(ours) | set(reference)):
        mine, theirs = ours.get(day), reference.get(day)
        if mine == theirs:
            continue
        known = KNOWN_DATE_DISAGREEMENTS.get(day)
        if known and known[0] == mine and known[1] == theirs:
            explained += 1
            continue
        named = KNOWN_NAME_DIFFERENCES.get(day)
        if named and named[0] == mine and named[1] == theirs:
            explained += 1
            continue
        problems.append(f"{day} ({day.strftime('%a')}): ours={mine!r} reference={theirs!r}")

    for day, want in LAW_PINNED.items():
        if ours.get(day) != want:
            problems.append(f"{day}: law says {want!r}, ours={ours.get(day)!r}")

    stale = [
        str(day)
        for day, (mine, theirs, _) in {**KNOWN_DATE_DISAGREEMENTS, **KNOWN_NAME_DIFFERENCES}.items()
        if (ours.get(day), reference.get(day)) != (mine, theirs)
    ]
    if stale:
        print(f"note: known disagreements no longer seen: {', '.join(stale)}")

    print(
        f"holidays {first_year}-{last_year}: {len(ours)} ours, {len(reference)} reference "
        f"(holidays {holidays.__version__}), {explained} known disagreements"
    )
    if problems:
        print(f"{len(problems)} unexplained difference(s):")
        for p in problems:
            print("  " + p)
        return 1
    print("holiday cross-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

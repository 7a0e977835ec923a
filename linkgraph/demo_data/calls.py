"""Call detail records (UTF-16): bursts of calls before each network seizure, the network's everyday traffic,
and unrelated subscribers calling among themselves and a few network members' families."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from linkgraph.demo_data.formats import csv_text
from linkgraph.demo_data.world import World

HEADERS = ["Calling number", "Called number", "Call start", "Duration (s)", "Call type", "Cell ID", "Site name"]
START = date(2023, 1, 1)


class _Log:
    def __init__(self, w: World):
        self.rng = w.rng
        self.phones = {pid: p.phones for pid, p in w.people.items() if p.phones}
        self.calls: list[tuple[datetime, str, str, int, str]] = []

    def call(self, a: str, b: str, when: datetime, kind: str = "voice") -> None:
        rng = self.rng
        pa, pb = rng.choice(self.phones[a]), rng.choice(self.phones[b])
        dur = 0 if kind == "sms" else int(rng.lognormvariate(4.3, 0.8))
        self.calls.append((when, pa, pb, dur, kind))

    def at(self, day: date, hour_lo=6, hour_hi=23) -> datetime:
        rng = self.rng
        return datetime(
            day.year, day.month, day.day, rng.randrange(hour_lo, hour_hi), rng.randrange(60), rng.randrange(60)
        )

    def any_day(self) -> datetime:
        return self.at(START + timedelta(days=self.rng.randrange(0, 650)))


def cdr(w: World, path: Path) -> None:
    log = _Log(w)
    _bursts(w, log)
    _everyday(w, log)
    _unrelated(w, log)
    log.calls.sort()
    _write(w, log.calls, path)


def _bursts(w: World, log: _Log) -> None:
    """Before each network seizure the brokers talk to the buyer side and the supplier side."""
    rng, f = w.rng, w.facts["calls"]
    east, west, couriers, pairs = f["east"], f["west"], f["couriers"], f["local"] + f["asia_local"]
    for when, pids in sorted(w.seizure_dates):
        broker = "P03" if any(p in east or p in ("P03",) for p in pids) else "P02"
        suppliers = [p for p in pids if p in east or p in west or p in couriers] or [
            rng.choice(east if broker == "P03" else west)
        ]
        for _ in range(rng.randint(6, 10)):
            day = when - timedelta(days=rng.randint(1, 9))
            r = rng.random()
            if r < 0.35:
                a, b = broker, rng.choice(f["buyer_side"])
            elif r < 0.75:
                a, b = broker, rng.choice(suppliers)
            elif r < 0.85:
                a, b = "P02", "P03"
            else:
                a, b = rng.choice(pairs)
            if rng.random() < 0.5:
                a, b = b, a
            log.call(a, b, log.at(day), "sms" if rng.random() < 0.2 else "voice")


def _everyday(w: World, log: _Log) -> None:
    rng, f = w.rng, w.facts["calls"]
    for _ in range(110):
        day = START + timedelta(days=rng.randrange(0, 650))
        r = rng.random()
        if r < 0.3:
            a, b = rng.choice(f["local"])
        elif r < 0.5:
            a, b = rng.choice(f["asia_local"])
        elif r < 0.7:
            a, b = "P03", rng.choice(f["east"] + f["east_buyers"])
        elif r < 0.9:
            a, b = "P02", rng.choice(f["west"] + f["west_buyers"] + f["couriers"])
        else:
            a, b = "P02", "P03"
        if rng.random() < 0.5:
            a, b = b, a
        log.call(a, b, log.at(day), "sms" if rng.random() < 0.25 else "voice")


def _unrelated(w: World, log: _Log) -> None:
    """Unrelated subscribers: small circles of their own, and family calls to a few network members."""
    rng, f = w.rng, w.facts["calls"]
    for nat in ("KE", "TZ", "NG", "UG"):
        circle = w.unrelated[nat]
        for _ in range(22):
            a, b = rng.sample(circle, 2)
            log.call(a, b, log.any_day())
    for calls, pairs in ((4, f["family_calls"]), (5, f["namesake_calls"])):
        for pid, other in pairs:
            for _ in range(calls):
                log.call(pid, rng.choice(w.unrelated[other]), log.any_day())


def _write(w: World, calls: list[tuple], path: Path) -> None:
    rng, cells = w.rng, w.facts["calls"]["cells"]

    def fmt(n: str) -> str:
        if n.startswith("+254"):
            return rng.choice([n[1:], n[1:], "0" + n[4:], n])  # operator style, national, E.164
        return n

    out = [HEADERS]
    for when, a, b, dur, kind in calls:
        cell, site = rng.choice(cells) if a.startswith("+254") else ("", "")
        out.append([fmt(a), fmt(b), when.strftime("%Y-%m-%d %H:%M:%S"), str(dur), kind, cell, site])
    path.write_text(csv_text(out), encoding="utf-16", newline="")

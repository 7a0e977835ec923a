"""Resolution settings: shipped defaults (settings.yaml) merged with the caller's overrides."""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path

import yaml

from .blocking import KEYS
from .comparisons import validate_comparison

__all__ = ["load_settings", "default_settings", "KINDS"]

KINDS = ("person", "organisation")
_DEFAULT_PATH = Path(__file__).with_name("settings.yaml")


@lru_cache(maxsize=1)
def _defaults_text() -> str:
    return _DEFAULT_PATH.read_text(encoding="utf-8")


def default_settings() -> dict:
    """A fresh copy of the shipped defaults."""
    return yaml.safe_load(_defaults_text())


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_settings(settings=None) -> dict:
    """Defaults, overridden by a dict or the path of a YAML file (dicts merge, lists replace)."""
    base = default_settings()
    if settings is None:
        s = base
    else:
        if isinstance(settings, (str, os.PathLike)):
            with open(settings, encoding="utf-8") as fh:
                settings = yaml.safe_load(fh) or {}
        if not isinstance(settings, dict):
            raise ValueError("settings must be a dict, a YAML path or None")
        s = _merge(base, settings)
    _validate(s)
    return s


def _validate(s: dict) -> None:
    if s.get("link_type", "dedupe_and_link") not in ("dedupe_and_link", "link_only"):
        raise ValueError("link_type must be 'dedupe_and_link' or 'link_only'")
    th = s["thresholds"]
    if not 0 < float(th["review"]) <= float(th["merge"]) < 1:
        raise ValueError("thresholds: need 0 < review <= merge < 1")
    prior = (s.get("training") or {}).get("prior")
    if prior is not None:
        per_kind = prior if isinstance(prior, dict) else {k: prior for k in KINDS}
        for k, v in per_kind.items():
            if k not in KINDS or v is None or not 0 < float(v) < 1:
                raise ValueError(f"training.prior: need a probability, or one per kind ({', '.join(KINDS)})")
    for kind in KINDS:
        for rule in s["blocking"].get(kind, []):
            keys = rule["keys"] if isinstance(rule, dict) else rule
            for k in keys:
                if k not in KEYS:
                    raise ValueError(f"blocking rule {rule}: unknown key {k!r}; known: {', '.join(sorted(KEYS))}")
        names = set()
        for c in s["comparisons"].get(kind, []):
            validate_comparison(c)
            if c["name"] in names:
                raise ValueError(f"duplicate comparison name {c['name']!r}")
            names.add(c["name"])
        ov = ((s.get("gates") or {}).get(kind) or {}).get("name_part_override") or []
        levels = {c["name"]: {lv["name"] for lv in c["levels"]} for c in s["comparisons"].get(kind, [])}
        if not isinstance(ov, list) or not all(isinstance(e, dict) and e for e in ov):
            raise ValueError(f"gates.{kind}.name_part_override: need a list of {{comparison: [levels]}} entries")
        for e in ov:
            for cname, wanted in e.items():
                if cname not in levels or not isinstance(wanted, list) or not set(wanted) <= levels[cname]:
                    raise ValueError(
                        f"gates.{kind}.name_part_override: {cname}: {wanted!r} is not a list of that comparison's levels"
                    )

"""Entity resolution: records -> entities, with scored, explained pairs and a review queue.

Pipeline per record kind (persons, organisations): normalise fields -> blocking (candidate pairs) ->
comparison levels -> Fellegi-Sunter weights (u from random pairs, m by EM, prior by EM) -> hard vetoes,
strong identifiers and the name gate -> three outcomes per pair (merge / review / no-merge) ->
constrained clustering honouring reviewer decisions and existing entities -> entity ids.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .adapters import is_missing
from .blocking import candidate_pairs, key_values
from .cluster import ConstrainedClusterer
from .comparisons import compute_levels
from .features import Features, prepare, sorted_unique
from .model import Model, conditional_u, default_m, default_u, estimate_m, estimate_prior, estimate_u
from .settings import KINDS, load_settings

__all__ = ["resolve", "Resolution"]

OUTCOMES = ("no-merge", "review", "merge")
_KIND_ALIASES = {
    "person": "person",
    "people": "person",
    "individual": "person",
    "human": "person",
    "suspect": "person",
    "organisation": "organisation",
    "organization": "organisation",
    "org": "organisation",
    "company": "organisation",
    "business": "organisation",
    "firm": "organisation",
    "entity": "organisation",
    "corporation": "organisation",
}
_DECISION_ALIASES = {
    "match": "match",
    "same": "match",
    "merge": "match",
    "yes": "match",
    "no-match": "no-match",
    "no_match": "no-match",
    "nomatch": "no-match",
    "non-match": "no-match",
    "not-match": "no-match",
    "distinct": "no-match",
    "different": "no-match",
    "no": "no-match",
    "unmerge": "unmerge",
    "split": "unmerge",
    "detach": "unmerge",
}


def _kind_of(v) -> str:
    if is_missing(v):
        return "person"
    k = _KIND_ALIASES.get(str(v).strip().lower())
    if k is None:
        raise ValueError(f"unknown record kind {v!r}: use 'person' or 'organisation'")
    return k


# --------------------------------------------------------------------------- per-kind state


@dataclass
class _Part:
    kind: str
    f: Features
    comps: list
    model: Model
    ia: np.ndarray
    ib: np.ndarray
    levels: np.ndarray
    tfs: dict
    W: np.ndarray
    P: np.ndarray
    outcome: np.ndarray  # int8 index into OUTCOMES
    veto: np.ndarray  # object: "" or reason
    reason: np.ndarray  # object
    decided: np.ndarray  # object: "" / "match" / "no-match"
    extra: np.ndarray  # bool: scored after clustering (not a blocking candidate)
    labels: np.ndarray | None = None
    entity_ids: np.ndarray | None = None
    refused: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    _tf_cache: dict = field(default_factory=dict)


def _namesakes(f: Features, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Per pair: how many records carry a name sounding like either side's (its name block), at least 1."""
    c = f._cache.get("namesake_count")
    if c is None:
        c = np.ones(f.n, np.float64)
        if f.kind == "person":
            rows, keys = key_values(f, "name_phonetic_pair")
            if len(rows):
                codes = pd.factorize(pd.Series(keys, dtype=object))[0]
                c[rows] = np.bincount(codes)[codes]
        f._cache["namesake_count"] = c
    return np.maximum(c[ia], c[ib])


def _flags(
    kind: str, comps: list, levels: np.ndarray, contrib: np.ndarray, settings: dict, namesakes: np.ndarray | None = None
):
    """-> (veto reason per pair, strong-identifier mask, name-gate-ok mask, names-disagree mask, corroboration)."""
    n = len(levels)
    veto = np.full(n, "", dtype=object)
    strong = np.zeros(n, bool)
    names = [c["name"] for c in comps]
    for name, bad in (settings.get("vetoes") or {}).items():
        if name not in names:
            continue
        j = names.index(name)
        lvnames = [lv["name"] for lv in comps[j]["levels"]]
        for b in bad or []:
            if b in lvnames:
                k = lvnames.index(b)
                sel = levels[:, j] == k
                if sel.any():
                    veto[sel] = np.where(veto[sel] == "", f"{name}: {b}", veto[sel] + f"; {name}: {b}")
    for j, c in enumerate(comps):
        lvnames = [lv["name"] for lv in c["levels"]]
        for s in c.get("strong") or []:
            if s in lvnames:
                strong |= levels[:, j] == lvnames.index(s)
    gate = (settings.get("gates") or {}).get(kind) or {}
    gnames = [g for g in gate.get("name_comparisons", []) if g in names]
    corr = np.full(n, np.inf)
    if gnames:
        idx = [names.index(g) for g in gnames]
        nw = contrib[:, idx].sum(1)
        present = (levels[:, idx] >= 0).any(1)
        gate_ok = present & (nw >= float(gate.get("min_name_weight", 0.0)))
        # corroboration: the other comparisons together must add evidence too (a name alone, however
        # well it agrees, never merges: namesakes are common)
        other = [j for j in range(len(names)) if j not in idx]
        corr = contrib[:, other].sum(1) if other else np.zeros(n)
        mc = gate.get("min_corroboration")
        if mc is not None:
            need = np.full(n, float(mc))
            if gate.get("corroboration_per_namesake", False) and namesakes is not None:
                # among k namesakes, evidence of b bits is met by chance about k / 2**b times: the rest
                # of the evidence must beat the name's own crowd, not only a fixed bar
                need = np.maximum(need, np.log2(np.maximum(namesakes, 1.0)) + 1.0)
            gate_ok &= corr >= need
        # both name parts present and every one at its last ("else") level
        last = np.ones(n, bool)
        for j in idx:
            last &= levels[:, j] == len(comps[j]["levels"]) - 1
        disagree = last & present
        gate_ok &= ~name_part_conflict(kind, comps, levels, settings)
    else:
        gate_ok = np.ones(n, bool)
        disagree = np.zeros(n, bool)
    return veto, strong, gate_ok, disagree, corr


def name_part_conflict(kind: str, comps: list, levels: np.ndarray, settings: dict) -> np.ndarray:
    """Per pair: a name part given on both sides agrees in nothing (its last level, "else": not exact, not a
    transliteration, not an initial of the other, not the other's name in swapped order, no shared token), and
    no independent strong evidence stands against it.

    An exact family name (+5 bits) would otherwise cancel a wholly different given name (-5 bits), and a shared
    birth month then merged brothers. Strong evidence is a strong identifier (a shared passport or national ID)
    or one entry of ``gates.<kind>.name_part_override`` met in full: every comparison of the entry at one of its
    listed levels (shipped: the same phone and the same address). Such pairs never merge, neither directly nor
    through a chain; a reviewer's "match" still joins them.
    """
    n = len(levels)
    gate = (settings.get("gates") or {}).get(kind) or {}
    names = [c["name"] for c in comps]
    if not gate.get("every_name_part", False):
        return np.zeros(n, bool)
    idx = [names.index(g) for g in gate.get("name_comparisons", []) if g in names]
    bad = np.zeros(n, bool)
    for j in idx:
        bad |= levels[:, j] == len(comps[j]["levels"]) - 1
    if not bad.any():
        return bad
    for j, c in enumerate(comps):
        lvnames = [lv["name"] for lv in c["levels"]]
        for s in c.get("strong") or []:
            if s in lvnames:
                bad &= levels[:, j] != lvnames.index(s)
    for entry in gate.get("name_part_override") or []:
        met = np.ones(n, bool)
        for cname, wanted in entry.items():
            if cname not in names:
                met[:] = False
                break
            j = names.index(cname)
            lvnames = [lv["name"] for lv in comps[j]["levels"]]
            met &= np.isin(levels[:, j], [lvnames.index(w) for w in wanted if w in lvnames])
        bad &= ~met
    return bad


def _outcomes(P, veto, strong, gate_ok, disagree, th, corr=None, part_conflict=None):
    n = len(P)
    out = np.zeros(n, np.int8)
    reason = np.full(n, "", dtype=object)
    merge_p, review_p = float(th["merge"]), float(th["review"])
    vet = veto != ""
    m = (P >= merge_p) & gate_ok & ~vet
    out[m] = 2
    # review needs something besides the name: a common name alone is no lead an analyst can check
    name_only = np.zeros(n, bool) if corr is None else (corr <= 0)
    r = (P >= review_p) & ~m & ~vet & ~name_only
    out[r] = 1
    reason[(P >= merge_p) & ~gate_ok & ~vet] = (
        "score above merge threshold but names disagree or too little else agrees"
    )
    if part_conflict is not None:
        reason[(P >= merge_p) & part_conflict & ~vet] = (
            "score above merge threshold but a name part agrees in nothing, with no passport, ID or phone and address"
        )
    reason[(P >= review_p) & ~m & ~vet & name_only] = "only the name agrees"
    # strong identifiers merge unless vetoed or the names disagree entirely
    s = strong & ~vet
    out[s & ~disagree] = 2
    out[s & disagree] = 1
    reason[s & ~disagree] = "strong identifier match"
    reason[s & disagree] = "strong identifier match but names disagree"
    # vetoed pairs: review when the rest of the evidence is strong, else no-merge
    vr = vet & ((P >= merge_p) | strong)
    out[vr] = 1
    reason[vr] = "strong evidence but hard veto: " + veto[vr]
    reason[vet & ~vr] = "hard veto: " + veto[vet & ~vr]
    return out, reason


def _entity_id(prefix: str, record_id: str) -> str:
    return prefix + hashlib.sha1(record_id.encode("utf-8")).hexdigest()[:12]


# --------------------------------------------------------------------------- decisions


def _norm_decisions(decisions) -> list[dict]:
    if decisions is None:
        return []
    if isinstance(decisions, pd.DataFrame):
        rows = decisions.to_dict("records")
    elif isinstance(decisions, dict):
        rows = [decisions]
    else:
        rows = list(decisions)
    out = []
    for r in rows:
        d = _DECISION_ALIASES.get(str(r.get("decision", "")).strip().lower())
        if d is None:
            raise ValueError(f"unknown decision {r.get('decision')!r}: use match, no-match or unmerge")
        item = {"decision": d}
        if d == "unmerge":
            rid = r.get("record_id", r.get("record_a"))
            if is_missing(rid):
                raise ValueError("an unmerge decision needs record_id")
            item["record_id"] = str(rid)
            ent = r.get("entity_id")
            item["entity_id"] = None if is_missing(ent) else str(ent)
            others = r.get("others")
            if isinstance(others, str):
                others = json.loads(others) if others.strip().startswith("[") else [o for o in others.split(";") if o]
            item["others"] = (
                None
                if others is None or (isinstance(others, float) and math.isnan(others))
                else [str(o) for o in others]
            )
        else:
            a, b = r.get("record_a"), r.get("record_b")
            if is_missing(a) or is_missing(b):
                raise ValueError(f"a {d} decision needs record_a and record_b")
            item["record_a"], item["record_b"] = str(a), str(b)
        out.append(item)
    return out


# --------------------------------------------------------------------------- the engine


def _resolve_kind(kind: str, df: pd.DataFrame, settings: dict, decisions: list[dict], rng) -> _Part:
    t0 = time.perf_counter()
    stats: dict = {"records": int(len(df))}
    f = prepare(df, kind)
    stats["t_prepare"] = time.perf_counter() - t0
    fields_for = {
        "name_part": "name",
        "org_name": "name",
        "date": "birth_date",
    }
    comps = []
    for c in settings["comparisons"].get(kind, []):
        fld = fields_for.get(c["type"], c.get("field"))
        if f.present.get(fld, False):
            comps.append(c)
    stats["comparisons"] = [c["name"] for c in comps]
    link_only = settings.get("link_type") == "link_only"
    incremental = bool((~f.is_new).any())
    stats["incremental"] = incremental
    rules = settings["blocking"].get(kind, [])
    t1 = time.perf_counter()
    ia, ib = candidate_pairs(
        f,
        rules,
        int(settings["blocking"].get("max_block_size", 100)),
        link_only=link_only,
        new_only=incremental,
        stats=stats,
    )
    # decision pairs are always scored
    idx_of = {r: i for i, r in enumerate(f.record_id)}
    dec_pairs = {}
    for d in decisions:
        if d["decision"] in ("match", "no-match"):
            i, j = idx_of.get(d["record_a"]), idx_of.get(d["record_b"])
            if i is None or j is None or i == j:
                continue
            dec_pairs[(min(i, j), max(i, j))] = d["decision"]
    if dec_pairs:
        extra = np.array(list(dec_pairs), dtype=np.int64)
        codes = sorted_unique(np.concatenate([(ia << 32) | ib, (extra[:, 0] << 32) | extra[:, 1]]))
        ia, ib = codes >> 32, codes & 0xFFFFFFFF
    stats["t_blocking"] = time.perf_counter() - t1

    # ---- model
    t2 = time.perf_counter()
    tr = settings.get("training", {})
    levels, tfs = compute_levels(f, ia, ib, comps)
    stats["t_compare"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    need_u = any(c.get("train_u", c.get("train", True)) for c in comps)
    if need_u and f.n >= 2:
        u, uinfo = estimate_u(
            f, comps, int(tr.get("u_sample_pairs", 300000)), rng, link_only, u_floor=float(tr.get("u_floor", 1e-5))
        )
    else:
        u, uinfo = [default_u(c) for c in comps], {}
    sessions = (tr.get("sessions") or {}).get(kind, [])
    if any(c.get("train", True) for c in comps) and len(ia) > 0:
        m, minfo = estimate_m(f, comps, u, ia, ib, levels, sessions, tr, rng)
    else:
        m, minfo = [default_m(c) for c in comps], {}
    if minfo.get("u_given_name_agrees") and tr.get("conditional_u", True):
        u = conditional_u(u, minfo.pop("u_given_name_agrees"), comps)
        minfo["conditional_u"] = True
    else:
        minfo.pop("u_given_name_agrees", None)
    model = Model(comparisons=comps, m=m, u=u, n_records=f.n, info={"u": uinfo, "m": minfo})
    contrib = model.contributions(levels, tfs)
    raw = contrib.sum(1, dtype=np.float64)
    fixed_prior = tr.get("prior")
    if isinstance(fixed_prior, dict):  # one prior per record kind (trained_settings)
        fixed_prior = fixed_prior.get(kind)
    model.prior = (
        float(fixed_prior) if fixed_prior is not None else estimate_prior(raw, int(tr.get("prior_max_iterations", 30)))
    )
    W = raw + model.prior_weight()
    P = 1.0 / (1.0 + np.exp2(-np.clip(W, -200, 200)))
    stats["t_train"] = time.perf_counter() - t3
    stats["prior"] = model.prior

    veto, strong, gate_ok, disagree, corr = _flags(kind, comps, levels, contrib, settings, _namesakes(f, ia, ib))
    conflict = name_part_conflict(kind, comps, levels, settings)
    outcome, reason = _outcomes(P, veto, strong, gate_ok, disagree, settings["thresholds"], corr, conflict)
    decided = np.full(len(ia), "", dtype=object)
    if dec_pairs:
        pc = (ia << 32) | ib
        for (i, j), d in dec_pairs.items():
            k = int(np.searchsorted(pc, (i << 32) | j))
            decided[k] = d
            if d == "match":
                if veto[k]:
                    outcome[k], reason[k] = 1, "reviewer match conflicts with hard evidence: " + veto[k]
                else:
                    outcome[k], reason[k] = 2, "reviewer decision: match"
            else:
                outcome[k], reason[k] = 0, "reviewer decision: no-match"
    part = _Part(
        kind=kind,
        f=f,
        comps=comps,
        model=model,
        ia=ia,
        ib=ib,
        levels=levels,
        tfs=tfs,
        W=W,
        P=P,
        outcome=outcome,
        veto=veto,
        reason=reason,
        decided=decided,
        extra=np.zeros(len(ia), bool),
        stats=stats,
    )
    t4 = time.perf_counter()
    _cluster(part, settings, decisions, strong)
    stats["t_cluster"] = time.perf_counter() - t4
    stats["t_total"] = time.perf_counter() - t0
    return part


def _cluster(part: _Part, settings: dict, decisions: list[dict], strong) -> None:
    f = part.f
    cl_set = settings.get("clustering", {})
    min_mean = cl_set.get("min_mean_weight", 0.0)
    min_mean = None if min_mean is None else float(min_mean)
    max_passes = int(cl_set.get("max_passes", 3))
    merge_existing = bool(settings.get("incremental", {}).get("merge_existing_entities", False))
    idx_of = {r: i for i, r in enumerate(f.record_id)}

    # existing entities -> frozen labels
    ent = f.entity_id
    ent_labels = pd.factorize(pd.Series([e if e is not None else None for e in ent], dtype=object))[0]
    frozen = np.where(ent_labels >= 0, ent_labels, -1).astype(np.int64)

    # unmerge decisions: detach the record from its existing entity
    unmerges = []
    for d in decisions:
        if d["decision"] != "unmerge":
            continue
        r = idx_of.get(d["record_id"])
        if r is None:
            continue
        others = d.get("others")
        if others is None and ent[r] is not None and (d.get("entity_id") in (None, ent[r])):
            others = [f.record_id[k] for k in np.flatnonzero(frozen == frozen[r]) if k != r]
        if ent[r] is not None:
            frozen[r] = -1
        unmerges.append((r, None if others is None else [idx_of[o] for o in others if o in idx_of]))

    part.extra_pairs_scored = 0
    for npass in range(max_passes):
        codes = (part.ia << 32) | part.ib  # sorted (the part keeps its pairs in code order)
        vet = part.veto != ""
        # a name part that agrees in nothing is no more joined through a chain than directly
        conflict = name_part_conflict(part.kind, part.comps, part.levels, settings) & (part.decided != "match")
        forbidden = vet | (part.decided == "no-match") | conflict
        C = ConstrainedClusterer(f.n, codes, np.clip(part.W, -40, 40), forbidden, None if merge_existing else frozen)
        # existing memberships
        if (frozen >= 0).any():
            order = np.argsort(frozen, kind="stable")
            for a, b in zip(order[:-1].tolist(), order[1:].tolist()):
                if frozen[a] >= 0 and frozen[a] == frozen[b]:
                    C.force(a, b)
        for r, others in unmerges:
            for o in others or []:
                if o != r:
                    C.add_cannot(r, o)
        # reviewer matches first (they skip the coherence test), then merges strongest first
        for k in np.flatnonzero((part.decided == "match") & ~vet).tolist():
            C.try_merge(int(part.ia[k]), int(part.ib[k]), float(part.W[k]), None, "reviewer match")
        merge_mask = part.outcome == 2
        cand = np.flatnonzero(merge_mask & (part.decided != "match"))
        prio = part.W[cand] + np.where(strong[cand], 1000.0, 0.0)
        cand = cand[np.argsort(-prio, kind="stable")]
        for i, j, w in zip(part.ia[cand].tolist(), part.ib[cand].tolist(), part.W[cand].tolist()):
            C.try_merge(i, j, w, min_mean)
        name_only = _attach_name_only(part, C, settings, min_mean)
        labels = C.labels()
        # unmerge without an explicit list: separate from this run's cluster mates, then redo
        redo = False
        for t, (r, others) in enumerate(unmerges):
            if others is None:
                mates = [int(x) for x in np.flatnonzero(labels == labels[r]) if x != r]
                unmerges[t] = (r, mates)
                redo = redo or bool(mates)
        # pairs inside clusters that were never compared: score them and redo
        holder: dict = {}
        added = _score_unscored(part, settings, labels, holder) if npass < max_passes - 1 else 0
        part.extra_pairs_scored += added
        if not redo and added == 0:
            break
        if added:
            strong = holder["strong"]
    _mark_name_only(part, labels, name_only)
    part.labels = labels
    part.refused = C.refused
    part.stats["refused_merges"] = len(C.refused)
    part.stats["pairs_scored_after_clustering"] = part.extra_pairs_scored

    # entity ids
    prefix = settings.get("entity_id_prefix", "ent_")
    eids = np.empty(f.n, dtype=object)
    order = np.argsort(labels, kind="stable")
    lab = labels[order]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    ends = np.r_[starts[1:], len(lab)]
    used = set(e for e in ent if e is not None)
    for s, e in zip(starts, ends):
        members = order[s:e]
        existing = [ent[k] for k in members if ent[k] is not None and frozen[k] >= 0]
        if existing:
            vc = pd.Series(existing).value_counts()
            top = vc[vc == vc.max()].index
            eid = sorted(top)[0]
        else:
            eid = _entity_id(prefix, min(f.record_id[k] for k in members))
            while eid in used and not any(ent[k] == eid for k in members):
                eid = eid + "x"
        eids[members] = eid
    part.entity_ids = eids


def _thin(f: Features) -> np.ndarray:
    """Person records known by name alone: no birth date, phone, passport or ID number (a name in an
    association list or a report)."""
    c = f._cache.get("thin")
    if c is None:
        c = f._cache["thin"] = (f.dprec == 0) & np.array(
            [not (ph or pp or ids) for ph, pp, ids in zip(f.phones, f.passports, f.ids)], dtype=bool
        )
    return c


def _full_name_sound(f: Features) -> np.ndarray:
    """Per record: a code of the sounds of all its name tokens, in any order (-1 under two tokens), so
    transliterations and word orders of one full name share a code."""
    c = f._cache.get("full_name_sound")
    if c is None:
        keys = [tuple(sorted(int(f.tok_phon[t]) for t in cs)) if len(cs) >= 2 else None for cs in f.core_sets]
        codes = pd.factorize(pd.Series(keys, dtype=object))[0]
        c = f._cache["full_name_sound"] = np.asarray(codes, dtype=np.int64)
    return c


def _attach_name_only(part: _Part, C: ConstrainedClusterer, settings: dict, min_mean) -> dict:
    """Join name-only records to the one entity that unambiguously carries their name.

    A record known by name alone never passes the corroboration gate.  It joins an entity only when
    (a) exactly one entity holding an identified record (birth date, phone, passport or ID) has a name
    that agrees with it at all, (b) that entity matches on both name parts at the exact or phonetic
    (transliteration) level with a merge-grade probability and nothing else against it, and (c) its name
    block was small enough for blocking to have compared it with every namesake.  With 2 to
    ``max_review_candidates`` candidate entities its strong pairs go to review instead.
    """
    cfg = settings.get("name_only") or {}
    f = part.f
    if part.kind != "person" or not cfg.get("attach", False) or not len(part.ia):
        return {}
    thin = _thin(f)
    names = [c["name"] for c in part.comps]
    gnames = [g for g in ((settings.get("gates") or {}).get("person") or {}).get("name_comparisons", []) if g in names]
    if not thin.any() or len(gnames) != 2:
        return {}
    root = np.array([C.find(i) for i in range(f.n)], dtype=np.int64)
    anchored = np.zeros(f.n, bool)
    anchored[root[~thin]] = True
    ia, ib = part.ia, part.ib
    a_thin, b_thin = ~anchored[root[ia]], ~anchored[root[ib]]
    sel = np.flatnonzero(a_thin ^ b_thin)
    if not len(sel):
        return {}
    t = np.where(a_thin[sel], ia[sel], ib[sel])
    o = np.where(a_thin[sel], ib[sel], ia[sel])
    keep = f.is_new[t]  # an incremental run compares new records only, so only they see every namesake
    sel, t, o = sel[keep], t[keep], o[keep]
    contrib = part.model.contributions(part.levels[sel], _sub_tfs(part.tfs, sel))
    jn = [names.index(g) for g in gnames]
    name_w = contrib[:, jn].sum(1)
    corr = contrib.sum(1) - name_w
    strong_name = np.ones(len(sel), bool)
    for j in jn:
        lv = [k for k, x in enumerate(part.comps[j]["levels"]) if x["name"] in ("exact", "phonetic")]
        strong_name &= np.isin(part.levels[sel, j], lv)
    # the whole name, not two of its parts: "Felix Ngowi" may be "Felix Charles Ngowi" or his cousin
    fk = _full_name_sound(f)
    strong_name &= (fk[t] == fk[o]) & (fk[t] >= 0)
    merge_p = float(settings["thresholds"]["merge"])
    ok = (
        strong_name
        & (part.P[sel] >= merge_p)
        & (part.veto[sel] == "")
        & (part.decided[sel] != "no-match")
        & (corr >= 0)
    )
    plausible = name_w > 0
    crowded = _namesakes(f, t, t) > int(settings["blocking"].get("max_block_size", 100))
    groups: dict[int, dict] = {}
    for k in np.flatnonzero(plausible | ok).tolist():
        g = groups.setdefault(int(root[t[k]]), {"cands": set(), "ok": [], "crowded": False})
        g["cands"].add(int(root[o[k]]))
        g["crowded"] |= bool(crowded[k])
        if ok[k]:
            g["ok"].append(k)
    max_review = int(cfg.get("max_review_candidates", 3))
    attached, ambiguous = [], []
    for g in groups.values():
        if g["crowded"] or not g["ok"]:
            continue
        if len(g["cands"]) == 1:
            best = max(g["ok"], key=lambda k: part.W[sel[k]])
            if C.try_merge(int(t[best]), int(o[best]), float(part.W[sel[best]]), min_mean, "name-only mention"):
                attached.extend(np.flatnonzero(root == root[t[best]]).tolist())
        elif len(g["cands"]) <= max_review:
            ambiguous.extend((int(sel[k]), len(g["cands"])) for k in g["ok"])
    codes = (ia << 32) | ib
    return {
        "attached": np.array(attached, dtype=np.int64),
        "ambiguous": codes[[k for k, _ in ambiguous]],
        "n_candidates": np.array([c for _, c in ambiguous], dtype=np.int64),
    }


def _mark_name_only(part: _Part, labels: np.ndarray, res: dict) -> None:
    """Outcome and reason of the pairs the name-only step decided (after the last clustering pass)."""
    if not res:
        part.stats["name_only_attached"] = part.stats["name_only_ambiguous"] = 0
        return
    codes = (part.ia << 32) | part.ib
    # every scored pair joining an attached record to its entity: the attachment is why they are one
    thin_rec = np.zeros(part.f.n, bool)
    thin_rec[res["attached"]] = True
    att = np.flatnonzero(
        (thin_rec[part.ia] ^ thin_rec[part.ib])
        & (labels[part.ia] == labels[part.ib])
        & (part.veto == "")
        & (part.decided == "")
    )
    part.outcome[att] = 2
    part.reason[att] = "name-only mention: the one entity carrying this name"
    amb = np.searchsorted(codes, res["ambiguous"])
    free = part.decided[amb] == ""
    part.outcome[amb[free]] = 1
    part.reason[amb[free]] = np.array(
        [f"name-only mention: {c} entities carry this name" for c in res["n_candidates"][free]], dtype=object
    )
    part.stats["name_only_attached"] = int(len(res["attached"]))
    part.stats["name_only_ambiguous"] = int(free.sum())


def _score_unscored(part: _Part, settings: dict, labels: np.ndarray, holder: dict) -> int:
    """Score pairs that share a cluster but were not candidates; append them to the part."""
    f = part.f
    vc = pd.Series(labels).value_counts()
    big = vc[(vc >= 3) & (vc <= 400)].index
    if len(big) == 0:
        return 0
    codes = (part.ia << 32) | part.ib
    lab_sorted = np.argsort(labels, kind="stable")
    big_set = np.isin(labels, np.asarray(big))
    new_codes = []
    order = lab_sorted[big_set[lab_sorted]]
    lab = labels[order]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    sizes = np.diff(np.r_[starts, len(lab)])
    for sz in np.unique(sizes):
        st = starts[sizes == sz]
        ti, tj = np.triu_indices(int(sz), 1)
        a = order[st[:, None] + ti[None, :]].ravel().astype(np.int64)
        b = order[st[:, None] + tj[None, :]].ravel().astype(np.int64)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        new_codes.append((lo << 32) | hi)
    if not new_codes:
        return 0
    cand = sorted_unique(np.concatenate(new_codes))
    pos = np.minimum(np.searchsorted(codes, cand), max(len(codes) - 1, 0))
    cand = cand[codes[pos] != cand] if len(codes) else cand
    na_all, nb_all = cand >> 32, cand & 0xFFFFFFFF
    ent = f.entity_id
    keep = (
        np.array(
            [not (ent[x] is not None and ent[x] == ent[y]) for x, y in zip(na_all.tolist(), nb_all.tolist())],
            dtype=bool,
        )
        if len(cand)
        else np.zeros(0, bool)
    )
    new_a, new_b = na_all[keep], nb_all[keep]
    if len(new_a) == 0:
        return 0
    na, nb = new_a.astype(np.int64), new_b.astype(np.int64)
    levels, tfs = compute_levels(f, na, nb, part.comps)
    contrib = part.model.contributions(levels, tfs)
    W = contrib.sum(1, dtype=np.float64) + part.model.prior_weight()
    P = 1.0 / (1.0 + np.exp2(-np.clip(W, -200, 200)))
    veto, strong, gate_ok, disagree, corr = _flags(
        part.kind, part.comps, levels, contrib, settings, _namesakes(f, na, nb)
    )
    conflict = name_part_conflict(part.kind, part.comps, levels, settings)
    outcome, reason = _outcomes(P, veto, strong, gate_ok, disagree, settings["thresholds"], corr, conflict)
    reason = np.array(
        [("scored after clustering; " + r) if r else "scored after clustering" for r in reason], dtype=object
    )
    # append, keeping pairs sorted by code
    n_old = len(part.ia)
    ia = np.concatenate([part.ia, na])
    ib = np.concatenate([part.ib, nb])
    order = np.argsort((ia << 32) | ib, kind="stable")
    part.ia, part.ib = ia[order], ib[order]
    part.levels = np.concatenate([part.levels, levels])[order]
    for j in set(part.tfs) | set(tfs):
        if j == "name_joint":
            o = part.tfs.get(j)
            nw = tfs.get(j)
            ref = o or nw
            oa = o[2] if o else np.full(n_old, np.nan)
            na_ = nw[2] if nw else np.full(len(na), np.nan)
            part.tfs[j] = (ref[0], ref[1], np.concatenate([oa, na_])[order])
            continue
        old = part.tfs.get(j, np.full(n_old, np.nan))
        new = tfs.get(j, np.full(len(na), np.nan))
        part.tfs[j] = np.concatenate([old, new])[order]
    part.W = np.concatenate([part.W, W])[order]
    part.P = np.concatenate([part.P, P])[order]
    part.outcome = np.concatenate([part.outcome, outcome])[order]
    part.veto = np.concatenate([part.veto, veto])[order]
    part.reason = np.concatenate([part.reason, reason])[order]
    part.decided = np.concatenate([part.decided, np.full(len(na), "", dtype=object)])[order]
    part.extra = np.concatenate([part.extra, np.ones(len(na), bool)])[order]
    # gate/strong for the whole (re-ordered) pair list
    _, strong_all, gate_all, _, _ = _flags(
        part.kind,
        part.comps,
        part.levels,
        part.model.contributions(part.levels, part.tfs),
        settings,
        _namesakes(f, part.ia, part.ib),
    )
    holder["gate_ok"], holder["strong"] = gate_all, strong_all
    return len(na)


def _sub_tfs(tfs: dict, idx) -> dict:
    out = {}
    for j, t in tfs.items():
        out[j] = (t[0], t[1], t[2][idx]) if j == "name_joint" else t[idx]
    return out


def _evidence_json(prior: float, names: list, lvnames: list, levels: np.ndarray, contrib: np.ndarray) -> list:
    """Per-pair evidence as JSON text, built column-wise (millions of pairs in seconds)."""
    n = len(levels)
    if n == 0:
        return []
    out = np.full(n, '{"prior": ' + json.dumps(round(float(prior), 3)), dtype=object)
    for j, nm in enumerate(names):
        heads = np.array(
            [f', {json.dumps(nm)}: {{"level": {json.dumps(str(lv))}, "weight": ' for lv in lvnames[j]], dtype=object
        )
        w = np.round(contrib[:, j].astype(np.float64), 3)
        wtxt = np.char.mod("%.3f", w).astype(object)
        out = out + heads[levels[:, j].astype(np.int64)] + wtxt + "}"
    out = out + "}"
    return out.tolist()


# --------------------------------------------------------------------------- result object


class Resolution:
    """Result of :func:`resolve`.

    ``entities``: Series record_id -> entity_id.  ``pairs``: every scored pair with its probability,
    match weight, outcome (merge / review / no-merge), whether the records ended in one entity, veto,
    reason and per-comparison evidence (JSON).  ``review``: the pairs an analyst should look at.
    """

    def __init__(self, parts: list[_Part], settings: dict, stats: dict):
        self._parts = parts
        self.settings = settings
        self.stats = stats
        rec, ents, kinds = [], [], []
        for p in parts:
            rec.extend(p.f.record_id.tolist())
            ents.extend(p.entity_ids.tolist())
            kinds.extend([p.kind] * p.f.n)
        self.entities = pd.Series(ents, index=pd.Index(rec, name="record_id"), name="entity_id", dtype=object)
        self._kind_of_record = dict(zip(rec, kinds))
        self._pairs = None

    # ------------------------------------------------------------------ tables
    @property
    def records(self) -> pd.DataFrame:
        rows = []
        for p in self._parts:
            f = p.f
            for i in range(f.n):
                rows.append(
                    {
                        "record_id": f.record_id[i],
                        "entity_id": p.entity_ids[i],
                        "kind": p.kind,
                        "name": f.display[i],
                        "source": f.source_labels[f.source[i]] if f.source[i] >= 0 else None,
                    }
                )
        return pd.DataFrame(rows)

    def _pair_frame(self, p: _Part, sel: np.ndarray | None = None) -> pd.DataFrame:
        f = p.f
        idx = np.arange(len(p.ia)) if sel is None else sel
        ia, ib = p.ia[idx], p.ib[idx]
        contrib = p.model.contributions(p.levels[idx], _sub_tfs(p.tfs, idx))
        df = pd.DataFrame(
            {
                "record_a": f.record_id[ia],
                "record_b": f.record_id[ib],
                "kind": p.kind,
                "match_probability": p.P[idx],
                "match_weight": p.W[idx],
                "outcome": np.array(OUTCOMES, dtype=object)[p.outcome[idx]],
                "same_entity": p.entity_ids[ia] == p.entity_ids[ib],
                "entity_a": p.entity_ids[ia],
                "entity_b": p.entity_ids[ib],
                "veto": p.veto[idx],
                "decision": p.decided[idx],
                "reason": p.reason[idx],
            }
        )
        names = [c["name"] for c in p.comps]
        lvnames = [np.array([lv["name"] for lv in c["levels"]] + ["null"], dtype=object) for c in p.comps]
        levs = [lvnames[j][p.levels[idx, j].astype(np.int64)] for j in range(len(names))]
        for j, nm in enumerate(names):
            df[f"{nm}_level"] = levs[j]
        df["evidence"] = _evidence_json(p.model.prior_weight(), names, lvnames, p.levels[idx], contrib)
        return df

    @staticmethod
    def _empty_pairs() -> pd.DataFrame:
        return pd.DataFrame(
            columns=[
                "record_a",
                "record_b",
                "kind",
                "match_probability",
                "match_weight",
                "outcome",
                "same_entity",
                "entity_a",
                "entity_b",
                "veto",
                "decision",
                "reason",
                "evidence",
            ]
        )

    @property
    def pairs(self) -> pd.DataFrame:
        if self._pairs is None:
            frames = [self._pair_frame(p) for p in self._parts if len(p.ia)]
            self._pairs = pd.concat(frames, ignore_index=True) if frames else self._empty_pairs()
        return self._pairs

    def select_pairs(self, outcomes=None, min_probability: float | None = None) -> pd.DataFrame:
        """A subset of :attr:`pairs` built directly (cheaper than the full table on big runs),
        e.g. ``select_pairs(outcomes=["merge", "review"])``."""
        want = None if outcomes is None else {OUTCOMES.index(o) for o in outcomes}
        frames = []
        for p in self._parts:
            if not len(p.ia):
                continue
            m = np.ones(len(p.ia), bool)
            if want is not None:
                m &= np.isin(p.outcome, list(want))
            if min_probability is not None:
                m &= p.P >= float(min_probability)
            sel = np.flatnonzero(m)
            if len(sel):
                frames.append(self._pair_frame(p, sel))
        return pd.concat(frames, ignore_index=True) if frames else self._empty_pairs()

    @property
    def review(self) -> pd.DataFrame:
        """Pairs for an analyst: the review band, plus merges refused by vetoes or coherence."""
        frames = []
        for p in self._parts:
            if not len(p.ia):
                continue
            same = p.entity_ids[p.ia] == p.entity_ids[p.ib]
            sel = np.flatnonzero(((p.outcome == 1) | ((p.outcome == 2) & ~same)) & (p.decided == ""))
            if len(sel):
                df = self._pair_frame(p, sel)
                refused = (df["outcome"] == "merge") & ~df["same_entity"]
                df.loc[refused, "reason"] = "merge refused by clustering (conflict or weak link)"
                frames.append(df)
        if not frames:
            return self._empty_pairs()
        return pd.concat(frames, ignore_index=True).sort_values("match_probability", ascending=False, ignore_index=True)

    def candidates(self) -> pd.DataFrame:
        """The blocking candidate pairs (record_a, record_b), without pairs scored after clustering."""
        frames = []
        for p in self._parts:
            sel = ~p.extra
            frames.append(pd.DataFrame({"record_a": p.f.record_id[p.ia[sel]], "record_b": p.f.record_id[p.ib[sel]]}))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["record_a", "record_b"])

    # ------------------------------------------------------------------ explanations
    def _part_of(self, record_id: str) -> _Part:
        kind = self._kind_of_record[record_id]
        return next(p for p in self._parts if p.kind == kind)

    def explain_pair(self, record_a, record_b) -> dict:
        """Evidence for one pair (scored on demand when blocking never compared it)."""
        a, b = str(record_a), str(record_b)
        p = self._part_of(a)
        f = p.f
        ids = {r: i for i, r in enumerate(f.record_id)}
        if b not in ids:
            raise KeyError(f"record {b!r} is not of the same kind or unknown")
        i, j = sorted((ids[a], ids[b]))
        pc = (p.ia << 32) | p.ib
        k = int(np.searchsorted(pc, (i << 32) | j))
        if k < len(pc) and pc[k] == ((i << 32) | j):
            row = self._pair_frame(p, np.array([k])).iloc[0].to_dict()
        else:
            levels, tfs = compute_levels(f, np.array([i]), np.array([j]), p.comps)
            contrib = p.model.contributions(levels, tfs)
            W = float(contrib.sum() + p.model.prior_weight())
            ev = {"prior": round(p.model.prior_weight(), 3)}
            for t, c in enumerate(p.comps):
                lv = c["levels"][levels[0, t]]["name"] if levels[0, t] >= 0 else "null"
                ev[c["name"]] = {"level": lv, "weight": round(float(contrib[0, t]), 3)}
            row = {
                "record_a": f.record_id[i],
                "record_b": f.record_id[j],
                "match_weight": W,
                "match_probability": 1 / (1 + 2**-W),
                "outcome": "not compared (blocking)",
                "same_entity": p.entity_ids[i] == p.entity_ids[j],
                "evidence": json.dumps(ev),
            }
        row["evidence"] = json.loads(row["evidence"])
        row["name_a"], row["name_b"] = f.display[i], f.display[j]
        return row

    def explain(self, entity_id) -> dict:
        """Why these records form one entity: members, the pairs inside, and links refused or in review."""
        members = self.entities[self.entities == entity_id].index.tolist()
        if not members:
            raise KeyError(f"unknown entity {entity_id!r}")
        p = self._part_of(members[0])
        f = p.f
        ids = {r: i for i, r in enumerate(f.record_id)}
        mem_idx = np.array(sorted(ids[m] for m in members))
        inside_a = np.isin(p.ia, mem_idx)
        inside_b = np.isin(p.ib, mem_idx)
        internal = np.flatnonzero(inside_a & inside_b)
        boundary = np.flatnonzero((inside_a ^ inside_b) & (p.outcome >= 1))
        df_in = self._pair_frame(p, internal) if len(internal) else None
        df_out = self._pair_frame(p, boundary) if len(boundary) else None

        def rows(df):
            if df is None:
                return []
            out = df[
                [
                    "record_a",
                    "record_b",
                    "match_probability",
                    "match_weight",
                    "outcome",
                    "veto",
                    "decision",
                    "reason",
                    "evidence",
                    "entity_a",
                    "entity_b",
                ]
            ].to_dict("records")
            for r in out:
                r["evidence"] = json.loads(r["evidence"])
            return out

        return {
            "entity_id": entity_id,
            "kind": p.kind,
            "records": [
                {
                    "record_id": f.record_id[i],
                    "name": f.display[i],
                    "source": f.source_labels[f.source[i]] if f.source[i] >= 0 else None,
                }
                for i in mem_idx
            ],
            "pairs": rows(df_in),
            "links_outside": rows(df_out),
            "refused": [
                {"record_a": f.record_id[a], "record_b": f.record_id[b], "match_weight": w, "why": why}
                for a, b, w, why in p.refused
                if a in set(mem_idx) or b in set(mem_idx)
            ],
        }

    # ------------------------------------------------------------------ models and decisions
    def model(self, kind: str = "person") -> Model:
        return next(p.model for p in self._parts if p.kind == kind)

    def trained_settings(self) -> dict:
        """Settings with this run's m, u and prior fixed: pass to later (incremental) runs for stable scores."""
        s = json.loads(json.dumps(self.settings))
        s.setdefault("training", {})
        # persons and organisations have their own match rates: one prior per kind
        given = s["training"].get("prior")
        priors = dict(given) if isinstance(given, dict) else {k: given for k in KINDS if given is not None}
        for p in self._parts:
            trained = {c["name"]: c for c in p.model.as_settings()}
            s["comparisons"][p.kind] = [trained.get(c["name"], c) for c in s["comparisons"][p.kind]]
            priors[p.kind] = float(p.model.prior)
        s["training"]["prior"] = priors
        return s

    def unmerge_decision(self, record_id) -> dict:
        """An explicit unmerge decision (with the records it is separated from) to store and replay."""
        rid = str(record_id)
        eid = self.entities[rid]
        others = [r for r in self.entities[self.entities == eid].index if r != rid]
        return {"decision": "unmerge", "record_id": rid, "entity_id": eid, "others": others}


# --------------------------------------------------------------------------- public API


def _standardize(records: pd.DataFrame) -> pd.DataFrame:
    if "record_id" not in records.columns:
        raise ValueError("records need a record_id column (use dedupe_table for raw spreadsheets)")
    df = records.copy()
    df["record_id"] = [str(x) for x in df["record_id"]]
    if df["record_id"].duplicated().any():
        dup = df.loc[df["record_id"].duplicated(), "record_id"].iloc[0]
        raise ValueError(f"duplicate record_id {dup!r}")
    return df


def resolve(
    records: pd.DataFrame, settings=None, decisions=None, existing: pd.DataFrame | None = None, seed: int = 0
) -> Resolution:
    """Resolve person and organisation records into entities.

    ``records``: standard fields record_id, name, birth_date (ISO, partial allowed), nationality
    (alpha-2), phones (list of E.164), passports, id_numbers (lists), address, city, postcode,
    source, optional entity_id (already resolved) and kind ("person" | "organisation").
    ``settings``: dict or YAML path overriding the shipped defaults (settings.yaml).
    ``decisions``: reviewer decisions (DataFrame or list of dicts): {record_a, record_b, decision:
    match | no-match} and {record_id, decision: unmerge[, entity_id, others]}; honoured on every run.
    ``existing``: previously resolved records (with entity_id); only new-vs-all and new-vs-new pairs
    are compared and existing entity ids are kept.
    """
    t0 = time.perf_counter()
    s = load_settings(settings)
    df = _standardize(records)
    if existing is not None and len(existing):
        ex = _standardize(existing)
        if "entity_id" not in ex.columns:
            raise ValueError("existing records need an entity_id column")
        new = df[~df["record_id"].isin(set(ex["record_id"]))].copy()
        if "entity_id" not in new.columns:
            new["entity_id"] = None
        df = pd.concat([ex, new], ignore_index=True)
    decs = _norm_decisions(decisions)
    kinds = [_kind_of(v) for v in df["kind"]] if "kind" in df.columns else ["person"] * len(df)
    df = df.assign(kind=kinds)
    rng = np.random.default_rng(seed)
    parts = []
    for kind in KINDS:
        sub = df[df["kind"] == kind].reset_index(drop=True)
        if len(sub):
            parts.append(_resolve_kind(kind, sub, s, decs, rng))
    stats = {p.kind: p.stats for p in parts}
    stats["t_total"] = time.perf_counter() - t0
    return Resolution(parts, s, stats)

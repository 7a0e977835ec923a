"""Entity resolution wired to the graph store: records from the graph, entities and SAME_AS links back.

    person_records(store) / org_records(store) -> DataFrame    the engine's standard fields, one row per node
    resolve_store(store, settings=None) -> dict                 incremental run honouring every LgDecision
    explain(store, entity) -> DataFrame                         the records of an entity and why they match
    unmerge(store, entity, record=None) -> dict                 split a wrong merge (recorded, so it sticks)
    entity_map(store) -> {record_id: representative_id}         one node per entity for network analytics
    decisions(store) -> DataFrame, add_decisions(store, rows)   the reviewer decisions (LgDecision)

Person and Organization rows are source-scoped records, kept as imported in the ledger. Resolution groups them
into entities and the store puts that in force (Store.resolve_to): the graph holds one node per entity, with
the id of its first record, its records' values, summaries and links, `entity_id` and `records` (see
linkgraph.store.merges). The SAME_AS links resolution derives (from every record of a multi-record entity to
its first record, decision 'auto' or 'match' when a reviewer said so, and between the two records of every
pair in the review band, 'review') are kept with the mapping in the ledger; those of the review queue are
also drawn in the graph, between the two entity nodes.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pandas as pd

from linkgraph import provenance
from linkgraph.errors import LinkgraphError
from linkgraph.schema import link_id
from linkgraph.store import audit

__all__ = [
    "person_records",
    "org_records",
    "records",
    "resolve_store",
    "explain",
    "unmerge",
    "entity_map",
    "decisions",
    "add_decisions",
    "find_entity",
    "resolution_links",
    "REVIEW",
    "RECORD_TYPES",
]

RECORD_TYPES = {"Person": "person", "Organization": "organisation"}
REVIEW = "review"
_RECORD_COLS = [
    "record_id",
    "type",
    "kind",
    "name",
    "birth_date",
    "nationality",
    "phones",
    "passports",
    "id_numbers",
    "address",
    "city",
    "source",
    "sheet",
    "rows",
    "imported",
    "entity_id",
    "prov",
]


# --------------------------------------------------------------------------- records from the graph


def _first_prov(prov) -> dict:
    recs = provenance.loads(prov)
    if not recs:
        return {}
    return min(
        recs,
        key=lambda r: (
            str(r.get("imported") or ""),
            str(r.get("source") or ""),
            str(r.get("sheet") or ""),
            str(r.get("rows") or ""),
        ),
    )


def _many(df: pd.DataFrame) -> dict[str, list]:
    out: dict[str, list] = {}
    if len(df):
        for rid, v in sorted(zip(df["id"], df["v"]), key=lambda t: (t[0], str(t[1]))):
            if v is not None and v not in out.setdefault(rid, []):
                out[rid].append(v)
    return out


def _of_records(store, link_type: str, df: pd.DataFrame, merged: set[str]) -> pd.DataFrame:
    """Rows (id: a node, link: its link) with each entity node's id replaced by the record whose source gave
    the link, as the ledger tells (the node holds several records' links)."""
    if not len(df) or not merged:
        return df
    at = df["id"].isin(merged)
    if not at.any():
        return df
    ends = store.link_ends(link_type, df.loc[at, "link"].tolist())
    src = dict(zip(ends["id"], ends["source"]))
    return df.assign(id=df["id"].where(~at, df["link"].map(src)))


def _graph_or_ledger(store, type_name: str, nat: str) -> tuple[pd.DataFrame, set[str]]:
    """One row per record (id, name, birth_date, nationality, entity_id, prov, batches, reg): a node that
    holds one record is read from the graph, an entity of several from the ledger, record by record."""
    base = store.query(
        f"MATCH (n:{type_name}) RETURN n.id AS id, n.name AS name, "
        f"{'n.birth_date' if type_name == 'Person' else 'NULL'} AS birth_date, "
        f"n.{nat} AS nationality, n.entity_id AS entity_id, n.prov AS prov, n.batches AS batches, "
        "n.records AS records" + (", n.registration_number AS reg" if type_name == "Organization" else ", NULL AS reg")
    )
    if not len(base):
        return base, set()
    is_entity = base["records"].map(lambda v: v is not None and len(v) > 1)
    merged = set(base.loc[is_entity, "id"])
    single = store.fill_provenance(base[~is_entity].drop(columns="records"), "node")
    if not merged:
        return single, merged
    entity_of = {r: e for rs, e in zip(base.loc[is_entity, "records"], base.loc[is_entity, "entity_id"]) for r in rs}
    recs = store.records(type_name, list(entity_of))
    recs = pd.DataFrame(
        {
            "id": recs["id"],
            "name": recs.get("name"),
            "birth_date": recs.get("birth_date") if type_name == "Person" else None,
            "nationality": recs.get(nat),
            "entity_id": recs["id"].map(entity_of),
            "prov": recs["prov"],
            "batches": recs["batches"],
            "reg": recs.get("registration_number") if type_name == "Organization" else None,
        }
    )
    return pd.concat([single, recs], ignore_index=True), merged


def _records(store, type_name: str) -> pd.DataFrame:
    nat = "nationality" if type_name == "Person" else "country"
    base, merged = _graph_or_ledger(store, type_name, nat)
    if not len(base):
        return pd.DataFrame(columns=_RECORD_COLS)
    base = _nones(base)
    phones = _many(
        _of_records(
            store,
            "HAS_PHONE",
            store.query(
                f"MATCH (n:{type_name})-[r:HAS_PHONE]->(x:Phone) RETURN n.id AS id, r.id AS link, x.number AS v"
            ),
            merged,
        )
    )
    addr = _of_records(
        store,
        "HAS_ADDRESS",
        store.query(
            f"MATCH (n:{type_name})-[r:HAS_ADDRESS]->(x:Address) "
            "RETURN n.id AS id, r.id AS link, x.full AS full, x.city AS city"
        ),
        merged,
    )
    addr_of: dict[str, tuple] = {}
    if len(addr):
        for r in addr.sort_values(["id", "full"], na_position="last").itertuples():
            addr_of.setdefault(r.id, (r.full, r.city))
    passports: dict[str, list] = {}
    ids: dict[str, list] = {}
    if type_name == "Person":
        df = _of_records(
            store,
            "HAS_ID",
            store.query(
                "MATCH (n:Person)-[r:HAS_ID]->(x:Identification) "
                "RETURN n.id AS id, r.id AS link, x.number AS number, x.kind AS kind, x.country AS country"
            ),
            merged,
        )
        for r in df.sort_values(["id", "number"]).itertuples() if len(df) else []:
            if not r.number:
                continue
            text = f"{r.country}:{r.number}" if r.country else str(r.number)
            bucket = passports if str(r.kind or "").lower() == "passport" else ids
            if text not in bucket.setdefault(r.id, []):
                bucket[r.id].append(text)
    rows = []
    for r in base.itertuples():
        p = _first_prov(r.prov)
        a = addr_of.get(r.id, (None, None))
        idn = list(ids.get(r.id, []))
        if r.reg:
            idn.append(str(r.reg))
        rows.append(
            {
                "record_id": r.id,
                "type": type_name,
                "kind": RECORD_TYPES[type_name],
                "name": r.name,
                "birth_date": r.birth_date,
                "nationality": r.nationality,
                "phones": phones.get(r.id, []),
                "passports": passports.get(r.id, []),
                "id_numbers": idn,
                "address": a[0],
                "city": a[1],
                "source": p.get("source"),
                "sheet": p.get("sheet"),
                "rows": p.get("rows"),
                "imported": p.get("imported"),
                "entity_id": r.entity_id,
                "prov": r.prov,
            }
        )
    return _nones(pd.DataFrame(rows, columns=_RECORD_COLS).sort_values("record_id", ignore_index=True))


def _nones(df: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None (not NaN), so callers can test `is None`."""
    return df.astype(object).where(df.notna(), None) if len(df) else df


def person_records(store) -> pd.DataFrame:
    """Every Person node as a resolution record: record_id (node id), name, birth_date, nationality,
    phones (E.164), passports ("CC:NUMBER"), id_numbers, address, city, source (document), sheet, rows,
    imported, entity_id (None until resolved)."""
    return _records(store, "Person")


def org_records(store) -> pd.DataFrame:
    """Every Organization node as a resolution record (country as nationality, registration number as id)."""
    return _records(store, "Organization")


def records(store) -> pd.DataFrame:
    """Person and Organization records together (column `kind`: person | organisation)."""
    parts = [p for p in (person_records(store), org_records(store)) if len(p)]
    return _nones(pd.concat(parts, ignore_index=True)) if parts else pd.DataFrame(columns=_RECORD_COLS)


# --------------------------------------------------------------------------- decisions (LgDecision)

_DECISION_COLS = ["id", "left_id", "right_id", "decision", "time", "user", "note"]
_ALIASES = {
    "match": "match",
    "same": "match",
    "merge": "match",
    "yes": "match",
    "no-match": "no-match",
    "no match": "no-match",
    "no_match": "no-match",
    "nomatch": "no-match",
    "non-match": "no-match",
    "different": "no-match",
    "no": "no-match",
    "unmerge": "unmerge",
}


def decisions(store) -> pd.DataFrame:
    """Every stored reviewer decision, oldest first."""
    ret = ", ".join(f"d.{c} AS {c}" for c in _DECISION_COLS)
    df = store.query(f"MATCH (d:LgDecision) RETURN {ret}")
    if not len(df):
        return pd.DataFrame(columns=_DECISION_COLS)
    return df.sort_values(["time", "id"], ignore_index=True)


def add_decisions(store, rows: list[dict], user: str | None = None) -> int:
    """Store decisions {left_id, right_id, decision: match | no-match | unmerge, note}; a decision equal to
    the latest one on the same pair is not stored again. Returns how many were stored."""
    latest = _latest(decisions(store))
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    who = user if user is not None else audit.current_user()
    todo = []
    for r in rows:
        d = _ALIASES.get(str(r.get("decision", "")).strip().lower())
        if d is None:
            raise LinkgraphError(f"unknown decision {r.get('decision')!r}: use match, no-match or unmerge")
        a, b = str(r["left_id"]), str(r["right_id"])
        if a == b:
            continue
        key = (min(a, b), max(a, b))
        if latest.get(key, (None,))[0] == d:
            continue
        latest[key] = (d, a, b)
        todo.append(
            {
                "id": "dec-" + uuid.uuid4().hex,
                "left_id": a,
                "right_id": b,
                "decision": d,
                "time": now,
                "user": who,
                "note": r.get("note") or "",
            }
        )

    def unit():
        for t in todo:
            store.execute(
                "CREATE (d:LgDecision {id: $id, left_id: $left_id, right_id: $right_id, "
                "decision: $decision, time: $time, user: $user, note: $note})",
                t,
            )

    if todo:
        store.atomic(unit)
    return len(todo)


def _latest(df: pd.DataFrame) -> dict[tuple, tuple]:
    """(a, b) sorted -> (decision, left, right) of the latest decision on that pair."""
    out: dict[tuple, tuple] = {}
    for r in df.itertuples():  # oldest first: later ones win
        a, b = str(r.left_id), str(r.right_id)
        out[(min(a, b), max(a, b))] = (r.decision, a, b)
    return out


def _engine_decisions(latest: dict[tuple, tuple]) -> list[dict]:
    out, unm = [], {}
    for (a, b), (d, left, right) in sorted(latest.items()):
        if d in ("match", "no-match"):
            out.append({"record_a": a, "record_b": b, "decision": d})
        elif d == "unmerge":
            unm.setdefault(left, []).append(right)
    for rid, others in sorted(unm.items()):
        out.append({"record_id": rid, "decision": "unmerge", "others": sorted(others)})
    return out


# --------------------------------------------------------------------------- resolution


def _first_of(recs: pd.DataFrame) -> pd.Series:
    """entity_id -> its first record (earliest imported, then record id): the target of SAME_AS links."""
    r = recs[recs["entity_id"].notna()].assign(_imp=lambda d: d["imported"].fillna("").astype(str))
    r = r.sort_values(["_imp", "record_id"])
    return r.drop_duplicates("entity_id").set_index("entity_id")["record_id"]


def resolution_links(store) -> pd.DataFrame:
    """The SAME_AS links of the resolution in force, between records (merges, decision auto or match, and the
    review queue, decision review), with score, evidence and the provenance of their two records."""
    kept = store.ledger.resolution()
    df = kept[1] if kept is not None else None
    return df if df is not None and len(df) else pd.DataFrame(columns=["id", "source", "target", "decision"])


def _violated(latest: dict, ent: dict) -> set[str]:
    """Entity ids whose current state contradicts a decision (they are resolved again)."""
    bad = set()
    for (a, b), (d, _, _) in latest.items():
        ea, eb = ent.get(a), ent.get(b)
        if ea is None or eb is None:
            continue
        if (d == "match" and ea != eb) or (d in ("no-match", "unmerge") and ea == eb):
            bad.update({ea, eb})
    return bad


def _evidence(row: dict) -> tuple[float, str]:
    ev = row["evidence"] if isinstance(row["evidence"], dict) else json.loads(row["evidence"])
    out = {
        "probability": round(float(row["match_probability"]), 6),
        "weight": round(float(row["match_weight"]), 3),
        "outcome": row.get("outcome"),
        "reason": row.get("reason") or "",
        "comparisons": {k: v for k, v in ev.items() if k != "prior"},
        "prior": ev.get("prior"),
    }
    return float(row["match_probability"]), json.dumps(out, ensure_ascii=False, sort_keys=True)


def resolve_store(store, settings=None, progress: bool = False) -> dict:
    """Resolve the store's Person and Organization records into entities and write the result back.

    Incremental: records that carry an entity_id keep it and only the others are compared (with each other
    and with every resolved record), except the entities a stored decision contradicts, which are resolved
    again. Every LgDecision (match, no-match, unmerge) is honoured on every run. One atomic write sets
    `entity_id` and brings the SAME_AS links up to date. Returns counts: records, entities, merged (records
    folded into another record's entity), review (pairs in the review queue), new (records resolved for the
    first time), changed (resolved records whose entity changed).

    The model (m, u, prior per record kind) is trained on all records of a kind and kept in LgMeta, so
    that incremental runs score new records on the same scale; it is trained again when the records of
    that kind have grown by a quarter since, or when `settings` are given.
    """
    with _Stages(progress) as stage:
        stage("reading records")
        recs = records(store)
        latest = _latest(decisions(store))
        counts = {"records": len(recs), "entities": 0, "merged": 0, "review": 0, "new": 0, "changed": 0}
        if not len(recs):
            return counts
        recs["entity_id"] = recs["entity_id"].astype(object).where(recs["entity_id"].notna(), None)
        old = dict(zip(recs["record_id"], recs["entity_id"]))
        reopen = _violated(latest, {k: v for k, v in old.items() if v is not None})
        todo = recs["entity_id"].isna() | recs["entity_id"].isin(reopen)
        counts["new"] = int(recs["entity_id"].isna().sum())
        links = resolution_links(store)
        if not todo.any() and _links_ok(recs, links):
            return _final_counts(counts, recs, links)
        engine_decisions = _engine_decisions(latest)
        results, models, new_ent = {}, {}, {}
        redone = set(recs.loc[todo, "record_id"])
        for kind in ("person", "organisation"):
            sel = (recs["kind"] == kind).to_numpy()
            if not sel.any():
                continue
            stage(f"comparing {kind} records")
            res, model, full = _run_kind(store, kind, recs[sel], todo[sel], settings, engine_decisions)
            results[kind] = res
            if full:
                redone |= set(recs.loc[sel, "record_id"])
            if model is not None:
                models[kind] = model
            new_ent.update(res.entities.to_dict())
        stage("writing entities")
        new_ent = _keep_old_ids(new_ent, old, redone)
        recs["entity_id"] = recs["record_id"].map(new_ent)
        plan = _plan_links(recs, links, results, latest, redone)
        changed = [(rid, e) for rid, e in new_ent.items() if old.get(rid) != e]
        counts["changed"] = sum(1 for rid, _ in changed if old.get(rid) is not None)
        _write(store, recs, plan, models)
        return _final_counts(counts, recs, resolution_links(store))


_ENGINE_COLS = [
    "record_id",
    "kind",
    "name",
    "birth_date",
    "nationality",
    "phones",
    "passports",
    "id_numbers",
    "address",
    "city",
    "source",
    "entity_id",
]
_GROWTH = 1.25


def _stored_model(store, kind: str) -> dict | None:
    df = store.query("MATCH (m:LgMeta {id: $id}) RETURN m.value AS v", {"id": f"resolve.model.{kind}"})
    if not len(df) or not df["v"].iloc[0]:
        return None
    try:
        return json.loads(df["v"].iloc[0])
    except ValueError:
        return None


def _run_kind(store, kind: str, recs: pd.DataFrame, todo: pd.Series, settings, decs: list):
    """-> (Resolution of this kind's records, model to store or None, whether every record was resolved again).

    With a stored model that still fits (records grew by less than a quarter since it was trained), only
    the new and reopened records are compared. Otherwise the model is trained afresh on every record and
    that run's clustering is used (entity ids are kept by _keep_old_ids): merges made earlier by a model
    trained on fewer records are so revisited, at an amortised cost of a few full runs.
    """
    from linkgraph.resolve import resolve
    from linkgraph.resolve.settings import load_settings

    frame = recs[_ENGINE_COLS].assign(entity_id=recs["entity_id"].where(~todo, None))
    try:
        stored = None if settings is not None else _stored_model(store, kind)
        if not todo.all() and stored is not None and len(recs) <= stored["records"] * _GROWTH:
            return resolve(frame, settings=load_settings(stored["settings"]), decisions=decs), None, False
        res = resolve(frame.assign(entity_id=None), settings=load_settings(settings), decisions=decs)
        return res, _model_of(res, kind, len(recs)), True
    except ValueError as e:
        raise LinkgraphError(f"entity resolution: {e}") from None


def _model_of(res, kind: str, n: int) -> dict:
    """The trained part of a run's settings (comparisons with m and u, the prior) for this kind."""
    s = res.trained_settings()
    return {
        "records": n,
        "settings": {
            "comparisons": {kind: s["comparisons"][kind]},
            "training": {"prior": {kind: s["training"]["prior"][kind]}},
        },
    }


def _final_counts(counts: dict, recs: pd.DataFrame, links: pd.DataFrame) -> dict:
    ents = recs["entity_id"].dropna()
    counts["entities"] = int(ents.nunique())
    counts["merged"] = int(ents.notna().sum() - counts["entities"])
    counts["review"] = int((links["decision"] == REVIEW).sum()) if len(links) else 0
    return counts


def _links_ok(recs: pd.DataFrame, links: pd.DataFrame) -> bool:
    """Do the stored merge links match the entities (after an undo removed records, they may not)?"""
    first = _first_of(recs)
    sizes = recs["entity_id"].value_counts()
    want = len(recs) - len(sizes)  # one link per record but the first, in each entity
    merge = links[links["decision"] != REVIEW] if len(links) else links
    if len(merge) != want:
        return False
    ent = dict(zip(recs["record_id"], recs["entity_id"]))
    return all(ent.get(s) is not None and first.get(ent.get(s)) == t for s, t in zip(merge["source"], merge["target"]))


def _keep_old_ids(new: dict, old: dict, redone: set) -> dict:
    """Clusters of records resolved again keep the entity id most of their members had (when free)."""
    by_new: dict[str, list] = {}
    for rid, e in new.items():
        by_new.setdefault(e, []).append(rid)
    kept = {e for rid, e in new.items() if rid not in redone}
    taken = set(kept)
    remap = {}
    # bigger clusters choose first, so a split keeps its id on the larger part
    for e, members in sorted(by_new.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if any(m not in redone for m in members):
            continue
        prev = pd.Series([old.get(m) for m in members if old.get(m) is not None], dtype=object)
        if not len(prev):
            continue
        vc = prev.value_counts()
        for cand in sorted(vc.index, key=lambda c: (-vc[c], c)):
            if cand not in taken and (cand == e or cand not in by_new):
                remap[e] = cand
                taken.add(cand)
                break
    return {rid: remap.get(e, e) for rid, e in new.items()}


def _plan_links(recs: pd.DataFrame, links: pd.DataFrame, results: dict, latest: dict, redone: set) -> dict:
    """Which SAME_AS links to delete and which to create."""
    ent = dict(zip(recs["record_id"], recs["entity_id"]))
    kind = dict(zip(recs["record_id"], recs["type"]))
    recs_kind = dict(zip(recs["record_id"], recs["kind"]))
    prov = dict(zip(recs["record_id"], recs["prov"]))
    first = _first_of(recs)
    sizes = recs["entity_id"].value_counts()
    matched = {k for k, (d, _, _) in latest.items() if d == "match"}
    decided = set(latest)
    want: dict[str, dict] = {}
    for rid, e in ent.items():
        if sizes.get(e, 0) < 2 or first[e] == rid:
            continue
        tgt = first[e]
        want[link_id("SAME_AS", rid, tgt)] = {"source": rid, "target": tgt, "kind": "merge"}
    # reviewer matches inside an entity make its links 'match'
    match_recs = {a for a, b in matched if ent.get(a) == ent.get(b)} | {
        b for a, b in matched if ent.get(a) == ent.get(b)
    }
    review = pd.concat([r.review for r in results.values()], ignore_index=True)
    for r in review.itertuples():
        a, b = str(r.record_a), str(r.record_b)
        if ent.get(a) == ent.get(b) or (min(a, b), max(a, b)) in decided:
            continue
        want.setdefault(link_id("SAME_AS", a, b), {"source": a, "target": b, "kind": REVIEW, "row": r._asdict()})
    have = {r.id: r for r in links.itertuples()} if len(links) else {}
    delete, create = [], []
    for lid, r in have.items():
        w = want.get(lid)
        s, t = r.source, r.target
        if r.decision == REVIEW:
            stale = (
                ent.get(s) is None
                or ent.get(s) == ent.get(t)
                or (min(s, t), max(s, t)) in decided
                or ((s in redone or t in redone) and (w is None or w["kind"] != REVIEW))
            )
        else:
            d = "match" if s in match_recs else "auto"
            stale = w is None or w["kind"] != "merge" or r.decision != d
        if stale:
            delete.append(lid)
    keep = set(have) - set(delete)
    for lid, w in want.items():
        if lid in keep:
            continue
        a, b = w["source"], w["target"]
        if w["kind"] == REVIEW:
            row = dict(w["row"])
            row.pop("Index", None)
            decision = REVIEW
        else:
            row = results[recs_kind[a]].explain_pair(a, b)
            decision = "match" if a in match_recs else "auto"
        score, ev = _evidence(row)
        # a SAME_AS link is derived from its two records: their provenance is its provenance (grading, handling)
        recs_prov = provenance.merge_records(provenance.loads(prov[a]) + provenance.loads(prov[b]))
        create.append(
            {
                "id": lid,
                "source": a,
                "target": b,
                "source_type": kind[a],
                "target_type": kind[b],
                "score": score,
                "evidence": ev,
                "decision": decision,
                "prov": provenance.dumps(recs_prov),
                **provenance.summarise(recs_prov),
            }
        )
    return {"delete": delete, "create": create}


def _write(store, recs: pd.DataFrame, plan: dict, models: dict) -> None:
    """Put the resolution in force: the store makes again the entity nodes whose records changed and keeps
    the mapping and the SAME_AS links in the ledger (so `db rebuild` restores them)."""
    first = _first_of(recs)
    r = recs[recs["entity_id"].notna()].assign(_imp=lambda d: d["imported"].fillna("").astype(str))
    r = r.assign(_rep=(r["record_id"] == r["entity_id"].map(first)).map(lambda b: 0 if b else 1))
    r = r.sort_values(["entity_id", "_rep", "_imp", "record_id"])  # each entity's representative first
    mapping = pd.DataFrame({"type": r["type"], "id": r["record_id"], "entity_id": r["entity_id"]})
    have = resolution_links(store)
    kept = have[~have["id"].isin(set(plan["delete"]))] if len(have) else have
    parts = [x for x in (kept, pd.DataFrame(plan["create"])) if len(x)]
    same_as = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["id", "source", "target", "decision"])
    )

    def unit():
        store.resolve_to(mapping, same_as)
        for kind, model in models.items():
            store.execute(
                "MERGE (m:LgMeta {id: $id}) SET m.value = $v",
                {"id": f"resolve.model.{kind}", "v": json.dumps(model, sort_keys=True)},
            )

    store.atomic(unit)


class _Stages:
    """A rich status line for the stages of a long run (nothing when progress is off)."""

    def __init__(self, on: bool):
        self.on = on
        self.status = None

    def __enter__(self):
        if self.on:
            from rich.console import Console

            self.status = Console(stderr=True).status("entity resolution")
            self.status.__enter__()
        return self

    def __call__(self, text: str) -> None:
        if self.status is not None:
            self.status.update(f"entity resolution: {text}")

    def __exit__(self, *exc):
        if self.status is not None:
            self.status.__exit__(*exc)


# --------------------------------------------------------------------------- explain, unmerge, entity map


def find_entity(store, entity: str, recs: pd.DataFrame | None = None) -> tuple[str, pd.DataFrame]:
    """An entity named by its entity id, one of its record ids, or a name -> (entity_id, its records)."""
    recs = records(store) if recs is None else recs
    key = str(entity).strip()
    if not len(recs):
        raise LinkgraphError("the store holds no Person or Organization records")
    if recs["entity_id"].isna().all():
        raise LinkgraphError("nothing is resolved yet: run `linkgraph resolve` first")
    if key in set(recs["entity_id"].dropna()):
        eid = key
    elif key in set(recs["record_id"]):
        eid = recs.loc[recs["record_id"] == key, "entity_id"].iloc[0]
        if eid is None:
            raise LinkgraphError(f"record {key} is not resolved yet: run `linkgraph resolve` first")
    else:
        from linkgraph.resolve.adapters import _fold

        folded = recs["name"].map(lambda n: _fold(str(n)) if n is not None else "")
        hits = recs[folded == _fold(key)]["entity_id"].dropna().unique().tolist()
        if not hits:
            hits = recs[folded.str.contains(_fold(key), regex=False)]["entity_id"].dropna().unique().tolist()
        if not hits:
            raise LinkgraphError(f"no entity, record or name {key!r} (try `linkgraph query entity`)")
        if len(hits) > 1:
            raise LinkgraphError(
                f"{key!r} names {len(hits)} entities ({', '.join(sorted(hits)[:6])}"
                f"{' ...' if len(hits) > 6 else ''}): give an entity id or a record id"
            )
        eid = hits[0]
    return eid, recs[recs["entity_id"] == eid].reset_index(drop=True)


_EXPLAIN_COLS = [
    "entity_id",
    "part",
    "record_id",
    "name",
    "source",
    "sheet",
    "row",
    "birth_date",
    "nationality",
    "phones",
    "passports",
    "matched_to",
    "decision",
    "probability",
    "weight",
    "evidence",
]


def _evidence_text(ev: dict) -> str:
    comps = [(k, v) for k, v in (ev.get("comparisons") or {}).items() if v.get("level") != "null"]
    comps.sort(key=lambda kv: -abs(float(kv[1].get("weight") or 0)))
    return "; ".join(f"{k} {v['level']} ({float(v['weight']):+.1f})" for k, v in comps)


def explain(store, entity: str) -> pd.DataFrame:
    """Why records are one entity (i2 "Find Matching Entities" card): one `record` row per record it holds
    (source, sheet, row, name as written) and one row per SAME_AS link touching it (`match` inside the
    entity, `review` for candidates in the queue) with the features that matched and their log2 weights.
    """
    every = records(store)
    eid, recs = find_entity(store, entity, every)
    rows = []
    for r in recs.sort_values(["imported", "record_id"], na_position="last").itertuples():
        rows.append(
            {
                "entity_id": eid,
                "part": "record",
                "record_id": r.record_id,
                "name": r.name,
                "source": r.source,
                "sheet": r.sheet,
                "row": r.rows,
                "birth_date": r.birth_date,
                "nationality": r.nationality,
                "phones": "; ".join(r.phones),
                "passports": "; ".join(r.passports),
            }
        )
    ids = set(recs["record_id"])
    names = dict(zip(recs["record_id"], recs["name"]))
    name_of = dict(zip(every["record_id"], every["name"]))
    links = resolution_links(store)
    df = links[links["source"].isin(ids) | links["target"].isin(ids)] if len(links) else links
    if len(df):
        df = pd.DataFrame(
            {
                "a": df["source"],
                "b": df["target"],
                "a_name": df["source"].map(name_of),
                "b_name": df["target"].map(name_of),
                "decision": df["decision"],
                "score": df["score"],
                "evidence": df["evidence"],
            }
        )
        df = df.assign(_r=(df["decision"] == REVIEW).astype(int)).sort_values(
            ["_r", "score", "a"], ascending=[True, False, True]
        )
    for r in df.itertuples() if len(df) else []:
        ev = json.loads(r.evidence) if r.evidence else {}
        mine, other = (r.a, r.b) if r.a in names else (r.b, r.a)
        other_name = r.b_name if other == r.b else r.a_name
        rows.append(
            {
                "entity_id": eid,
                "part": "review" if r.decision == REVIEW else "match",
                "record_id": mine,
                "name": names.get(mine),
                "matched_to": f"{other} ({other_name})",
                "decision": r.decision,
                "probability": r.score,
                "weight": ev.get("weight"),
                "evidence": _evidence_text(ev),
            }
        )
    return pd.DataFrame(rows, columns=_EXPLAIN_COLS)


def unmerge(store, entity: str, record: str | None = None, user: str | None = None, note: str = "") -> dict:
    """Split a wrong merge: every record apart, or only `record` out of the entity. Stored as LgDecision
    (unmerge), so later runs and imports keep the records apart; then resolves again. Returns the counts of
    resolve_store plus `decisions` (how many were stored)."""
    eid, recs = find_entity(store, entity)
    ids = sorted(recs["record_id"])
    if record is not None:
        if record not in ids:
            raise LinkgraphError(f"record {record} is not part of entity {eid}")
        pairs = [(record, o) for o in ids if o != record]
    else:
        pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    if not pairs:
        raise LinkgraphError(f"entity {eid} holds one record: nothing to unmerge")
    n = add_decisions(
        store, [{"left_id": a, "right_id": b, "decision": "unmerge", "note": note} for a, b in pairs], user=user
    )
    out = {"entity": eid, "decisions": n, **resolve_store(store)}
    what = f"record {record} out of" if record is not None else "every record of"
    record_row = f"{what} entity {eid}: {n} decisions{'; note: ' + note if note else ''}"
    audit.record(store, "unmerge", record_row, user=user)
    return out


def entity_map(store) -> dict[str, str]:
    """record id -> the id of the entity node that holds it, for every record of a multi-record entity but
    the representative whose id the node has. The graph already holds one node per entity; this translates
    record ids (as a review queue, an explain card or an older export names them) to nodes."""
    return {r: n for r, n in store.merges().into.items() if r != n}

"""Fellegi-Sunter model: u from random pairs, m by EM on blocked pairs, prior by EM on candidates.

Every estimate is shrunk toward the starting values in the settings by a pseudo-count, so a file of
ten records still gets sensible weights while a file of a million is governed by its own data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .blocking import rule_fields, rule_mask
from .comparisons import compute_levels
from .features import Features

__all__ = ["Model", "estimate_u", "estimate_m", "estimate_prior", "default_u"]

# generic starting u values by level name (probability two different people fall in that level)
_DEFAULT_U = {
    "exact": 0.005,
    "phonetic": 0.002,
    "initial": 0.01,
    "other_token": 0.003,
    "compatible_month": 0.002,
    "compatible_year": 0.02,
    "same_year_month": 0.003,
    "typo": 0.002,
    "shared": 0.0002,
    "near": 0.00001,
    "one_edit": 0.05,
}


def default_u(c: dict) -> np.ndarray:
    """Starting u per level: given in settings, else by level name / threshold, rest into the last level."""
    if c.get("u") is not None:
        u = np.array(c["u"], float)
        return u / u.sum()
    vals = []
    for lv in c["levels"]:
        name = lv["name"]
        if name in ("else", "mismatch", "conflict"):
            vals.append(np.nan)
            continue
        if name in _DEFAULT_U:
            v = _DEFAULT_U[name]
            if c["type"] == "exact":
                v = 0.2  # nationality-like fields: low cardinality
            elif c["type"] == "text" and c.get("field") == "city" and name == "exact":
                v = 0.03
            vals.append(v)
            continue
        thr = next((float(lv[k]) for k in ("jaro_winkler", "token_set", "token_sort", "ratio") if k in lv), 0.9)
        vals.append(0.002 + 0.2 * (1 - thr) ** 2)
    vals = np.array(vals, float)
    rest = max(1e-6, 1.0 - np.nansum(vals))
    nan = np.isnan(vals)
    vals[nan] = rest / max(nan.sum(), 1)
    return vals / vals.sum()


def default_m(c: dict) -> np.ndarray:
    if c.get("m") is not None:
        m = np.array(c["m"], float)
        return m / m.sum()
    k = len(c["levels"])
    m = np.array([0.5**i for i in range(k)], float)
    return m / m.sum()


@dataclass
class Model:
    comparisons: list
    m: list
    u: list
    prior: float = 0.01
    info: dict = field(default_factory=dict)
    tf_u0: list = field(default_factory=list)  # shrinkage pseudo-count base per comparison
    n_records: int = 0

    @property
    def names(self):
        return [c["name"] for c in self.comparisons]

    def level_weights(self) -> list[np.ndarray]:
        out = []
        for c, m, u in zip(self.comparisons, self.m, self.u):
            w = np.log2(np.maximum(m, 1e-12) / np.maximum(u, 1e-12))
            if c.get("max_weight") is not None:
                w = np.minimum(w, float(c["max_weight"]))
            out.append(w)
        return out

    def tf_levels(self, j: int) -> set:
        return {k for k, lv in enumerate(self.comparisons[j]["levels"]) if lv.get("tf_adjust")}

    def contributions(self, levels: np.ndarray, tfs: dict) -> np.ndarray:
        """Per-pair, per-comparison match weights (log2 Bayes factors); 0 for null levels."""
        P, C = levels.shape
        out = np.zeros((P, C), np.float32)
        W = self.level_weights()
        tf_k = 2000.0  # pseudo-records pulling term frequencies toward the base u
        for j in range(C):
            lev = levels[:, j]
            w = np.concatenate([W[j], [0.0]])  # index -1 -> 0
            col = w[lev.astype(np.int64)]
            tl = self.tf_levels(j)
            if tl and j in tfs:
                tf = tfs[j]
                for k in tl:
                    sel = (lev == k) & ~np.isnan(tf)
                    if sel.any():
                        n = max(self.n_records, 1)
                        u0 = self.u[j][k]
                        u_tf = (tf[sel] * n + tf_k * u0) / (n + tf_k)
                        u_tf = np.maximum(u_tf, 1e-9)
                        wk = np.log2(self.m[j][k] / u_tf)
                        mw = self.comparisons[j].get("max_weight")
                        if mw is not None:
                            wk = np.minimum(wk, float(mw))
                        col[sel] = wk
            out[:, j] = col
        joint = tfs.get("name_joint")
        if joint is not None:
            jf, jg, ftf = joint
            kf = next((k for k, lv in enumerate(self.comparisons[jf]["levels"]) if lv["name"] == "exact"), None)
            kg = next((k for k, lv in enumerate(self.comparisons[jg]["levels"]) if lv["name"] == "exact"), None)
            if kf is not None and kg is not None:
                sel = (levels[:, jf] == kf) & (levels[:, jg] == kg) & ~np.isnan(ftf)
                if sel.any():
                    n = max(self.n_records, 1)
                    u0 = self.u[jf][kf] * self.u[jg][kg]
                    u_j = np.maximum((ftf[sel] * n + tf_k * u0) / (n + tf_k), 1e-12)
                    wj = np.log2(self.m[jf][kf] * self.m[jg][kg] / u_j)
                    cur = out[sel, jf] + out[sel, jg]
                    scale = np.where((wj < cur) & (cur > 0), wj / np.maximum(cur, 1e-9), 1.0)
                    out[sel, jf] *= scale
                    out[sel, jg] *= scale
        return out

    def prior_weight(self) -> float:
        p = min(max(self.prior, 1e-9), 1 - 1e-9)
        return math.log2(p / (1 - p))

    def as_settings(self) -> list[dict]:
        """Comparisons with the trained m and u filled in and `train: false` (for incremental runs)."""
        out = []
        for c, m, u in zip(self.comparisons, self.m, self.u):
            d = dict(c)
            d["m"] = [float(x) for x in m]
            d["u"] = [float(x) for x in u]
            d["train"] = False
            d["train_u"] = False
            out.append(d)
        return out

    def describe(self) -> list[dict]:
        rows = []
        W = self.level_weights()
        for c, m, u, w in zip(self.comparisons, self.m, self.u, W):
            for k, lv in enumerate(c["levels"]):
                rows.append(
                    {
                        "comparison": c["name"],
                        "level": lv["name"],
                        "m": float(m[k]),
                        "u": float(u[k]),
                        "match_weight": float(w[k]),
                    }
                )
        return rows


def _random_pairs(f: Features, n_pairs: int, rng: np.random.Generator, link_only: bool):
    n = f.n
    total = n * (n - 1) // 2
    if total <= n_pairs:
        ia, ib = np.triu_indices(n, 1)
        ia, ib = ia.astype(np.int64), ib.astype(np.int64)
    else:
        ia = rng.integers(0, n, int(n_pairs * 1.1) + 10)
        ib = rng.integers(0, n, len(ia))
        keep = ia != ib
        ia, ib = ia[keep][:n_pairs], ib[keep][:n_pairs]
    if link_only:
        keep = f.source[ia] != f.source[ib]
        ia, ib = ia[keep], ib[keep]
    return ia, ib


def estimate_u(
    f: Features, comparisons: list, n_pairs: int, rng, link_only=False, pseudo=200.0, u_floor=1e-5
) -> tuple[list, dict]:
    """u per level from random pairs, shrunk toward the starting values by `pseudo` pairs."""
    u0 = [default_u(c) for c in comparisons]
    ia, ib = _random_pairs(f, n_pairs, rng, link_only)
    info = {"random_pairs": int(len(ia))}
    if len(ia) == 0:
        return u0, info
    levels, _ = compute_levels(f, ia, ib, comparisons)
    out = []
    for j, c in enumerate(comparisons):
        if c.get("train_u") is False or (c.get("train") is False and c.get("u") is not None):
            out.append(u0[j])
            continue
        lev = levels[:, j]
        k = len(c["levels"])
        counts = np.bincount(lev[lev >= 0].astype(np.int64), minlength=k).astype(float)
        u = (counts + pseudo * u0[j]) / (counts.sum() + pseudo)
        u = np.maximum(u, u_floor)
        out.append(u / u.sum())
    return out, info


def _em(
    levels: np.ndarray,
    include: list[int],
    m: list,
    u: list,
    lam: float,
    max_iter: int,
    tol: float,
    m0: list,
    smoothing: float,
    fit_u: bool = True,
):
    """EM over the pairs' level patterns -> (m, lambda, iterations).

    u starts at the random-pair estimate and, with ``fit_u``, is re-fitted on the session's own
    non-matches (blocked non-matches agree more often than random pairs on fields correlated with the
    blocking key, e.g. nationality with the name); only m is kept from a session.
    """
    sub = levels[:, include]
    pats, counts = np.unique(sub, axis=0, return_counts=True)
    counts = counts.astype(float)
    m = [mm.copy() for mm in m]
    uu = [x.copy() for x in u]
    u_pseudo = 50.0
    it = 0
    for _ in range(max_iter):
        llr = np.zeros(len(pats))
        for t, j in enumerate(include):
            lm = np.log(np.concatenate([np.maximum(m[j], 1e-12), [1.0]]))
            lu = np.log(np.concatenate([np.maximum(uu[j], 1e-12), [1.0]]))
            idx = pats[:, t].astype(np.int64)
            llr += lm[idx] - lu[idx]
        lo = math.log(lam / (1 - lam)) + llr
        p = 1.0 / (1.0 + np.exp(-np.clip(lo, -700, 700)))
        w = p * counts
        wn = (1 - p) * counts
        new_lam = float(w.sum() / counts.sum())
        delta = abs(new_lam - lam)
        for t, j in enumerate(include):
            k = len(m[j])
            col = pats[:, t]
            valid = col >= 0
            num = np.bincount(col[valid].astype(np.int64), weights=w[valid], minlength=k)
            newm = (num + smoothing * m0[j]) / (num.sum() + smoothing)
            delta = max(delta, float(np.abs(newm - m[j]).max()))
            m[j] = newm
            if fit_u:
                nu = np.bincount(col[valid].astype(np.int64), weights=wn[valid], minlength=k)
                uu[j] = np.maximum((nu + u_pseudo * u[j]) / (nu.sum() + u_pseudo), 1e-9)
        lam = min(max(new_lam, 1e-6), 1 - 1e-6)
        if delta < tol:
            break
    return m, lam, it + 1, uu


def m_from_pairs(
    levels: np.ndarray, comparisons: list, skip: set, m0: list, smoothing: float, min_pairs: int = 30
) -> dict:
    """m from pairs known to match (shared passport / ID): level frequencies, shrunk toward m0."""
    out = {}
    for j, c in enumerate(comparisons):
        if j in skip or c.get("train", True) is False:
            continue
        col = levels[:, j]
        col = col[col >= 0]
        if len(col) < min_pairs:
            continue
        k = len(c["levels"])
        cnt = np.bincount(col.astype(np.int64), minlength=k).astype(float)
        out[j] = (cnt + smoothing * m0[j]) / (cnt.sum() + smoothing)
    return out


def estimate_m(
    f: Features, comparisons: list, u: list, ia, ib, levels, sessions, settings_training: dict, rng
) -> tuple[list, dict]:
    """m per level by EM over several training sessions (each a blocking rule over the candidates)."""
    m0 = [default_m(c) for c in comparisons]
    trainable = [j for j, c in enumerate(comparisons) if c.get("train", True)]
    sums = [np.zeros_like(x) for x in m0]
    nsess = [0] * len(comparisons)
    info = {"sessions": []}
    max_pairs = int(settings_training.get("em_max_pairs", 400000))
    smoothing = float(settings_training.get("m_smoothing", 5.0))
    for rule in sessions:
        try:
            mask = rule_mask(f, rule, ia, ib)
        except ValueError:
            continue
        idx = np.flatnonzero(mask)
        if len(idx) < 30:
            info["sessions"].append({"rule": list(rule), "pairs": int(len(idx)), "used": False})
            continue
        if len(idx) > max_pairs:
            idx = np.sort(rng.choice(idx, max_pairs, replace=False))
        fields = rule_fields(rule)
        include = [
            j for j in trainable if _comp_fields(comparisons[j]).isdisjoint(fields) and (levels[idx, j] >= 0).any()
        ]
        if not include:
            continue
        m_est, lam, iters, u_sess = _em(
            levels[idx],
            include,
            m0,
            u,
            0.2,
            int(settings_training.get("em_max_iterations", 40)),
            float(settings_training.get("em_tolerance", 1e-4)),
            m0,
            smoothing,
        )
        info["sessions"].append(
            {
                "rule": list(rule),
                "pairs": int(len(idx)),
                "used": True,
                "lambda": lam,
                "iterations": iters,
                "estimated": [comparisons[j]["name"] for j in include],
            }
        )
        for j in include:
            sums[j] += m_est[j]
            nsess[j] += 1
        if fields == {"name"} and "u_given_name_agrees" not in info:
            info["u_given_name_agrees"] = {j: u_sess[j] for j in include}
    m = []
    for j in range(len(comparisons)):
        m.append(sums[j] / nsess[j] if nsess[j] else m0[j])
    info["m_estimated_for"] = [comparisons[j]["name"] for j in range(len(comparisons)) if nsess[j]]
    # deterministic keys: pairs sharing a passport / national ID are near-certain matches
    strong = np.zeros(len(ia), bool)
    strong_j = set()
    for j, c in enumerate(comparisons):
        names = [lv["name"] for lv in c["levels"]]
        for s_ in c.get("strong") or []:
            if s_ in names:
                strong |= levels[:, j] == names.index(s_)
                strong_j.add(j)
    if strong.sum() >= 30:
        det = m_from_pairs(levels[strong], comparisons, strong_j, m0, smoothing)
        for j, mj in det.items():
            m[j] = mj
        info["m_from_identifier_pairs"] = {
            "pairs": int(strong.sum()),
            "comparisons": [comparisons[j]["name"] for j in det],
        }
    return m, info


def _comp_fields(c: dict) -> set:
    if c["type"] in ("name_part", "org_name"):
        return {"name"}
    if c["type"] == "date":
        return {"birth_date"}
    return {c.get("field")}


def estimate_prior(contrib_sum: np.ndarray, max_iter: int = 30, lam: float = 0.1) -> float:
    """Proportion of matches among the candidate pairs, by EM with m and u fixed."""
    if len(contrib_sum) == 0:
        return 0.01
    bf = np.clip(contrib_sum, -60, 60) * math.log(2)
    for _ in range(max_iter):
        lo = math.log(lam / (1 - lam)) + bf
        p = 1.0 / (1.0 + np.exp(-lo))
        new = float(p.mean())
        new = min(max(new, 1e-6), 1 - 1e-6)
        if abs(new - lam) < 1e-6:
            lam = new
            break
        lam = new
    return lam


def conditional_u(u_random: list, u_cond: dict, comparisons: list) -> list:
    """u for the non-name comparisons, measured on non-matching pairs whose names agree.

    Nationality, city and address follow the name's culture, so among namesakes they agree far more
    often than among random pairs; using random-pair u there would count the name twice.  The
    estimate only ever lowers an agreement weight: u = max(random u, conditional u) for every level
    but the last, which takes the remainder.
    """
    out = [x.copy() for x in u_random]
    for j, uc in u_cond.items():
        c = comparisons[j]
        if c.get("train") is False or c.get("conditional_u") is False:
            continue
        ur = u_random[j]
        v = np.maximum(ur, uc)
        k = len(v)
        head = v[: k - 1]
        rest = 1.0 - head.sum()
        if rest < 1e-6:
            head = head / (head.sum() + 1e-6) * (1 - 1e-6)
            rest = 1e-6
        out[j] = np.concatenate([head, [rest]])
    return out

"""Constrained clustering that does not chain unrelated people through one weak link.

Pairs are merged strongest first (union-find).  Two groups X and Y join only if

* no scored pair across them is forbidden (hard veto or reviewer "no-match"), and no explicit
  cannot-link ("unmerge") separates them,
* they do not carry two different frozen labels (existing entities kept apart in incremental mode),
* the mean match weight of the scored pairs across them is at least ``min_mean_weight``
  (reviewer "match" pairs skip this test, not the first two).

So A~B and B~C cannot pull A and C together when A-C is vetoed or scores as a clear non-match.
Cross-group pairs are looked up in the sorted array of scored pair codes, so no adjacency structure
is built and the cost follows the number of merges.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ConstrainedClusterer"]


class ConstrainedClusterer:
    def __init__(
        self, n: int, codes: np.ndarray, weights: np.ndarray, forbidden: np.ndarray, frozen: np.ndarray | None = None
    ):
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {}
        self.frozen: dict[int, set] = {}
        self.cannot: dict[int, set] = {}
        self.codes = codes  # sorted (i << 32 | j), i < j
        self.weights = weights
        self.forbidden = forbidden
        self.refused: list[tuple[int, int, float, str]] = []
        if frozen is not None:
            for i in np.flatnonzero(frozen >= 0):
                self.frozen[int(i)] = {int(frozen[i])}

    def find(self, i: int) -> int:
        p = self.parent
        root = i
        while p[root] != root:
            root = p[root]
        while p[i] != root:
            p[i], i = root, p[i]
        return root

    def _members(self, r: int) -> list[int]:
        return self.members.get(r, [r])

    def add_cannot(self, i: int, j: int) -> None:
        self.cannot.setdefault(i, set()).add(j)
        self.cannot.setdefault(j, set()).add(i)

    def _cross(self, A: list[int], B: list[int]):
        a = np.asarray(A, dtype=np.int64)
        b = np.asarray(B, dtype=np.int64)
        lo = np.minimum(a[:, None], b[None, :]).ravel()
        hi = np.maximum(a[:, None], b[None, :]).ravel()
        q = (lo << 32) | hi
        pos = np.searchsorted(self.codes, q)
        pos = np.minimum(pos, len(self.codes) - 1)
        hit = self.codes[pos] == q
        return pos[hit]

    def check(self, ra: int, rb: int, min_mean: float | None, single_edge_ok: bool) -> str | None:
        fa, fb = self.frozen.get(ra), self.frozen.get(rb)
        if fa and fb and fa != fb:
            return "would join two existing entities"
        A, B = self._members(ra), self._members(rb)
        if self.cannot:
            small, other = (A, rb) if len(A) <= len(B) else (B, ra)
            for x in small:
                cs = self.cannot.get(x)
                if cs and any(self.find(y) == other for y in cs):
                    return "separated by a reviewer decision (unmerge)"
        if single_edge_ok and len(A) == 1 and len(B) == 1:
            return None  # the edge itself is the only cross pair and it is not forbidden
        if len(self.codes) == 0:
            return None
        idx = self._cross(A, B)
        if len(idx) == 0:
            return None
        if self.forbidden[idx].any():
            return "a pair across the groups is vetoed or decided no-match"
        if min_mean is not None and len(idx) > 1:
            mw = float(self.weights[idx].mean())
            if mw < min_mean:
                return f"weak link: mean weight {mw:.1f} over {len(idx)} scored pairs across the groups"
        return None

    def union(self, ra: int, rb: int) -> int:
        A, B = self._members(ra), self._members(rb)
        if len(A) < len(B):
            ra, rb, A, B = rb, ra, B, A
        self.parent[rb] = ra
        self.members[ra] = A + B
        self.members.pop(rb, None)
        fa, fb = self.frozen.pop(ra, None), self.frozen.pop(rb, None)
        if fa or fb:
            self.frozen[ra] = (fa or set()) | (fb or set())
        return ra

    def force(self, i: int, j: int) -> None:
        """Join without any test (existing entity memberships)."""
        ra, rb = self.find(i), self.find(j)
        if ra != rb:
            self.union(ra, rb)

    def try_merge(
        self, i: int, j: int, w: float, min_mean: float | None, label: str = "", edge_forbidden: bool = False
    ) -> bool:
        ra, rb = self.find(i), self.find(j)
        if ra == rb:
            return True
        why = self.check(ra, rb, min_mean, single_edge_ok=not edge_forbidden)
        if why is not None:
            self.refused.append((i, j, w, (label + ": " if label else "") + why))
            return False
        self.union(ra, rb)
        return True

    def labels(self) -> np.ndarray:
        return np.array([self.find(i) for i in range(len(self.parent))], dtype=np.int64)

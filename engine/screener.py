"""The Screener: queries in, explained hits out, against one or more watchlists.

One native call per watchlist per batch (per chunk of SEARCH_CHUNK queries in a large batch, the next
chunks searched on the native pool while this one is weighed) proposes and scores candidate names
(blocking index, token alignment, all cores, GIL released); Python then weighs the evidence (birth
date, nationality, sex, documents, country) for the few candidates near the threshold. A hit's
explanation is written when it is first read (engine.Hit).

Lists and configuration are swapped atomically (`replace_watchlist`, `reload_config`): each call
takes one snapshot of both at its start, so a request sees one version of every list from start to
end, and every hit names the version it came from.
"""

from __future__ import annotations

import os
import re
from bisect import insort
from collections import deque
from typing import Any, Iterable, Mapping, Sequence

from .config import Config, Thresholds
from . import mrz
from .text import normalize
from .documents import DocumentIndex
from .model import KINDS, Document, DocumentHit, Hit, InputError, Query
from .comparisons import carried_comparisons
from .scoring import (
    COMPATIBLE_KINDS, FAR_BIRTH_YEARS, assess, band, birth_date_budget, birth_years_apart, conflict_deepening,
    describe_name, evidence_budgets, far_birth_year_floors, name_floors,
)
from .watchlist import Watchlist, birth_date_key

# Queries per native search call when a batch is large: the next chunk's search (native, on the
# thread pool, all cores) runs while Python weighs the evidence of this one.
SEARCH_CHUNK = 1024
# Chunk searches queued on the native pool at once: one runs while the next waits its turn.
SEARCHES_AHEAD = 2
# COMPATIBLE_KINDS by kind code (CandidateFacts.kind: the index in KINDS)
_COMPATIBLE_CODES = {kind: frozenset(KINDS.index(k) for k in kinds) for kind, kinds in COMPATIBLE_KINDS.items()}
# An organisation asked for by a word of four letters at most (`ELN`, `NPA`, `A.I.A.I.`): an acronym, which meets a
# listed word only as written (`WAED` in `WA'ED ORGANIZATION`), as the list's own acronyms are met only as written
# (Watchlist.acronym_rows): `ELN` is not `ELYANA`, `NPA` not `NABI`, by sound. Another acronym it meets as any name.
_ACRONYM_QUERY = re.compile(r"(?:[A-Za-z0-9&]\.?){2,4}")


def _acronym_of(q: Query, name: str) -> str | None:
    """The acronym an organisation's query is (`A.I.A.I.` -> `AIAI`), or None."""
    if q.kind != "organization" or _ACRONYM_QUERY.fullmatch(name.strip()) is None:
        return None
    return normalize(name).replace(" ", "")


def _holds_acronym(listed: str, acronym: str) -> bool:
    """Whether a listed name holds the acronym as written, or is an acronym itself (compared as any name:
    `ISIS` ~ `ISIL`, two acronyms of one entry)."""
    words = normalize(listed)
    return acronym in words.split() or words.replace(" ", "") == acronym or _ACRONYM_QUERY.fullmatch(listed.strip()) is not None


def _chunks(n: int) -> list[tuple[int, int]]:
    """[lo, hi) spans of a batch of n queries, in order: SEARCH_CHUNK each, but doubling from
    SEARCH_CHUNK // 8 at the start and halving down to SEARCH_CHUNK // 32 at the end. The first
    chunk is read, and the last one weighed, with no search beside them (a core idle): the smaller,
    the shorter. A search takes about twice as long as reading and weighing its queries, so a chunk's
    search still covers the reading of the next chunk and the weighing of the last at half or twice
    its size."""
    if n <= SEARCH_CHUNK:
        return [(0, n)]
    left = n

    def ramp(smallest: int) -> list[int]:
        nonlocal left
        sizes, size = [], max(1, smallest)
        while size < SEARCH_CHUNK and left > 0:
            sizes.append(min(size, left))
            left -= sizes[-1]
            size *= 2
        return sizes

    tail = ramp(SEARCH_CHUNK // 32)
    head = ramp(SEARCH_CHUNK // 8)
    middle = [SEARCH_CHUNK] * (left // SEARCH_CHUNK) + ([left % SEARCH_CHUNK] if left % SEARCH_CHUNK else [])
    spans, lo = [], 0
    for size in head + middle + tail[::-1]:
        spans.append((lo, lo + size))
        lo += size
    return spans


class _AlignedName:
    """A query's alignment with one listed name, for the hits of that name: whether it pairs a nickname
    (a feature, so known at once: the index says without aligning when it cannot), the alignment
    itself when needed, and its description when an explanation is read."""

    __slots__ = ("index", "query", "row", "text", "aligned", "_described", "pairs_a_nickname")

    def __init__(self, index: Any, query: str, row: int, text: str):
        self.index, self.query, self.row, self.text = index, query, row, text
        self.aligned: Any = None  # the comparison, once made
        self._described: str | None = None
        self.pairs_a_nickname = index.may_pair_nicknames(query, row) and any(
            how == "nickname" for *_, how in self.comparison.pairs
        )

    @property
    def comparison(self) -> Any:
        """compare_names(query, listed name), with the listed name's tokens from the index."""
        if self.aligned is None:
            self.aligned = self.index.compare_names(self.query, self.row, self.text)
        return self.aligned

    def described(self) -> str:
        if self._described is None:
            self._described = describe_name(self.comparison)
        return self._described


class _Explanation:
    """Writes a large batch's hit's explanation when it is first read: the name aligned again, then
    each feature's reason from the assessment made again. Until then the hit keeps only this one
    small object (not the assessment, whose reasons are closures, nor the query's alignments): the
    garbage collector walks the objects of every hit a large batch holds, as often as it collects."""

    __slots__ = ("index", "row", "text", "comparison", "nickname", "query", "entry", "name_score", "weak", "weights")

    def __init__(self, name: _AlignedName, query: Query, entry: Any, name_score: float, weak: bool, weights: Any):
        self.index, self.row, self.text = name.index, name.row, name.text
        self.comparison, self.nickname = name.aligned, name.pairs_a_nickname  # (aligned already for a nickname)
        self.query, self.entry, self.name_score, self.weak, self.weights = query, entry, name_score, weak, weights

    def __call__(self) -> tuple[str, ...]:
        comparison = self.comparison
        if comparison is None:
            comparison = self.index.compare_names(self.query.full_name, self.row, self.text)
        assessment = assess(self.query, self.entry, self.name_score, self.weak, self.weights, name=comparison if self.nickname else None)
        return (describe_name(comparison),) + assessment.explanation


class Screener:
    def __init__(self, watchlists: Watchlist | Iterable[Watchlist], config: Config | str | os.PathLike[str] | None = None):
        lists = (watchlists,) if isinstance(watchlists, Watchlist) else tuple(watchlists)
        if not lists:
            raise ValueError("a Screener needs at least one watchlist")
        ids = [w.list_id for w in lists]
        if len(set(ids)) != len(ids):
            raise ValueError(f"two watchlists share a list id: {ids}")
        self._lists: tuple[Watchlist, ...] = lists
        self.config: Config = Config.coerce(config)

    # --- state, swapped atomically --------------------------------------------------------------

    @property
    def watchlists(self) -> tuple[Watchlist, ...]:
        return self._lists

    @property
    def versions(self) -> dict[str, str]:
        return {w.list_id: w.version for w in self._lists}

    def replace_watchlist(self, watchlist: Watchlist) -> None:
        """Adds a list or replaces the list with the same id; in-flight calls keep their snapshot."""
        watchlist.name_index  # build before the swap, so no request waits for it
        self._lists = tuple(w for w in self._lists if w.list_id != watchlist.list_id) + (watchlist,)

    def reload_config(self, config: Config | str | os.PathLike[str] | None = None) -> Config:
        """Re-reads the configuration file (or takes the one given); a bad file leaves the old one."""
        source = config if config is not None else (self.config.source or None)
        self.config = Config.coerce(source)
        return self.config

    @staticmethod
    def _effective(t: Thresholds, threshold: float | None) -> Thresholds:
        """A caller's threshold replaces the report threshold (and caps the match threshold)."""
        if threshold is None:
            return t
        return Thresholds(report=threshold, match=max(t.match, threshold))

    # --- screening ------------------------------------------------------------------------------

    def screen(
        self,
        queries: Sequence[Mapping[str, Any] | Query],
        limit: int = 10,
        threshold: float | None = None,
    ) -> list[list[Hit]]:
        """Per query, up to `limit` hits at or above the threshold (per list and kind from the
        configuration unless `threshold` is given), best first."""
        if isinstance(queries, (Mapping, Query)):
            raise InputError("queries", "expected a list of queries, got a single query")
        if not isinstance(limit, int) or limit < 1:
            raise InputError("limit", f"expected a positive integer, got {limit!r}")
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise InputError("threshold", f"expected a number in [0, 1], got {threshold!r}")
        items = queries if isinstance(queries, Sequence) else list(queries)
        if not items:
            return []
        lists, cfg = self._lists, self.config
        reports = {
            wl.list_id: threshold if threshold is not None else min(
                [cfg.thresholds_for(wl.list_id, k).report for k in ("person", "organization", "vessel")]
            )
            for wl in lists
        }
        qs: list[Query] = []
        names: list[str] = []
        # what each query's evidence can add at most: its name floor, and the bound for stopping early
        reach: list[float] = []
        floors: dict[str, list[float]] = {wl.list_id: [] for wl in lists}
        # per list, each query's (birth year or 0, the name score a candidate born far from it needs): the
        # native search sets aside those below it, which _weigh would rule out on their birth year
        far: dict[str, list[tuple[int, float]]] = {wl.list_id: [] for wl in lists}
        far_floor = far_birth_year_floors(cfg.weights)
        nickname_gain = max(0.0, cfg.weights.name_nickname)
        # a person's full birth date: the second blocking key (CandidateFacts.born_on)
        birth_keys: list[int | None] = []
        evidence_budget, name_floor = evidence_budgets(cfg.weights), name_floors(cfg.weights)
        birth_date_most = birth_date_budget(cfg.weights)

        def take(lo: int, hi: int) -> None:
            """Reads queries [lo, hi): their names, reach and per-list name floors."""
            for i in range(lo, hi):
                q = Query.from_dict(items[i], f"queries[{i}]")
                qs.append(q)
                names.append(q.full_name)
                reach.append(evidence_budget(q))
                birth_keys.append(birth_date_key(q.birth_date) if q.kind == "person" else None)
                if q.birth_date is None:
                    for wl in lists:
                        floors[wl.list_id].append(max(0.0, reports[wl.list_id] - reach[-1]))
                        far[wl.list_id].append((0, 0.0))
                else:  # the birth date lifts a partial name more, so its floor is the name it can lift
                    beside_birth_date = reach[-1] - birth_date_most
                    for wl in lists:
                        floors[wl.list_id].append(name_floor(reports[wl.list_id] - beside_birth_date))
                        far[wl.list_id].append((q.birth_date.year, far_floor(
                            reports[wl.list_id] - nickname_gain, beside_birth_date - nickname_gain)))

        def search(wl: Watchlist, lo: int, hi: int, ahead: bool) -> Any:
            index = wl.name_index
            born_on = wl.candidate_facts.born_on if cfg.birth_date_candidates else None
            extra = [born_on.get(k, ()) if k is not None else () for k in birth_keys[lo:hi]] if born_on else None
            return (index.search_ahead if ahead else index.search)(
                names[lo:hi], limit=4 * limit + 10, max_candidates=cfg.max_candidates, min_score=floors[wl.list_id][lo:hi],
                extra_names=extra if extra and any(extra) else None,
                birth_years=wl.candidate_facts.birth_years, far_floors=far[wl.list_id][lo:hi],
            )

        spans = _chunks(len(items))
        jobs = [(wl, lo, hi) for wl in lists for lo, hi in spans]
        small = len(spans) == 1  # a request's batch: its hits are explained at once (_weigh)
        results: list[list[Hit]] = [[] for _ in items]
        if len(jobs) == 1:  # one search, in this thread: a lone query's is spread over the cores
            take(0, len(items))
            self._weigh(lists[0], qs, names, reach, search(*jobs[0], False), 0, limit, threshold, results)
            return results
        # Chunks are searched on the native pool, SEARCHES_AHEAD at a time, while this thread reads
        # the queries of the next and weighs the candidates of the last: a search that ends before
        # the weighing finds the next one queued, and the cores stay busy.
        pending: deque[Any] = deque()

        def start_more() -> None:
            while len(pending) < SEARCHES_AHEAD and len(pending) + done < len(jobs):
                wl, lo, hi = jobs[len(pending) + done]
                if hi > len(qs):
                    take(len(qs), hi)
                pending.append(search(wl, lo, hi, True))

        done = 0
        start_more()
        for wl, lo, _ in jobs:
            raw = pending.popleft().wait()
            done += 1
            start_more()
            self._weigh(wl, qs, names, reach, raw, lo, limit, threshold, results, explain_now=small)
        if len(lists) > 1:  # each list's hits are in order (_weigh): merged, best first
            for hits in results:
                hits.sort(key=lambda h: (-h.score, h.list_id, h.entry_id))
                del hits[limit:]
        return results

    def _weigh(
        self, wl: Watchlist, qs: Sequence[Query], names: Sequence[str], reach: Sequence[float],
        raw: Sequence[Sequence[tuple[int, int, float]]],
        offset: int, limit: int, threshold: float | None, results: list[list[Hit]], explain_now: bool = True,
    ) -> None:
        """The evidence step for one list and the queries from `offset` on (`names`: their full
        names): `raw` holds their (entry, name row, name score) from the native search, best name
        score first. `explain_now`: the hits are explained at once (a request's, read at once by
        the service), else when their explanation is first read (_Explanation)."""
        cfg = self.config
        weights = cfg.weights
        # what the name's own features (a nickname pair, known once the alignment is explained) can
        # add to or take from the evidence weighed without them
        nickname_gain, nickname_loss = max(0.0, weights.name_nickname), min(0.0, weights.name_nickname)
        owners, indexed_names, list_id, version = wl.owners, wl.indexed_names, wl.list_id, wl.version
        facts = wl.candidate_facts
        kinds, listed_years, weak_rows = facts.kind, facts.birth_year, facts.weak
        no_year, several_years = facts.NO_YEAR, facts.SEVERAL_YEARS
        index = wl.name_index
        acronyms = wl.acronym_rows
        per_kind: dict[int, Thresholds] = {}
        weak_alias, birth_date_most, conflict = weights.weak_alias, birth_date_budget(weights), weights.birth_date_conflict
        for qi, found in enumerate(raw, offset):
            if not found:
                continue
            q = qs[qi]
            compatible = _COMPATIBLE_CODES[q.kind]
            acronym = _acronym_of(q, names[qi])
            comparisons = carried_comparisons(q)
            born = q.birth_date.year if q.birth_date else 0
            # what the evidence besides a birth date (and a nickname) can add at most
            beside_birth_date = reach[qi] - nickname_gain - (birth_date_most if born else 0.0)
            # 1. the evidence of each candidate that may reach the report threshold
            may_hit: list[tuple[float, Any, Any, int, float, Any, Thresholds]] = []
            # (-score, entry id) that the best `limit` hits will at least have, in the final order
            surely: list[tuple[float, str]] = []
            for owner, name_row, name_score in found:
                # `found` is best name score first: once `limit` hits beat anything the rest
                # could reach with all the evidence in their favour, the rest cannot enter
                most = min(1.0, name_score + reach[qi])
                if len(surely) >= limit and most < -surely[limit - 1][0]:
                    break
                kind = kinds[owner]
                if kind not in compatible or (acronyms and name_score < 1.0 and name_row in acronyms):
                    continue
                if acronym and not _holds_acronym(indexed_names[name_row].name, acronym):
                    continue
                if len(surely) >= limit and most == -surely[limit - 1][0] and owners[owner].id > surely[limit - 1][1]:
                    # at best a tie with `limit` hits, all of which come first on the tie; so do the
                    # rest, unless the clamp to 1 lets a lower name score reach as much
                    if name_score + reach[qi] <= 1.0:
                        break  # equal name scores come in entry id order (Watchlist.owners)
                    continue
                t = per_kind.get(kind)
                if t is None:
                    t = per_kind[kind] = self._effective(cfg.thresholds_for(list_id, KINDS[kind]), threshold)
                # a birth year far from every listed one only takes away: most candidates of a
                # passenger with a birth date are ruled out here, on the candidate facts alone
                # (birth_years_apart: the same, for an entry with several listed dates)
                apart = None
                if born:
                    year = listed_years[owner]
                    if year == several_years:
                        apart = birth_years_apart(q, owners[owner], name_score, weights)
                    elif year != no_year and abs(year - born) >= FAR_BIRTH_YEARS:
                        apart = conflict - conflict_deepening(name_score, weights)
                if apart is not None:
                    at_most = name_score + apart + beside_birth_date + (weak_alias if weak_rows[name_row] else 0.0)
                    if min(1.0, max(0.0, at_most)) + nickname_gain < t.report:
                        continue
                entry, indexed = owners[owner], indexed_names[name_row]
                a = assess(q, entry, name_score, indexed.weak, weights, comparisons=comparisons)
                if a.score + nickname_gain < t.report:
                    continue
                may_hit.append((min(1.0, a.score + nickname_gain), entry, indexed, name_row, name_score, a, t))
                if a.score + nickname_loss >= t.report:
                    insort(surely, (-(a.score + nickname_loss), entry.id))
                    del surely[limit:]
            # 2. explained (the alignment, the hit) only while a candidate can still be among the
            # `limit` best of this list: a list of common names gives dozens of equal candidates
            may_hit.sort(key=lambda m: (-m[0], m[1].id))  # the final order: score, then entry id
            best: list[tuple[float, str, Hit]] = []  # (-score, entry id, hit): the final order
            # per listed name: its alignment with the query (many people on a national list share one
            # name: it is aligned once)
            aligned: dict[str, _AlignedName] = {}
            for most, entry, indexed, name_row, name_score, a, t in may_hit:
                if len(best) >= limit:
                    last_score, last_id = -best[limit - 1][0], best[limit - 1][1]
                    if most < last_score or (most == last_score and entry.id > last_id):
                        break  # nor can any after it: they could reach no more, and come later on a tie
                name = aligned.get(indexed.name)
                if name is None:
                    name = aligned[indexed.name] = _AlignedName(index, names[qi], name_row, indexed.name)
                if name.pairs_a_nickname:  # the name's own features
                    a = assess(q, entry, name_score, indexed.weak, weights, name=name.comparison, comparisons=comparisons)
                if a.score < t.report:
                    continue
                explanation = (
                    (name.described(),) + a.explanation if explain_now
                    else _Explanation(name, q, entry, name_score, indexed.weak, weights)
                )
                hit = Hit(entry.id, list_id, a.score, band(a.score, t), indexed.name, a.features, version, explanation)
                insort(best, (-a.score, entry.id, hit))
                del best[limit:]
            results[qi].extend(hit for _, _, hit in best)

    def check_documents(
        self, documents: Sequence[Mapping[str, Any] | Document], threshold: float | None = None
    ) -> list[list[DocumentHit]]:
        """Per document, the listed documents it matches: exactly, up to OCR confusions, or one
        edit or transposition away, best first. One native lookup per watchlist for the batch. A
        document's MRZ (TD1/TD2/TD3) is parsed and its check digits validated: a malformed zone is
        an InputError, a wrong number check digit a named feature of the document's hits."""
        if isinstance(documents, (Mapping, Document)):
            raise InputError("documents", "expected a list of documents, got a single document")
        docs = [Document.from_dict(d, f"documents[{i}]") for i, d in enumerate(documents)]
        mrzs = [mrz.parse(d.mrz, f"documents[{i}].mrz") if d.mrz else None for i, d in enumerate(docs)]
        lists, cfg = self._lists, self.config
        out: list[list[DocumentHit]] = [[] for _ in docs]
        for wl in lists:
            index: DocumentIndex = wl.document_index
            t = self._effective(cfg.thresholds_for(wl.list_id, "document"), threshold)
            for i, matches in enumerate(index.lookup_batch(docs, mrzs)):
                for m in matches:
                    if m.score < t.report:
                        continue
                    out[i].append(
                        DocumentHit(
                            m.entry_id, wl.list_id, m.score, band(m.score, t), m.document.number,
                            m.features, wl.version, m.explanation,
                        )
                    )
        for hits in out:
            hits.sort(key=lambda h: (-h.score, h.list_id, h.entry_id))
        return out

"""Interdict's screening engine: watchlists, screening queries, explained hits.

```python
import engine
wl = engine.Watchlist.from_records(records, list_id="national")
scr = engine.Screener(wl)
hits = scr.screen([{"name": "Usama bin Ladin", "birth_date": "1957"}])
m = engine.score_pair({"name": "J. Smith"}, {"id": "1", "names": ["John Smith"]})
```
The hot work runs in the compiled core (`engine._native`, Rust); the modules text, phonetic,
similarity and names are its thin Python twins.
"""

from . import _native
from .config import DEFAULT_MATCH_THRESHOLD, DEFAULT_THRESHOLD, Config, ConfigError, Thresholds, Weights
from .model import Document, DocumentHit, Entry, Hit, InputError, PartialDate, Query
from .pool import search_threads, set_search_threads
from .scoring import Match, score_pair
from .screener import Screener
from .watchlist import Watchlist

__version__ = _native.__version__

__all__ = [
    "DEFAULT_MATCH_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "Config",
    "ConfigError",
    "Document",
    "DocumentHit",
    "Entry",
    "Hit",
    "InputError",
    "Match",
    "PartialDate",
    "Query",
    "Screener",
    "Thresholds",
    "Watchlist",
    "Weights",
    "score_pair",
    "search_threads",
    "set_search_threads",
]

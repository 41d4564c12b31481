"""Property tests: any valid list saved as TOML or JSON loads back equal."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli.core.models import Item, NewsFile
from coopcli.storage.store import Store
from tests.strategies import is_tag

# Any text at all except surrogates (which no UTF-8 file can hold), trimmed as the
# models trim it.
text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1).map(str.strip).filter(bool)
tags = st.lists(text.filter(is_tag), max_size=3)
urls = st.builds(
    lambda host, path: f"https://{host}.org/{path}",
    st.from_regex(r"[a-z]{1,10}", fullmatch=True),
    st.from_regex(r"[a-z0-9/]{0,12}", fullmatch=True),
)


@st.composite
def news_files(draw: st.DrawFn) -> NewsFile:
    count = draw(st.integers(0, 6))
    items = []
    for n in range(count):
        items.append(
            Item(
                id=f"item-{n}",
                type=draw(st.sampled_from(["news", "spotlight", "champion", "statement", "story"])),
                title=draw(text),
                date=draw(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))),
                summary=draw(st.none() | text),
                url=draw(st.none() | urls),
                tags=draw(tags),
            )
        )
    return NewsFile(title=draw(st.none() | text), description=draw(st.none() | text), items=items)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=news_files(), suffix=st.sampled_from([".toml", ".json"]))
def test_save_then_load_is_identity(doc: NewsFile, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / f"news{suffix}")
        with store.transaction() as loaded:
            loaded.title = doc.title
            loaded.description = doc.description
            loaded.items.extend(doc.items)
        again = store.load()
        assert again.to_data() == doc.to_data()
        # Saving what was loaded changes no byte: the order on disk is deterministic.
        first = store.path.read_bytes()
        with store.transaction():
            pass
        assert store.path.read_bytes() == first


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=st.dictionaries(st.text(max_size=5), json_values, max_size=4))
def test_the_json_writer_matches_the_standard_library(value: dict[str, object]) -> None:
    import json

    from coopcli.formats import json as json_format

    assert json_format.dump(value) == json.dumps(value, ensure_ascii=False, indent=2) + "\n"

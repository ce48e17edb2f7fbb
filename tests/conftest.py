import os
import sys
from pathlib import Path

import pytest

# No on-disk graph cache in tests unless a test asks for one (tests/test_cache.py): every build is a fresh build.
os.environ.setdefault("ECOSYSTEM_GRAPH_CACHE", "off")
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def catalogue():
    from loaders.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture(scope="session")
def seed_graph():
    """The bundled graph (seed + reference roster); tests must not change it."""
    from graph import build_graph

    return build_graph()


@pytest.fixture(scope="session")
def seed_doc():
    from loaders.text import bundled_documents

    return bundled_documents()[0]

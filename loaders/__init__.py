"""Loaders: read texts, rosters and the knowledge in data/ into plain records (no networkx, no Streamlit).

>>> from loaders import load_catalogue, load_document
"""

from .catalogue import Catalogue, load_catalogue
from .errors import InputError
from .matcher import AliasMatcher
from .quantities import ClaimExtractor
from .records import Claim, Entity, Fact, Mention, Relation
from .relations import RelationExtractor
from .rosters import merge_rosters, parse_roster, read_roster
from .text import Document, bundled_documents, document_from_text, load_document

__all__ = ["Catalogue", "load_catalogue", "InputError", "AliasMatcher", "ClaimExtractor", "Claim", "Entity", "Fact",
           "Mention", "Relation", "RelationExtractor", "merge_rosters", "parse_roster", "read_roster", "Document",
           "bundled_documents", "document_from_text", "load_document"]

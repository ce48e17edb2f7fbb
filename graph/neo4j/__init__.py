"""Neo4j (and other Bolt servers): one model of the graph, pushed over Bolt or written as files, and pulled back.

============  =========================================================================================
module        what
============  =========================================================================================
``files``     the model (:func:`grouped_for_neo4j`), the cypher-shell script and the neo4j-admin CSVs
``driver``    connecting, plain :class:`~loaders.errors.ConnectionFailure` errors, a time limit per query
``dialect``   what the server does with parameters and database names, found by trying; message shrinking
``push``      batched idempotent MERGE that skips rows whose content hash the server already holds
``digests``   what the server holds, per label and hash bucket, so a re-push reads few stored hashes
``native``    FalkorDB's Redis port for push (``GRAPH.QUERY``, 1,000-row batches; its Bolt bridge takes ~10)
``pull``      reading the graph back (long values in pieces where the server needs it)
============  =========================================================================================

>>> from graph.neo4j import push, pull                                   # doctest: +SKIP
>>> push(G, "bolt://localhost:7687", ("neo4j", "secret"))                # doctest: +SKIP
>>> H = pull("bolt://localhost:7687", ("neo4j", "secret"))               # doctest: +SKIP
"""

from .driver import Connection, connect
from .files import grouped_for_neo4j, neo4j_properties, write_admin_import, write_cypher
from .pull import counts, pull
from .push import push

__all__ = ["push", "pull", "counts", "connect", "Connection", "grouped_for_neo4j", "neo4j_properties",
           "write_cypher", "write_admin_import"]

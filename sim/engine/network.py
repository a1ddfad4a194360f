"""Who knows whom: the contact structure of word of mouth (DOMAIN W3, W4, W8).

In a **well-mixed** market (the default, as in Bass 1969) a message reaches anyone in the target
market at random, so no structure is stored. On a **social network** every person of the
target market is a node; a message goes to one of the sender's neighbours. Two seeded
generators from networkx:

* ``small_world``: Watts & Strogatz (1998), a ring lattice in which each person knows their
  ``contacts`` nearest neighbours, each tie rewired at random with ``rewiring_probability``:
  tight circles of friends plus a few long-range ties;
* ``scale_free``: Barabasi & Albert (1999), preferential attachment with ``contacts / 2``
  ties per newcomer: most people know a few others, a few hubs know very many.

The graph is kept as compressed sparse rows (two integer arrays) so that picking a random
neighbour costs two index operations, whatever the size.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import networkx as nx
import numpy as np


@dataclass(frozen=True)
class Network:
    """Adjacency of a social network in compressed sparse rows.

    The neighbours of node ``i`` are ``neighbours[start[i]:start[i + 1]]``.
    """

    start: array
    neighbours: array

    @property
    def size(self) -> int:
        """Number of people (nodes)."""
        return len(self.start) - 1

    def contact(self, node: int, draw: float) -> int:
        """One of ``node``'s neighbours, picked by a uniform ``draw`` (-1 if it has none)."""
        first = self.start[node]
        degree = self.start[node + 1] - first
        if degree == 0:
            return -1
        return self.neighbours[first + int(draw * degree)]


def build_network(kind: str, size: int, contacts: int, rewiring: float, seed: int) -> Network:
    """A seeded social network of ``size`` people.

    Parameters
    ----------
    kind
        ``"small_world"`` or ``"scale_free"``.
    size
        Number of people (the target market).
    contacts
        Mean number of acquaintances (even for the small world; the scale-free graph adds
        ``contacts // 2`` ties per newcomer, so its mean degree is close to ``contacts``).
    rewiring
        Small world only: probability of rewiring each lattice tie (Watts & Strogatz 1998).
    seed
        Seed of networkx's generator; the same seed gives the same graph.

    Returns
    -------
    Network
    """
    if kind == "small_world":
        graph = nx.watts_strogatz_graph(size, contacts - contacts % 2, rewiring, seed=seed)
    elif kind == "scale_free":
        graph = nx.barabasi_albert_graph(size, max(1, contacts // 2), seed=seed)
    else:
        raise ValueError(f"network kind '{kind}'; allowed: small_world, scale_free")
    return from_edges(size, np.array(graph.edges(), dtype=np.int64).reshape(-1, 2))


def from_edges(size: int, edges: np.ndarray) -> Network:
    """Compressed sparse rows of an undirected graph given as an ``(m, 2)`` edge array."""
    both = np.concatenate([edges, edges[:, ::-1]])
    order = np.lexsort((both[:, 1], both[:, 0]))
    both = both[order]
    counts = np.bincount(both[:, 0], minlength=size)
    start = np.concatenate([[0], np.cumsum(counts)])
    return Network(array("q", start.tolist()), array("q", both[:, 1].tolist()))

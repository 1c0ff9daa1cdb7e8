"""The friendship network over the potential pool: graph, sources, rules and observables (issue 14).

`SocialGraph` holds the ties as CSR arrays; `build_network` makes the graph a
scenario's `[network]` section asks for (None for `well_mixed`); `sim.network.rules`
holds the pure rules (invitations, acceptance, ties, contagious leaving, posting) and
`sim.network.observables` the measures (cascades, message shares, joins by friends).
"""

from sim.network.edgelist import NetworkDataError, read_attributes, read_edge_list, write_edge_list
from sim.network.generators import communities, holme_kim
from sim.network.graph import SocialGraph
from sim.network.observables import cascades, joins_by_friends_inside, message_shares
from sim.network.section import NetworkSection
from sim.network.sources import build_attributes, build_network

__all__ = [
    "NetworkDataError",
    "NetworkSection",
    "SocialGraph",
    "build_attributes",
    "build_network",
    "cascades",
    "communities",
    "holme_kim",
    "joins_by_friends_inside",
    "message_shares",
    "read_attributes",
    "read_edge_list",
    "write_edge_list",
]

"""The `[network]` scenario section: where the friendship graph comes from and its shape.

Kept beside the network code (and imported by `sim.scenario.schema`) so the package
is self-contained; it follows the schema's conventions: every field has a default, a
unit and a source in its description, a finite range, and unknown keys are errors.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NetworkSource = Literal["well_mixed", "communities", "holme_kim", "edge_list"]


class NetworkSection(BaseModel):
    """The friendship network over the potential pool (docs/ODD.md §8, `[network]`)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    source: NetworkSource = Field(
        "well_mixed",
        description="well_mixed = no graph (everyone meets everyone, the classic models); communities = vectorized "
        "circles-of-friends generator; holme_kim = networkx Holme-Kim growth (small pools); edge_list = file",
    )
    mean_degree: float = Field(
        20.0, gt=0, le=1000, description="mean friends per person in the pool (generated graphs), people"
    )
    degree_exponent: float = Field(
        2.5, gt=2, le=5, description="exponent gamma of the power-law degree tail P(k) ~ k^-gamma (communities)"
    )
    max_degree: int = Field(1000, ge=2, le=100_000, description="largest expected degree (communities), people")
    community_size_mean: float = Field(
        50.0, ge=3, le=100_000, description="mean size of a circle of friends (communities), people; Dunbar layer 50"
    )
    community_size_sigma: float = Field(0.8, ge=0, le=3, description="lognormal sigma of circle sizes (communities)")
    mixing: float = Field(
        0.2, ge=0, le=1, description="share of a person's structural ties outside their circle (LFR mu), 0..1"
    )
    triadic_closure: float = Field(
        0.2,
        ge=0,
        lt=1,
        description="share of ties formed by friend-of-a-friend closure (communities); triad probability (holme_kim)",
    )
    edge_list: str | None = Field(
        None, description="CSV or Parquet file of ties source,target[,weight] by person id 0..pool-1 (edge_list)"
    )
    attributes: str | None = Field(
        None, description="optional CSV or Parquet file of per-person traits: id plus interest/propensity/... columns"
    )

    @model_validator(mode="after")
    def _file_given(self) -> NetworkSection:
        if self.source == "edge_list" and not self.edge_list:
            raise ValueError("network.edge_list must name a CSV or Parquet file when network.source = 'edge_list'")
        if self.source != "edge_list" and self.edge_list:
            raise ValueError(
                f"network.edge_list is only read when network.source = 'edge_list' (it is {self.source!r})"
            )
        return self

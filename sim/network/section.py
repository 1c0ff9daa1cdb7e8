"""The `[network]` scenario section: where the friendship graph comes from and its shape.

Kept beside the network code (and imported by `sim.scenario.schema`) so the package
is self-contained; it follows the schema's conventions (`sim.scenario.schema.Section`):
every field has a default, a one-line meaning (`description`), a finite range and, in
`json_schema_extra`, its unit and source; types are strict, inf and NaN are refused, and
unknown keys are errors.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NetworkSource = Literal["well_mixed", "communities", "holme_kim", "edge_list"]


class NetworkSection(BaseModel):
    """The friendship network over the potential pool (docs/ODD.md §8, `[network]`)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False)

    source: NetworkSource = Field(
        "well_mixed",
        description=(
            "where the graph comes from: `well_mixed` = no graph (today's model, the classic special cases); "
            "`communities` = vectorized circles-of-friends generator; `holme_kim` = networkx Holme–Kim growth (small "
            "pools); `edge_list` = file"
        ),
        json_schema_extra={"unit": "—", "source": "seed 003 (建立用户关系, 裂变), seed 002 §1 ch. 3.7 (强关系)"},
    )
    mean_degree: float = Field(
        20.0,
        gt=0,
        le=1000,
        description="mean number of friends per person in the pool (generated sources)",
        json_schema_extra={
            "unit": "people",
            "source": "Dunbar 1998 (sympathy group ≈15, active network ≈150; a topic pool holds a slice of it); "
            "value: calibration",
        },
    )
    degree_exponent: float = Field(
        2.5,
        gt=2,
        le=5,
        description="γ of the power-law tail of expected degrees, P(k) ∝ k^−γ (`communities`)",
        json_schema_extra={
            "unit": "—",
            "source": "Barabási & Albert 1999; Chung & Lu 2002 (2 < γ < 3 in social graphs)",
        },
    )
    max_degree: int = Field(
        1000,
        ge=2,
        le=100_000,
        description="largest expected degree; the power law is truncated there (`communities`)",
        json_schema_extra={"unit": "people", "source": "calibration (well below WeChat's 5,000-friend cap)"},
    )
    community_size_mean: float = Field(
        50.0,
        ge=3,
        le=100_000,
        description="mean size of a circle of friends (`communities`)",
        json_schema_extra={
            "unit": "people",
            "source": "Zhou, Sornette, Hill & Dunbar 2005 (layers of ≈5, 15, 50, 150)",
        },
    )
    community_size_sigma: float = Field(
        0.8,
        ge=0,
        le=3,
        description="lognormal σ of circle sizes (`communities`)",
        json_schema_extra={
            "unit": "—",
            "source": "Lancichinetti, Fortunato & Radicchi 2008 (heavy-tailed community sizes); value: calibration",
        },
    )
    mixing: float = Field(
        0.2,
        ge=0,
        le=1,
        description="share of a person's structural ties outside their circle (LFR's μ) (`communities`)",
        json_schema_extra={"unit": "0..1", "source": "Lancichinetti, Fortunato & Radicchi 2008; value: calibration"},
    )
    triadic_closure: float = Field(
        0.2,
        ge=0,
        lt=1,
        description=(
            "share of all ties formed by friend-of-a-friend closure (`communities`); triad-formation probability "
            "(`holme_kim`)"
        ),
        json_schema_extra={"unit": "0..1", "source": "Holme & Kim 2002; Jackson & Rogers 2007; value: calibration"},
    )
    edge_list: str | None = Field(
        None,
        description=(
            "CSV or Parquet file of ties `source,target[,weight]` by person id 0..`potential_pool`−1; required with "
            '`source = "edge_list"`, refused otherwise'
        ),
        json_schema_extra={"unit": "path", "source": "the operator's own data"},
    )
    attributes: str | None = Field(
        None,
        description=(
            "optional CSV or Parquet file of per-person traits: `id` plus any of `interest`, `propensity`, "
            "`patience`, `wtp`"
        ),
        json_schema_extra={"unit": "path", "source": "the operator's own data"},
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

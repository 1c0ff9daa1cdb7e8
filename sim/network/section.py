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
Founders = Literal["random", "well_connected"]
DepartureKind = Literal["cluster", "random"]


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
            "CSV or Parquet file of ties `source,target[,weight]` by person id 0..`potential_pool`−1, a relative "
            "name read from the folder of the scenario file that sets it (from the working directory in --set); "
            'required with `source = "edge_list"`, refused otherwise'
        ),
        json_schema_extra={"unit": "path", "source": "the operator's own data"},
    )
    attributes: str | None = Field(
        None,
        description=(
            "optional CSV or Parquet file of per-person traits: `id` plus any of `interest`, `propensity`, "
            "`patience`, `wtp` (a relative name is read like `edge_list`'s)"
        ),
        json_schema_extra={"unit": "path", "source": "the operator's own data"},
    )

    # ---------------------------------------------------------------- the wired day (sim/mechanisms/network.py)
    founders: Founders = Field(
        "random",
        description=(
            "who the founding members (`population.initial_members`) are: `random` people of the pool, or the "
            "`well_connected` ones (highest degree), the seeding of a group through a few hubs"
        ),
        json_schema_extra={
            "unit": "—",
            "source": "seed 003 (种子用户, 拉群); Kempe, Kleinberg & Tardos 2003 (seeding)",
        },
    )
    invitation_rate: float = Field(
        0.1,
        ge=0,
        le=100,
        description=(
            "mean invitations/day an engaged member sends to friends outside the community (the mean over "
            "everyone, non-inviters included); the referral factor of `acquisition.referral_incentive` and "
            "`referral_reward` multiplies it"
        ),
        json_schema_extra={"unit": "invitations/day", "source": "seed 003 (裂变); value: calibration"},
    )
    inviter_share: float = Field(
        0.1,
        gt=0,
        le=1,
        description=(
            "share of people who ever invite; the rest invite nobody (1 with `inviter_sigma` 0 = everyone alike)"
        ),
        json_schema_extra={
            "unit": "0..1",
            "source": "Leskovec, Adamic & Huberman 2007 (most recommendations come from few people)",
        },
    )
    inviter_sigma: float = Field(
        1.0,
        ge=0,
        le=5,
        description="lognormal σ of the invitation propensity among inviters (0 = inviters alike)",
        json_schema_extra={"unit": "—", "source": "Goel, Watts & Goldstein 2012; value: calibration"},
    )
    founder_burst: float = Field(
        10.0,
        ge=0,
        le=1000,
        description=(
            "extra invitation rate of a group's founding team (members who joined the day it opened), as a "
            "multiple of their own rate, at the group's start: × (1 + burst·exp(−age/`founder_burst_days`))"
        ),
        json_schema_extra={"unit": "×", "source": "seed 003 (拉群: the owner pulls in their circle on day 0)"},
    )
    founder_burst_days: float = Field(
        3.0,
        ge=0,
        le=365,
        description="time constant of the founders' burst fading (0 = the opening day only)",
        json_schema_extra={"unit": "days", "source": "calibration"},
    )
    accept_base: float = Field(
        0.2,
        ge=0,
        le=1,
        description="acceptance of an invitation with no friend already in the group, per unit of interest",
        json_schema_extra={"unit": "0..1", "source": "Backstrom, Huttenlocher, Kleinberg & Lan 2006; calibration"},
    )
    accept_per_friend: float = Field(
        0.25,
        ge=0,
        le=1,
        description=(
            "each friend already in the inviting group closes this share of the remaining gap to acceptance "
            "(diminishing returns): p = interest·(1 − (1 − base)(1 − per_friend)^k)"
        ),
        json_schema_extra={"unit": "0..1", "source": "Backstrom et al. 2006; Centola 2010 (reinforcement)"},
    )
    talk_tie_rate: float = Field(
        0.05,
        ge=0,
        le=10,
        description=(
            "new ties a member forms per message written, with others who wrote in the same group, before "
            "crowding (× 1 / (1 + size/`value.crowd_size`))"
        ),
        json_schema_extra={
            "unit": "ties/message",
            "source": "seed 002 ch. 3.7 (强关系 from conversation); calibration",
        },
    )
    tie_decay: float = Field(
        0.02,
        ge=0,
        le=1,
        description="share of a tie formed by talking lost per day without contact (neither of the two wrote)",
        json_schema_extra={"unit": "1/day", "source": "Burt 2000; Roberts & Dunbar 2011; value: calibration"},
    )
    tie_floor: float = Field(
        0.05,
        gt=0,
        le=1,
        description="a tie formed by talking whose strength falls below this is dropped",
        json_schema_extra={"unit": "0..1", "source": "calibration"},
    )
    poster_share: float = Field(
        0.1,
        gt=0,
        le=1,
        description=(
            "share of people who write at all; the rest lurk (read, take value, can invite, go dormant and leave); "
            "with a network the propensity is redrawn zero-inflated with mean `population.propensity_mean`"
        ),
        json_schema_extra={"unit": "0..1", "source": "Nielsen 2006 (90-9-1); van Mierlo 2014 (1% rule)"},
    )
    posting_sigma: float = Field(
        1.5,
        ge=0,
        le=5,
        description="lognormal σ of the posting propensity among those who write (a small core writes most)",
        json_schema_extra={"unit": "—", "source": "Kraut & Resnick 2012 (participation inequality); calibration"},
    )
    reply_gain: float = Field(
        0.5,
        ge=0,
        le=10,
        description="most extra posting from replies to one's messages yesterday (× 1 + gain·(1 − exp(−r/sat)))",
        json_schema_extra={"unit": "×", "source": "Joyce & Kraut 2006 (a reply makes a second post likelier)"},
    )
    reply_saturation: float = Field(
        2.0,
        gt=0,
        le=1000,
        description="replies at which the reply lift reaches 63% of `reply_gain`",
        json_schema_extra={"unit": "replies", "source": "calibration"},
    )
    recognition_gain: float = Field(
        0.5,
        ge=0,
        le=10,
        description="extra posting at full recognition (an admin's welcome, fading over a week)",
        json_schema_extra={"unit": "×", "source": "Burke, Marlow & Lento 2009 (feedback raises contribution)"},
    )
    departure_day: int = Field(
        0,
        ge=0,
        le=100_000,
        description="day on which `departure_size` members leave at once, after the members' day (0 = never)",
        json_schema_extra={"unit": "day", "source": "scenario lever (Garcia, Mavrodiev & Schweitzer 2013)"},
    )
    departure_size: int = Field(
        50,
        ge=1,
        le=1_000_000,
        description="members who leave on `departure_day`",
        json_schema_extra={"unit": "people", "source": "scenario lever"},
    )
    departure_kind: DepartureKind = Field(
        "cluster",
        description=(
            "who leaves on `departure_day`: a tight `cluster` of friends (breadth-first from the member with most "
            "friends in their group) or `random` members (the control)"
        ),
        json_schema_extra={"unit": "—", "source": "Garcia, Mavrodiev & Schweitzer 2013 (Friendster)"},
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

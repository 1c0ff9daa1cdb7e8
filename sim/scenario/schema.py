"""The scenario schema: every lever and parameter of the model, typed and bounded.

A scenario is a TOML file in sections; each section below is one table. Every field has
a default, a one-line meaning (`description`), a finite range (`ge`/`gt`/`le`/`lt`) and,
in `json_schema_extra`, its unit and source, so a file only states what differs from the
baseline. `sim.scenario.keys.key_table` lists them (`community-sim keys`), and docs/ODD.md §8's
tables are generated from them: better wording belongs here, not in ODD.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.network.section import NetworkSection
from sim.rules.channels import channel_reach, referral_multiplier
from sim.rules.dates import FIRST_YEAR, LAST_YEAR

EntryThreshold = Literal["free", "paid", "invite", "review", "task"]
AdPolicy = Literal["tolerate", "warn_then_kick", "kick"]
SplitPolicy = Literal["none", "at_capacity", "dunbar", "low_activity"]
Routing = Literal["appeal", "smallest"]
DeadPolicy = Literal["keep", "dissolve", "merge", "archive"]
Tier = Literal["free", "paid"]
PromoteBy = Literal["activity", "purchase", "either"]
ActivityKind = Literal["checkin", "sharing", "discussion", "red_packet", "meetup"]
CampaignKind = Literal["presale", "flash_sale", "launch"]

PUBLIC_CHANNEL = "public"
"""Name of channel 0: the free inflow of `acquisition.channel_inflow_per_day`."""
MAX_SEED = 2**63 - 1
"""Largest seed: seeds are 64-bit SeedSequence entropy, as the sweeps' seed trees make them."""
MAX_DAYS = 36_500
"""Longest run, in days (100 years): the one bound of `run.days`, `--days` and a sweep's `days`."""


class Section(BaseModel):
    """Base of every section: unknown keys are errors, values are validated on assignment.

    Types are strict (``true`` is not an integer, ``"50"`` is not a number, ``1`` is not a
    boolean; an integer is accepted where a real is expected) and no value may be inf or NaN.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True, allow_inf_nan=False)


class Run(Section):
    """Seed and length of a run."""

    seed: int = Field(
        0,
        ge=0,
        le=MAX_SEED,
        description=(
            "root seed of the one numpy Generator every draw comes from (`numpy.random.default_rng(seed)`, i.e. a "
            "SeedSequence root); `CommunityModel(rng=...)` overrides it"
        ),
        json_schema_extra={"unit": "—", "source": "technical"},
    )
    days: int = Field(
        180,
        ge=1,
        le=MAX_DAYS,
        description="days simulated by `run()` / the CLI; one step = one day",
        json_schema_extra={"unit": "days", "source": "technical"},
    )


class Population(Section):
    """The potential pool and the spread of its traits (§7.1 of docs/ODD.md)."""

    potential_pool: int = Field(
        20000,
        ge=1,
        le=1_000_000_000,
        description=(
            "M: everyone who could ever join, founders included; one row of the people table each; also the "
            "denominator of the Bass and irSIR terms"
        ),
        json_schema_extra={"unit": "people", "source": "Bass 1969 (market potential m); value: calibration"},
    )
    initial_members: int = Field(
        100,
        ge=0,
        le=1_000_000_000,
        description="founding members on day 0, drawn uniformly from the pool, stage active",
        json_schema_extra={
            "unit": "people",
            "source": "seed 002 §2.2 (the first members shape the group); value: calibration",
        },
    )
    initial_left: int = Field(
        0,
        ge=0,
        le=1_000_000_000,
        description="people marked as having left on day 0 (irSIR's R(0)); they count in R and in `left`",
        json_schema_extra={"unit": "people", "source": "Cannarella & Spechler 2014 (R(0) > 0); default 0"},
    )
    interest_mean: float = Field(
        0.5,
        ge=0.001,
        le=0.99,
        description="mean interest match to the topic; interest ~ Beta(mean·c, (1−mean)·c)",
        json_schema_extra={
            "unit": "0..1",
            "source": "seed 002 §2.1 (同好), seed 000; Ren & Kraut 2014 (topical fit); value: calibration",
        },
    )
    interest_concentration: float = Field(
        4.0,
        ge=0.1,
        le=1000.0,
        description="c = a+b of the interest Beta; higher = members more alike",
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    propensity_mean: float = Field(
        1.0,
        ge=0.001,
        le=1000.0,
        description=(
            "arithmetic mean of the lognormal propensity: messages/day of an engaged member at multiplier 1 and no lift"
        ),
        json_schema_extra={
            "unit": "messages/day",
            "source": "calibration (heavy-tailed participation, Kraut & Resnick 2012)",
        },
    )
    propensity_sigma: float = Field(
        0.8,
        ge=0,
        le=5.0,
        description="σ of the lognormal propensity (0 = all equal)",
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    patience_mean: float = Field(
        1.0,
        ge=0.01,
        le=100.0,
        description="mean patience; patience ~ Gamma(shape, mean/shape); divides the leave hazard",
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    patience_shape: float = Field(
        4.0,
        ge=0.5,
        le=1000.0,
        description=(
            "Gamma shape of patience; variance = mean²/shape, so a *large* shape means nearly homogeneous patience"
        ),
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    wtp_mean: float = Field(
        60.0,
        ge=0,
        le=1000000.0,
        description="arithmetic mean of the lognormal willingness to pay",
        json_schema_extra={
            "unit": "currency",
            "source": "seed 003 §money (membership and product paths); value: calibration",
        },
    )
    wtp_sigma: float = Field(
        0.8,
        ge=0,
        le=5.0,
        description="σ of the lognormal willingness to pay",
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    homogeneous: bool = Field(
        False,
        description="every trait at its mean (no Beta/lognormal/Gamma draws): the classic aggregate models",
        json_schema_extra={"unit": "bool", "source": "Bass 1969; Cannarella & Spechler 2014; Ribeiro 2014"},
    )


class Entry(Section):
    """The entry threshold (门槛) and the commitment of those who pass it."""

    threshold: EntryThreshold = Field(
        "free",
        description="entry threshold (门槛) every arrival faces: `free`, `paid`, `invite`, `review`, `task` (§7.5)",
        json_schema_extra={"unit": "—", "source": "seed 003 §rules (thresholds list); seed 002 §2.2 (加入原则), §4.2"},
    )
    fee: float = Field(
        0.0,
        ge=0,
        le=1000000.0,
        description="entry fee (paid threshold); also the renewal fee",
        json_schema_extra={
            "unit": "currency",
            "source": "seed 002 §4.2 (付费: yearly or permanent); value: calibration",
        },
    )
    fee_period_days: int = Field(
        0,
        ge=0,
        le=36500,
        description="renewal period of a paid membership; 0 = one-off fee",
        json_schema_extra={"unit": "days", "source": "seed 002 §4.2 (年费或者永久)"},
    )
    renewal_min_satisfaction: float = Field(
        0.2,
        ge=-5.0,
        le=5.0,
        description="satisfaction a member needs to renew (besides being able to pay)",
        json_schema_extra={"unit": "value units", "source": "calibration"},
    )
    invite_code_share: float = Field(
        0.1,
        ge=0,
        le=1,
        description="share of non-referred arrivals holding an invite code (invite threshold)",
        json_schema_extra={"unit": "0..1", "source": "seed 003 §rules (方向邀请, invite code); value: calibration"},
    )
    review_min_interest: float = Field(
        0.55,
        ge=0,
        le=1,
        description="interest the reviewer accepts (review threshold)",
        json_schema_extra={"unit": "0..1", "source": "seed 003 §rules (条件过滤); value: calibration"},
    )
    review_minutes: float = Field(
        1.0,
        ge=0,
        le=1440.0,
        description=(
            "admin minutes per reviewed applicant (accepted or not); the admins review at most their day's minutes"
            " worth, the others wait"
        ),
        json_schema_extra={"unit": "minutes", "source": "calibration"},
    )
    task_effort: float = Field(
        0.3,
        ge=0,
        le=0.99,
        description=(
            "interest below which nobody does the entry task; pass probability (interest − effort)/(1 − effort)"
        ),
        json_schema_extra={
            "unit": "0..1",
            "source": "seed 002 §4.2 (转发海报, 问卷); seed 003 §rules (完成任务); value: calibration",
        },
    )
    poster_invitations: float = Field(
        0.0,
        ge=0,
        le=1000.0,
        description=(
            "task threshold: invitations the poster each newcomer shares on the day after joining sends "
            "(well mixed: arrivals at full pool; with a network: invitations to friends); 0 = the task invites nobody"
        ),
        json_schema_extra={
            "unit": "invitations/newcomer",
            "source": "seed 002 §4.2 (转发海报 to enter); seed 003 §conversion (裂变); value: calibration",
        },
    )
    commitment: float | None = Field(
        None,
        ge=0,
        le=100.0,
        description=(
            "commitment of a member who passed the threshold; `none` = by threshold: free 0, paid 1, invite 0.3, "
            "review 0.5, task 0.2"
        ),
        json_schema_extra={
            "unit": "—",
            "source": 'seed 002 §2.2, §4.2 ("if I paid, I cherish it"); '
            "Kraut & Resnick 2012 (entry barriers raise commitment); per-threshold values: calibration",
        },
    )


class Acquisition(Section):
    """Inflow from public channels, organic joins and referral (fission)."""

    channel_inflow_per_day: float = Field(
        20.0,
        ge=0,
        le=10000000.0,
        description=(
            "people/day reached by public channels (Douyin, Kuaishou, Weibo, official accounts) while the whole pool "
            "is still potential; enters as a hazard channel/M per potential person"
        ),
        json_schema_extra={
            "unit": "people/day",
            "source": "seed 003 §steps (step 4: public domain → private pool); value: calibration",
        },
    )
    external_rate: float = Field(
        0.0,
        ge=0,
        le=10.0,
        description="Bass p: extra external join hazard of each potential person (joins counted as `organic`)",
        json_schema_extra={"unit": "1/day", "source": "Bass 1969 (p); default 0"},
    )
    referral_rate: float = Field(
        0.02,
        ge=0,
        le=10.0,
        description="Bass q: referral (fission 裂变) joins per active member per day at full pool",
        json_schema_extra={
            "unit": "1/day",
            "source": "Bass 1969 (q); Cannarella & Spechler 2014 (β); "
            "seed 003 §conversion (主动裂变), seed 000 step 5; value: calibration",
        },
    )
    referral_incentive: float = Field(
        0.0,
        ge=0,
        le=100.0,
        description="relative boost of q by a referral incentive: q·(1 + incentive)",
        json_schema_extra={"unit": "—", "source": "seed 003 §conversion (主动裂变); value: calibration"},
    )
    referral_reward: float = Field(
        0.0,
        ge=0,
        le=1000000.0,
        description=(
            "money paid by the operator per referral join; it also raises the referral rate and network invitations "
            "by the factor 1 + reward_lift·ln(1 + reward/reward_scale)"
        ),
        json_schema_extra={"unit": "currency/join", "source": "Ryu & Feick 2007 (referral rewards); calibration"},
    )
    reward_lift: float = Field(
        0.5,
        ge=0,
        le=100.0,
        description="response of the referral rate to `referral_reward`: the lift per unit of ln(1 + reward/scale)",
        json_schema_extra={
            "unit": "—",
            "source": "Ryu & Feick 2007 (rewards raise referral likelihood); log response: Bernoulli 1738; "
            "value: calibration",
        },
    )
    reward_scale: float = Field(
        10.0,
        ge=0.01,
        le=1000000.0,
        description="reward at which the referral response bends (diminishing returns above it)",
        json_schema_extra={"unit": "currency/join", "source": "calibration"},
    )

    def referral_multiplier(self) -> float:
        """Factor on the referral rate and on invitations from `referral_incentive` and `referral_reward`."""
        return referral_multiplier(self.referral_incentive, self.referral_reward, self.reward_lift, self.reward_scale)


MIN_PRICE = 0.01
"""Least price per arrival of a channel bought by spend (a smaller one would buy an unbounded inflow)."""


class Channel(Section):
    """One named acquisition channel ([[channels]] in TOML): what it costs and whom it brings."""

    name: str = Field(
        min_length=1,
        max_length=40,
        description="channel name (抖音, 快手, 公众号, 微博, ...), unique; `public` is the free inflow's",
        json_schema_extra={"unit": "—", "source": "seed 003 §steps (step 4: public domain → private pool)"},
    )
    daily_spend: float | None = Field(
        None,
        ge=0,
        le=10000000.0,
        description="money spent on the channel every day; buys `cost_per_arrival`-priced arrivals up to `saturation`",
        json_schema_extra={"unit": "currency/day", "source": "seed 003 §money (引流成本); value: the operator's"},
    )
    daily_volume: float | None = Field(
        None,
        ge=0,
        le=10000000.0,
        description=(
            "people/day the channel brings at full pool, paid per arrival (`cost_per_arrival` each); "
            "give this or `daily_spend`"
        ),
        json_schema_extra={"unit": "people/day", "source": "seed 003 §steps; value: the operator's"},
    )
    cost_per_arrival: float = Field(
        0.0,
        ge=0,
        le=1000000.0,
        description="price of one arrival (an applicant at the entry threshold), for the first arrivals bought",
        json_schema_extra={"unit": "currency/arrival", "source": "seed 003 §money (获客成本); value: the operator's"},
    )
    saturation: float | None = Field(
        None,
        ge=0.01,
        le=10000000.0,
        description=(
            "most people/day the spend can reach (diminishing returns): reach = saturation·(1 − exp(−spend/"
            "(cost·saturation))); `none` = a fixed price per arrival"
        ),
        json_schema_extra={
            "unit": "people/day",
            "source": "Hanssens, Parsons & Schultz 2001 (concave response); Jin et al. 2017 (shape effects)",
        },
    )
    interest_mean: float | None = Field(
        None,
        ge=0.001,
        le=0.99,
        description="mean interest of the people the channel brings (Beta, as population.interest_mean); `none` = "
        "the population's",
        json_schema_extra={"unit": "0..1", "source": "seed 003 §steps (channels differ in the fans they bring)"},
    )
    interest_concentration: float | None = Field(
        None,
        ge=0.1,
        le=1000.0,
        description="c = a+b of the channel's interest Beta; `none` = the population's",
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    wtp_mean: float | None = Field(
        None,
        ge=0,
        le=1000000.0,
        description="mean willingness to pay of the people the channel brings (lognormal); `none` = the population's",
        json_schema_extra={"unit": "currency", "source": "seed 003 §money; value: calibration"},
    )
    wtp_sigma: float | None = Field(
        None,
        ge=0,
        le=5.0,
        description="σ of the channel's lognormal willingness to pay; `none` = the population's",
        json_schema_extra={"unit": "—", "source": "calibration"},
    )

    @model_validator(mode="after")
    def _priced(self) -> Channel:
        if (self.daily_spend is None) == (self.daily_volume is None):
            raise ValueError(f"channel {self.name!r}: give exactly one of daily_spend and daily_volume")
        if self.daily_spend is not None and self.cost_per_arrival < MIN_PRICE:
            raise ValueError(f"channel {self.name!r}: daily_spend needs cost_per_arrival >= {MIN_PRICE}")
        if self.saturation is not None and self.daily_spend is None:
            raise ValueError(f"channel {self.name!r}: saturation applies to daily_spend only")
        return self

    @property
    def reach(self) -> float:
        """People/day the channel brings at full pool."""
        if self.daily_volume is not None:
            return self.daily_volume
        return channel_reach(self.daily_spend or 0.0, self.cost_per_arrival, self.saturation)

    @property
    def redraws_traits(self) -> bool:
        """True when the channel brings people of its own interest or willingness-to-pay distribution."""
        return any(
            v is not None for v in (self.interest_mean, self.interest_concentration, self.wtp_mean, self.wtp_sigma)
        )


class Activity(Section):
    """Engagement decay and reactivation: the active <-> dormant flows."""

    decay_rate: float = Field(
        0.02,
        ge=0,
        le=10.0,
        description="g: active/new → dormant hazard at multiplier 1",
        json_schema_extra={
            "unit": "1/day",
            "source": "Ribeiro 2014 (activity decay); seed 002 §2.3 (活跃度下降); value: calibration",
        },
    )
    reactivation_rate: float = Field(
        0.02,
        ge=0,
        le=10.0,
        description="r: spontaneous dormant → active hazard at multiplier 1",
        json_schema_extra={"unit": "1/day", "source": "Ribeiro 2014; seed 003 §data (觉醒率); value: calibration"},
    )
    peer_reactivation_rate: float = Field(
        0.05,
        ge=0,
        le=10.0,
        description="b: dormant → active hazard per unit of active share a (active members pull dormant ones back)",
        json_schema_extra={"unit": "1/day", "source": "Ribeiro 2014 (word of mouth among members); value: calibration"},
    )
    novelty_decay: float = Field(
        0.04,
        ge=0,
        le=1,
        description="share of novelty lost per day",
        json_schema_extra={
            "unit": "1/day",
            "source": "seed 002 §2.3 (every group is lively at first); value: calibration",
        },
    )
    novelty_floor: float = Field(
        0.4,
        ge=0,
        le=1,
        description="value multiplier left once novelty is gone (floor + (1 − floor)·novelty)",
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    dormant_exposure: float = Field(
        0.3,
        ge=0,
        le=1,
        description="exposure of a dormant (muted, lurking) member to the group's value and annoyance",
        json_schema_extra={"unit": "0..1", "source": "seed 002 §2.2 (屏蔽: muting); value: calibration"},
    )


class Churn(Section):
    """Leaving: base hazard, contagious leaving (irSIR) and dormant members' extra risk."""

    base_rate: float = Field(
        0.003,
        ge=0,
        le=10.0,
        description="leave hazard of an active member at multiplier 1, patience 1, commitment 0",
        json_schema_extra={
            "unit": "1/day",
            "source": "seed 002 §2.3 (退群); Cannarella & Spechler 2014 (SIR recovery γ); value: calibration",
        },
    )
    peer_rate: float = Field(
        0.0,
        ge=0,
        le=10.0,
        description="v: contagious leave hazard per unit of the share R/M of people who left or were kicked",
        json_schema_extra={"unit": "1/day", "source": "Cannarella & Spechler 2014 (irSIR ν); default 0"},
    )
    dormant_multiplier: float = Field(
        3.0,
        ge=0,
        le=100.0,
        description="leave hazard of a dormant member relative to an active one",
        json_schema_extra={"unit": "×", "source": "calibration"},
    )


class Onboarding(Section):
    """The new stage and the first-24-hours impression."""

    new_days: int = Field(
        7,
        ge=1,
        le=3650,
        description="days a member stays in the new stage before graduating to active",
        json_schema_extra={"unit": "days", "source": "seed 003 §data (new users); value: calibration"},
    )
    welcome: bool = Field(
        True,
        description="admins welcome newcomers (costs `moderation.minutes_per_welcome` each)",
        json_schema_extra={
            "unit": "bool",
            "source": "seed 003 §rules (群公告和欢迎词); Kraut & Resnick 2012 (socialisation of newcomers)",
        },
    )
    ritual: bool = Field(
        False,
        description=(
            "onboarding ritual (rules, self-introduction, welcome gift) for every newcomer; costs no admin time"
        ),
        json_schema_extra={"unit": "bool", "source": "seed 002 §2.4 (仪式感), §4.3 (进群的自我介绍)"},
    )
    first_day_leave: float = Field(
        0.5,
        ge=0,
        le=1,
        description="first-24-hours leave probability of a newcomer with zero impression",
        json_schema_extra={
            "unit": "probability",
            "source": "seed 003 §rules (first 24 hours decide, primacy effect); value: calibration",
        },
    )
    welcome_effect: float = Field(
        0.5,
        ge=0,
        le=5.0,
        description="impression added by a welcome",
        json_schema_extra={"unit": "value units", "source": "calibration"},
    )
    ritual_effect: float = Field(
        0.5,
        ge=0,
        le=5.0,
        description="impression added by the ritual",
        json_schema_extra={"unit": "value units", "source": "calibration"},
    )
    impression_scale: float = Field(
        0.5,
        ge=0.001,
        le=5.0,
        description="impression that divides the first-day leave probability by e",
        json_schema_extra={"unit": "value units", "source": "calibration"},
    )


class Dynamics(Section):
    """Satisfaction memory and how strongly hazards respond to it; the value-feedback switch."""

    value_feedback: bool = Field(
        True,
        description=(
            "`false` turns off every effect of satisfaction on behaviour (multiplier ≡ 1, no first-day rule, no spam "
            "turning, no patience/commitment in leaving): the classic special cases"
        ),
        json_schema_extra={"unit": "bool", "source": "Bass 1969; Cannarella & Spechler 2014; Ribeiro 2014"},
    )
    satisfaction_memory: float = Field(
        10.0,
        ge=1,
        le=3650.0,
        description="EMA horizon of satisfaction: s ← s + (value − s)/memory",
        json_schema_extra={"unit": "days", "source": "calibration"},
    )
    sensitivity: float = Field(
        3.0,
        ge=0,
        le=20.0,
        description="κ: how strongly hazards respond to satisfaction, multiplier = exp(κ(s − s_ref))",
        json_schema_extra={"unit": "1/value unit", "source": "calibration"},
    )
    reference_satisfaction: float = Field(
        0.3,
        ge=-5.0,
        le=5.0,
        description="s_ref: satisfaction at which every hazard equals its base rate",
        json_schema_extra={"unit": "value units", "source": "calibration"},
    )
    initial_satisfaction: float = Field(
        0.4,
        ge=-5.0,
        le=5.0,
        description="satisfaction of a member on joining (founders included)",
        json_schema_extra={"unit": "value units", "source": "calibration"},
    )
    substeps: int = Field(
        0,
        ge=0,
        le=100,
        description=(
            "sub-steps a day is cut into for the population terms of the hazards (§7.2); 0 = automatic: ⌈largest rate"
            " / 0.05⌉ with feedback off, 1 with feedback on"
        ),
        json_schema_extra={"unit": "count", "source": "numerics (explicit midpoint per sub-step); default: automatic"},
    )


class Value(Section):
    """The daily value members take: content, conversation, ties, minus ads."""

    content_weight: float = Field(
        0.8,
        ge=0,
        le=5.0,
        description="w_c: weight of KOL/admin content in daily value",
        json_schema_extra={
            "unit": "value units",
            "source": "seed 002 §2.3 (output decides value); seed 001; value: calibration",
        },
    )
    chat_weight: float = Field(
        0.4,
        ge=0,
        le=5.0,
        description="w_m: weight of members' conversation in daily value",
        json_schema_extra={
            "unit": "value units",
            "source": "seed 002 §2.3 (全员开花); seed 000 key point 2; value: calibration",
        },
    )
    ties_weight: float = Field(
        0.4,
        ge=0,
        le=5.0,
        description="w_t: weight of ties to other members in daily value",
        json_schema_extra={
            "unit": "value units",
            "source": "seed 002 §1 ch. 3.7 (强关系), §2.4 (归属感); value: calibration",
        },
    )
    content_saturation: float = Field(
        2.0,
        ge=0.001,
        le=1000.0,
        description="quality-weighted content posts/day in a group giving 63% of the content value",
        json_schema_extra={"unit": "posts/day", "source": "calibration"},
    )
    chat_saturation: float = Field(
        0.5,
        ge=0.001,
        le=1000.0,
        description="member messages per member per day giving 63% of the chat value",
        json_schema_extra={
            "unit": "messages/member/day",
            "source": "Butler 2001 (communication as a resource); value: calibration",
        },
    )
    crowd_size: float = Field(
        300.0,
        ge=0.001,
        le=10000000.0,
        description=(
            "group size at which crowding halves chat value and tie formation: crowd = 1/(1 + size/crowd_size)"
        ),
        json_schema_extra={
            "unit": "members",
            "source": "Butler 2001 (size costs); seed 002 §2.5 (bigger → feeling splits); value: calibration",
        },
    )
    ties_saturation: float = Field(
        5.0,
        ge=0.001,
        le=1000.0,
        description="ties giving 63% of the tie value (and of the tie part of the kick stake)",
        json_schema_extra={"unit": "ties", "source": "calibration"},
    )
    off_topic_share: float = Field(
        0.3,
        ge=0,
        le=1,
        description=(
            "share of member messages that are off-topic chatter; deleted off-topic messages give no chat value and "
            "build no ties"
        ),
        json_schema_extra={
            "unit": "0..1",
            "source": "Ren & Kraut 2014 (off-topic discussion and its moderation); value: calibration",
        },
    )
    tie_rate: float = Field(
        0.05,
        ge=0,
        le=100.0,
        description="ties formed per day by an engaged member at multiplier 1 in a tiny group",
        json_schema_extra={"unit": "ties/day", "source": "calibration"},
    )
    tie_decay: float = Field(
        0.01,
        ge=0,
        le=1,
        description="share of ties lost per day while dormant",
        json_schema_extra={"unit": "1/day", "source": "calibration"},
    )
    ad_annoyance: float = Field(
        0.5,
        ge=0,
        le=5.0,
        description="value lost at saturating visible-ad exposure",
        json_schema_extra={
            "unit": "value units",
            "source": "seed 002 §2.2 (广告与灌水 → 屏蔽), §2.3; value: calibration",
        },
    )
    ad_saturation: float = Field(
        20.0,
        ge=0.001,
        le=10000.0,
        description="visible ads/day in a group giving 63% of the annoyance",
        json_schema_extra={"unit": "ads/day", "source": "calibration"},
    )


class Output(Section):
    """Content output of KOLs and admins: cadence and quality."""

    kol_posts_per_day: float = Field(
        2.0,
        ge=0,
        le=100.0,
        description="content posts planned per KOL per posting day (Poisson mean before motivation and time limits)",
        json_schema_extra={
            "unit": "posts/day",
            "source": "seed 002 §2.3 (daily voice message, regular 干货 sharing); value: calibration",
        },
    )
    admin_posts_per_day: float = Field(
        0.2,
        ge=0,
        le=100.0,
        description=(
            "content posts by each admin in each group it manages (Poisson mean × regularity); costs no admin minutes"
        ),
        json_schema_extra={"unit": "posts/day/group", "source": "seed 002 §2.3; value: calibration"},
    )
    quality: float = Field(
        0.7,
        ge=0,
        le=1,
        description="quality of every content post (deterministic; multiplies the post count)",
        json_schema_extra={"unit": "0..1", "source": "seed 002 §2.3 (稳定的服务输出); value: calibration"},
    )
    regularity: float = Field(
        0.9,
        ge=0,
        le=1,
        description="probability a KOL's planned posting day happens; admins post at rate × regularity",
        json_schema_extra={"unit": "probability", "source": "seed 002 §2.3 (steady output); value: calibration"},
    )


class Roles(Section):
    """KOLs and admins on day 0 and their time."""

    kols: int = Field(
        2,
        ge=0,
        le=100000,
        description="KOLs on day 0, each serving every founding group",
        json_schema_extra={"unit": "agents", "source": "seed 000 step 2; seed 002 §4.4; value: calibration"},
    )
    admins: int = Field(
        1,
        ge=0,
        le=100000,
        description="admins on day 0, each managing every founding group",
        json_schema_extra={"unit": "agents", "source": "seed 002 §2.2 (设立管理员)"},
    )
    admin_minutes_per_day: float = Field(
        120.0,
        ge=0,
        le=1440.0,
        description="attention of one admin, split evenly over its groups; all of it is paid for",
        json_schema_extra={
            "unit": "minutes/day",
            "source": "seed 002 §4.4 (one person cannot manage N groups); value: calibration",
        },
    )
    kol_hours_per_day: float = Field(
        1.5,
        ge=0,
        le=24.0,
        description="time budget of one KOL (posts, helping admins, activities)",
        json_schema_extra={"unit": "hours/day", "source": "calibration"},
    )


class Kol(Section):
    """KOL time use, recognition, burnout, planned departure and cultivation."""

    minutes_per_post: float = Field(
        30.0,
        ge=0.001,
        le=1440.0,
        description="KOL minutes to write one post",
        json_schema_extra={"unit": "minutes", "source": "calibration"},
    )
    moderation_minutes: float = Field(
        10.0,
        ge=0,
        le=1440.0,
        description="KOL minutes/day helping admins in each group served (added to that group's moderation capacity)",
        json_schema_extra={
            "unit": "minutes/day/group",
            "source": "seed 002 §4.4 (KOLs assist or replace the owner in management); value: calibration",
        },
    )
    praise: float = Field(
        0.3,
        ge=0,
        le=1,
        description="public praise and private thanks by the operator",
        json_schema_extra={"unit": "0..1", "source": "seed 003 §farming (当众公开表扬, 私下感恩)"},
    )
    reward_per_post: float = Field(
        0.0,
        ge=0,
        le=1000000.0,
        description="money paid to a KOL per post",
        json_schema_extra={"unit": "currency/post", "source": "seed 003 §farming (真金白银的感恩); default 0"},
    )
    reward_scale: float = Field(
        50.0,
        ge=0.001,
        le=1000000.0,
        description="reward/post giving 63% of the money part of recognition",
        json_schema_extra={"unit": "currency/post", "source": "calibration"},
    )
    audience_scale: float = Field(
        50.0,
        ge=0.001,
        le=10000000.0,
        description="engaged members in the groups served whose replies give 63% of the reply part of recognition",
        json_schema_extra={"unit": "members", "source": "calibration"},
    )
    motivation_memory: float = Field(
        20.0,
        ge=1,
        le=3650.0,
        description="days over which motivation follows recognition",
        json_schema_extra={"unit": "days", "source": "calibration"},
    )
    overload_fatigue: float = Field(
        0.05,
        ge=0,
        le=10.0,
        description="motivation lost per day per unit of overload (need/budget − 1)",
        json_schema_extra={"unit": "1/day", "source": "calibration"},
    )
    burnout_threshold: float = Field(
        0.25,
        ge=0,
        le=1,
        description="motivation below which a KOL may quit",
        json_schema_extra={"unit": "0..1", "source": "calibration"},
    )
    quit_rate: float = Field(
        0.05,
        ge=0,
        le=10.0,
        description="quit hazard of a KOL below the burnout threshold",
        json_schema_extra={"unit": "1/day", "source": "seed 002 §4.4 (激励和淘汰制度); value: calibration"},
    )
    leave_day: int | None = Field(
        None,
        ge=1,
        le=36500,
        description="day on which every KOL present leaves at once (KOL-loss experiment); `none` = never",
        json_schema_extra={"unit": "day", "source": "DOMAIN.md (KOL dependence); scenario lever"},
    )
    cultivation_rate: float = Field(
        0.01,
        ge=0,
        le=10.0,
        description=(
            "hazard/day (whole community, at most one per day) that the operator promotes the best eligible member to"
            " KOL"
        ),
        json_schema_extra={
            "unit": "1/day",
            "source": "seed 003 §farming (培养意见领袖), seed 002 §4.4 (额外培养); value: calibration",
        },
    )
    cultivation_min_satisfaction: float = Field(
        0.35,
        ge=-5.0,
        le=5.0,
        description="satisfaction an active member needs to be cultivated",
        json_schema_extra={"unit": "value units", "source": "calibration"},
    )
    max_kols: int = Field(
        10,
        ge=0,
        le=100000,
        description="cultivation stops at this many KOLs (seeded cores of new groups ignore it)",
        json_schema_extra={"unit": "agents", "source": "calibration"},
    )


class Moderation(Section):
    """Admins' ad policy, attention costs, strictness and off-topic deletion."""

    ad_policy: AdPolicy = Field(
        "warn_then_kick",
        description=(
            "what admins do with a detected ad: `tolerate`, `warn_then_kick`, `kick`; sets the kick threat 0, 0.6, 1"
        ),
        json_schema_extra={
            "unit": "—",
            "source": "seed 002 §2.2 (管理规范), §4.3; "
            "seed 003 §rules (banned behaviours and penalties), §farming (踢人)",
        },
    )
    minutes_per_ad: float = Field(
        2.0,
        ge=0,
        le=1440.0,
        description="admin minutes to find and handle one ad",
        json_schema_extra={"unit": "minutes", "source": "calibration"},
    )
    minutes_per_message_read: float = Field(
        0.08,
        ge=0,
        le=60.0,
        description=(
            "admin minutes to read one message (ads included) while watching the group for ads: the watching that"
            " finding an ad needs"
        ),
        json_schema_extra={
            "unit": "minutes",
            "source": "Brysbaert 2019 (silent reading of Chinese: 255 characters/min) × ~20 characters per chat"
            " message (calibration)",
        },
    )
    minutes_per_welcome: float = Field(
        1.0,
        ge=0,
        le=1440.0,
        description="admin minutes to welcome one newcomer",
        json_schema_extra={"unit": "minutes", "source": "calibration"},
    )
    warnings_before_kick: int = Field(
        1,
        ge=0,
        le=1000,
        description="warnings before a kick under `warn_then_kick` (kick when warnings > this)",
        json_schema_extra={"unit": "warnings", "source": "calibration"},
    )
    warn_deterrence: float = Field(
        0.5,
        ge=0,
        le=1,
        description="probability a warned spammer stops posting ads",
        json_schema_extra={"unit": "probability", "source": "calibration"},
    )
    false_positive_rate: float = Field(
        0.0,
        ge=0,
        le=1,
        description="hazard per expected message that a normal poster is wrongly flagged (scaled by coverage)",
        json_schema_extra={
            "unit": "1/message",
            "source": "Halfaker et al. 2013 (quality control rejecting good-faith newcomers); default 0",
        },
    )
    removed_ad_visibility: float = Field(
        0.1,
        ge=0,
        le=1,
        description="share of a removed ad's annoyance still felt (seen before removal)",
        json_schema_extra={"unit": "0..1", "source": "calibration"},
    )
    wrongful_warning_hurt: float = Field(
        0.5,
        ge=0,
        le=5.0,
        description="satisfaction lost by a wrongly flagged member",
        json_schema_extra={"unit": "value units", "source": "Halfaker et al. 2013; value: calibration"},
    )
    strictness: float = Field(
        1.0,
        ge=0,
        le=1,
        description=(
            "how readily admins act on what they see: enforcement = coverage × strictness scales ads caught, false "
            "flags, off-topic deletion and the kick threat"
        ),
        json_schema_extra={
            "unit": "0..1",
            "source": "Halfaker et al. 2013 (strict quality control); value: calibration",
        },
    )
    newcomer_flag_multiplier: float = Field(
        3.0,
        ge=0,
        le=100.0,
        description=(
            "how much likelier a *new* member's normal message is wrongly flagged (newcomers do not know the norms yet)"
        ),
        json_schema_extra={
            "unit": "×",
            "source": "Halfaker et al. 2013 (newcomers' good-faith contributions rejected); value: calibration",
        },
    )
    off_topic_removal: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of off-topic messages admins delete at full enforcement",
        json_schema_extra={
            "unit": "0..1",
            "source": "Ren & Kraut 2014 (discussion moderation); seed 003 §farming (引导正面话题); default 0",
        },
    )
    minutes_per_off_topic: float = Field(
        0.2,
        ge=0,
        le=1440.0,
        description="admin minutes to delete one off-topic message",
        json_schema_extra={"unit": "minutes", "source": "calibration"},
    )
    focus_commitment: float = Field(
        1.0,
        ge=0,
        le=100.0,
        description=(
            "commitment added to every member of a group whose off-topic chatter is fully removed (identity with the "
            "topic): identity = focus_commitment × focus"
        ),
        json_schema_extra={
            "unit": "—",
            "source": "Ren & Kraut 2014 (identity- vs bond-based commitment); value: calibration",
        },
    )


class Staff(Section):
    """The staff budget (hours and money), hiring, management bots, KOL pay, praise and elimination (§7.13)."""

    admin_hours_per_day: float | None = Field(
        None,
        ge=0,
        le=100000.0,
        description=(
            "admin hours/day the operator can staff in all; a new admin (`roles.admin_minutes_per_day`) is hired for a"
            " copied group only if they fit, else the parent's admins serve it; `none` = unlimited"
        ),
        json_schema_extra={"unit": "hours/day", "source": "seed 002 §4.4 (一个人管不了N个群); scenario lever"},
    )
    kol_hours_per_day: float | None = Field(
        None,
        ge=0,
        le=100000.0,
        description=(
            "KOL hours/day the operator can staff in all; a new KOL (`roles.kol_hours_per_day`) is hired for a copied"
            " group or cultivated only if they fit; `none` = unlimited"
        ),
        json_schema_extra={"unit": "hours/day", "source": "seed 002 §4.4 (核心群); scenario lever"},
    )
    money_per_month: float | None = Field(
        None,
        ge=0,
        le=1.0e9,
        description=(
            "staff money per 30 days: planned admin and KOL hours at their hourly costs, KOL pay and bots; a hire is"
            " made only if the planned cost stays within it; `none` = unlimited"
        ),
        json_schema_extra={"unit": "currency/month", "source": "seed 003 §money (人工成本高昂); scenario lever"},
    )
    hiring_cost: float = Field(
        0.0,
        ge=0,
        le=1.0e7,
        description=(
            "one-off cost of each admin or KOL hired (for a copied group, or cultivated): recruiting, training;"
            " on the cost line"
        ),
        json_schema_extra={"unit": "currency/hire", "source": "calibration; default 0"},
    )
    kol_pay_per_month: float = Field(
        0.0,
        ge=0,
        le=1.0e7,
        description=(
            "salary of each KOL, on the cost line; counts in recognition as money per planned post"
            " (pay / 30 / `output.kol_posts_per_day`, added to `kol.reward_per_post`)"
        ),
        json_schema_extra={"unit": "currency/month", "source": "seed 003 §farming (真金白银的感恩); default 0"},
    )
    praise_minutes: float = Field(
        5.0,
        ge=0,
        le=1440.0,
        description=(
            "admin minutes/day per KOL at `kol.praise` = 1 (public praise in the group, private thanks), taken from"
            " the attention of the KOL's groups"
        ),
        json_schema_extra={
            "unit": "minutes/day/KOL",
            "source": "seed 003 §farming (当众公开表扬, 私下感恩); value: calibration",
        },
    )
    bots: bool = Field(
        False,
        description=(
            "a management bot in every group (seed 003's group tools): deletes a share of ads by rule (the ad policy"
            " applies to their posters) and welcomes newcomers with a canned message instead of the admins, at a"
            " money cost; it cannot review, delete off-topic chatter or praise"
        ),
        json_schema_extra={"unit": "bool", "source": "seed 003 §tools (群管理工具); scenario lever"},
    )
    bot_catch_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="share of ads a bot deletes by keyword and link rules before any admin looks (not if tolerated)",
        json_schema_extra={"unit": "0..1", "source": "calibration"},
    )
    bot_welcome_weight: float = Field(
        0.3,
        ge=0,
        le=1,
        description="probability a bot's canned welcome lands as a welcome (an admin's personal one always does)",
        json_schema_extra={
            "unit": "probability",
            "source": "Kraut & Resnick 2012 (personal vs form welcomes); value: calibration",
        },
    )
    bot_cost_per_month: float = Field(
        50.0,
        ge=0,
        le=1.0e7,
        description="money per bot (one per occupied group) per 30 days, on the cost line",
        json_schema_extra={"unit": "currency/month/group", "source": "calibration"},
    )
    eliminate_below_posts: float = Field(
        0.0,
        ge=0,
        le=1000.0,
        description=(
            "淘汰: a KOL whose posts/day over the last `elimination_window` days fall below this is let go;"
            " 0 = nobody is eliminated"
        ),
        json_schema_extra={"unit": "posts/day", "source": "seed 002 §4.4 (激励和淘汰制度); scenario lever"},
    )
    elimination_window: int = Field(
        30,
        ge=1,
        le=3650,
        description="days of output the elimination bar is judged on (a KOL is judged after serving this long)",
        json_schema_extra={"unit": "days", "source": "calibration"},
    )


class Ads(Section):
    """Turning to spam: who does it, how much they post, how a kick threat deters them."""

    spam_rate: float = Field(
        0.02,
        ge=0,
        le=10.0,
        description="hazard of turning spammer for a member below `spam_satisfaction` who has no fear of a kick",
        json_schema_extra={
            "unit": "1/day",
            "source": "seed 002 §2.3 (members who get no value post ads); value: calibration",
        },
    )
    spam_satisfaction: float = Field(
        0.1,
        ge=-5.0,
        le=5.0,
        description="satisfaction below which a member may turn spammer",
        json_schema_extra={"unit": "value units", "source": "seed 002 §2.3; value: calibration"},
    )
    ads_per_day: float = Field(
        2.0,
        ge=0,
        le=1000.0,
        description="ad messages per day of a spammer (Poisson mean)",
        json_schema_extra={"unit": "ads/day", "source": "calibration"},
    )
    kick_fear: float = Field(
        2.0,
        ge=0,
        le=100.0,
        description="weight of a credible kick threat in the fear 1 − exp(−weight·threat·coverage·(1+stake))",
        json_schema_extra={"unit": "—", "source": "seed 002 §2.3 (不在乎会不会被踢出); value: calibration"},
    )
    sunk_cost: float = Field(
        0.0,
        ge=0,
        le=100.0,
        description=(
            "sunk-cost motive: the spam hazard of a disaffected member is multiplied by "
            "1 + sunk_cost · (1 − exp(−tenure / sunk_cost_days)), tenure = days since joining; 0 = tenure plays no part"
        ),
        json_schema_extra={
            "unit": "×",
            "source": "seed 002 §3 (ads to recoup sunk time, 沉没成本); Arkes & Blumer 1985; value: calibration",
        },
    )
    sunk_cost_days: float = Field(
        60.0,
        gt=0,
        le=36500.0,
        description="tenure at which the sunk-cost motive reaches 63% of its full weight",
        json_schema_extra={"unit": "days", "source": "calibration"},
    )
    outside_accounts: float = Field(
        0.0,
        ge=0,
        le=100000.0,
        description=(
            "ad accounts from outside that try to join per day (Poisson mean); those who pass the entry threshold "
            "post ads from their first day (source `ad_account`); 0 = none"
        ),
        json_schema_extra={
            "unit": "accounts/day",
            "source": "seed 003 §rules (禁止行为: 广告), seed 002 §2.2 (门槛); value: calibration",
        },
    )
    outside_budget: float = Field(
        20.0,
        gt=0,
        le=1000000.0,
        description="what an ad account pays to get in: it passes a paid threshold with probability exp(−fee/budget)",
        json_schema_extra={"unit": "currency", "source": "calibration"},
    )


class Groups(Section):
    """Group capacity, copy and split policies, and culture."""

    capacity: int = Field(
        500,
        ge=2,
        le=10_000_000,
        description="hard member cap of one group (WeChat: 500)",
        json_schema_extra={"unit": "members", "source": "WeChat group limit of 500 (DOMAIN.md)"},
    )
    split_policy: SplitPolicy = Field(
        "at_capacity",
        description="copy/split policy: `none`, `at_capacity`, `dunbar`, `low_activity` (§7.11)",
        json_schema_extra={"unit": "—", "source": "seed 002 §2.5 (复制); DOMAIN.md"},
    )
    dunbar_size: int = Field(
        150,
        ge=2,
        le=10_000_000,
        description="size above which the `dunbar` policy splits a group in two",
        json_schema_extra={"unit": "members", "source": "Dunbar 1992 (≈150)"},
    )
    low_activity_messages: float = Field(
        0.2,
        ge=0,
        le=1000.0,
        description="7-day EMA of messages per member per day below which `low_activity` splits",
        json_schema_extra={"unit": "messages/member/day", "source": "calibration"},
    )
    low_activity_min_size: int = Field(
        100,
        ge=4,
        le=10_000_000,
        description="smallest group the `low_activity` policy splits",
        json_schema_extra={"unit": "members", "source": "calibration"},
    )
    split_cooldown: int = Field(
        14,
        ge=1,
        le=36500,
        description="days before a group may split again (`low_activity` only)",
        json_schema_extra={"unit": "days", "source": "calibration"},
    )
    seed_core: bool = Field(
        True,
        description="a new group gets its own new admin and new KOL; otherwise it shares the parent's admins and KOLs",
        json_schema_extra={"unit": "bool", "source": "seed 002 §2.5 question 2 (核心群)"},
    )
    initial_culture: float = Field(
        0.5,
        ge=0,
        le=1,
        description="shared subculture of the founding groups",
        json_schema_extra={
            "unit": "0..1",
            "source": "seed 002 §2.5 question 3 (亚文化); seed 000 step 4; value: calibration",
        },
    )
    culture_inheritance: float = Field(
        0.5,
        ge=0,
        le=1,
        description="share of the parent's culture a new group inherits without a seeded core",
        json_schema_extra={"unit": "0..1", "source": "seed 002 §2.5; value: calibration"},
    )
    core_culture_inheritance: float = Field(
        0.85,
        ge=0,
        le=1,
        description="share inherited with a seeded core",
        json_schema_extra={"unit": "0..1", "source": "seed 002 §2.5; value: calibration"},
    )
    culture_growth: float = Field(
        0.02,
        ge=0,
        le=10.0,
        description="culture growth per day at full participation: culture += rate·participation·(1 − culture)",
        json_schema_extra={"unit": "1/day", "source": "seed 002 §2.4 (four senses); value: calibration"},
    )
    routing: Routing = Field(
        "appeal",
        description=(
            "how a newcomer not placed by an inviter finds a group: `appeal` (chosen among open groups with room, "
            "in proportion to attraction × fit to their taste, §7.11) or `smallest` (the open group with the "
            "fewest members, the old round-robin)"
        ),
        json_schema_extra={"unit": "—", "source": "seed 002 §2.5 (加入一个新的“好”群); issue 15"},
    )
    appeal_spread: float = Field(
        0.5,
        ge=0,
        le=5.0,
        description=(
            "σ of the lognormal appeal (mean 1) drawn for each group not given one in `appeals`: how much groups "
            "differ in the quality of their founders and staff"
        ),
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    appeals: list[Annotated[float, Field(gt=0, le=100.0)]] = Field(
        [],
        max_length=10_000,
        description="appeal of groups 0, 1, … set by hand (founding groups first); groups beyond the list draw theirs",
        json_schema_extra={"unit": "—", "source": "scenario design"},
    )
    size_weight: float = Field(
        0.5,
        ge=0,
        le=5.0,
        description="elasticity of a group's attraction to its size, (1 + size)^weight: social proof",
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    activity_weight: float = Field(
        1.0,
        ge=0,
        le=1000.0,
        description="attraction gained per genuine message per member per day (7-day mean): a lively group draws",
        json_schema_extra={"unit": "per message/member/day", "source": "calibration"},
    )
    fit_weight: float = Field(
        3.0,
        ge=0,
        le=100.0,
        description=(
            "how sharply a newcomer prefers groups whose sub-topic is near their taste: fit = exp(−weight × "
            "distance), tastes and topics uniform on a circle (distance 0..½); 0: topics do not matter"
        ),
        json_schema_extra={"unit": "—", "source": "calibration"},
    )
    inception_days: int = Field(
        14,
        ge=1,
        le=36500,
        description="days a new group is in its inception phase (never declines or dies of ads before)",
        json_schema_extra={"unit": "days", "source": "Iriberri & Leroy 2009 (inception); value: calibration"},
    )
    growth_rate: float = Field(
        0.05,
        ge=0,
        le=100.0,
        description="weekly growth of members at or above which a group is in its growth phase",
        json_schema_extra={"unit": "1/week", "source": "Iriberri & Leroy 2009 (growth); value: calibration"},
    )
    decline_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description=(
            "a group declines when its genuine messages (7-day mean) fall below this share of their peak, or its "
            "members below this share of its largest size"
        ),
        json_schema_extra={"unit": "0..1", "source": "Iriberri & Leroy 2009 (death); value: calibration"},
    )
    silent_days: int = Field(
        14,
        ge=1,
        le=36500,
        description="span of the moving average of genuine messages that decides whether a group fell silent",
        json_schema_extra={"unit": "days", "source": "seed 002 §2.5 (群的生命周期); value: calibration"},
    )
    silent_messages: float = Field(
        1.0,
        ge=0,
        le=1_000_000.0,
        description="genuine messages per day (member messages and content posts) below which a group is silent",
        json_schema_extra={"unit": "messages/day", "source": "seed 002 §2.5; value: calibration"},
    )
    ad_dominance: float = Field(
        0.5,
        gt=0,
        le=1,
        description="share of visible ads in everything visible (7-day mean) at which a group is an ad group",
        json_schema_extra={"unit": "0..1", "source": "seed 002 §2.5 (大多沦为广告群); value: calibration"},
    )
    dead_policy: DeadPolicy = Field(
        "keep",
        description=(
            "what the operator does with a group that died: `keep` (nothing), `archive` (closed to newcomers, "
            "members stay), `dissolve` (closed; a share `move_share` of its members join another group, the rest "
            "leave), `merge` (closed; its members move into the most attractive open group)"
        ),
        json_schema_extra={"unit": "—", "source": "seed 002 §2.5 (群主和群员就会选择退群或者解散群)"},
    )
    move_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="share of a dissolved group's members who join another group (by appeal); the rest leave",
        json_schema_extra={"unit": "0..1", "source": "seed 002 §2.5 (再去加入一个新的“好”群); value: calibration"},
    )
    splinter_rate: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "daily chance that a disaffected but interested member of a declining group founds a new group of "
            "their own (a splinter, §7.11; at most one per group per split_cooldown days); 0: nobody does"
        ),
        json_schema_extra={"unit": "1/day", "source": "seed 002 §2.5 (选择创建一个新群); value: calibration"},
    )
    splinter_satisfaction: float = Field(
        0.1,
        ge=-1000.0,
        le=1000.0,
        description=(
            "satisfaction below which a member is disaffected (may found a splinter, or follow one); newcomers "
            "start at dynamics.initial_satisfaction"
        ),
        json_schema_extra={"unit": "value units", "source": "calibration"},
    )
    splinter_interest: float = Field(
        0.6,
        ge=0,
        le=1,
        description="interest in the topic at or above which a disaffected member still cares enough to found one",
        json_schema_extra={"unit": "0..1", "source": "seed 002 §2.5 (同好 who stay interested); value: calibration"},
    )
    splinter_invitations: int = Field(
        10,
        ge=0,
        le=10_000,
        description=(
            "people a splinter's founder invites: friends who are members (with a network), or disaffected members "
            "of the old group (well_mixed)"
        ),
        json_schema_extra={"unit": "people", "source": "calibration"},
    )
    splinter_follow: float = Field(
        0.5,
        ge=0,
        le=1,
        description="chance an invited member follows the founder into the splinter",
        json_schema_extra={"unit": "0..1", "source": "calibration"},
    )
    return_rate: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "daily chance that a person who left (not kicked) comes back (§7.12); it should be far below first "
            "joins; 0: every exit is permanent"
        ),
        json_schema_extra={
            "unit": "1/day",
            "source": "seed 002 §2.5 (再去加入一个新的“好”群); returns are rarer than first joins; value: calibration",
        },
    )
    return_invited_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description=(
            "share of returns that come by a member's invitation (into the inviter's group); the others come by a "
            "channel and choose a group by appeal"
        ),
        json_schema_extra={"unit": "0..1", "source": "calibration"},
    )
    tiers: list[Tier] = Field(
        [],
        max_length=10_000,
        description=(
            "tier of groups 0, 1, … (founding groups first): `free` (a traffic group newcomers join) or `paid` (a "
            "core group members are promoted into); groups beyond the list and copies take their parent's tier, "
            "`free` by default; empty: no funnel"
        ),
        json_schema_extra={"unit": "—", "source": "私域 funnel: free traffic group → paid core group (issue 15)"},
    )
    promote_by: PromoteBy = Field(
        "either",
        description=(
            "what makes a member of a free group eligible for the paid group: `activity` (messages written), "
            "`purchase` (purchases made) or `either`"
        ),
        json_schema_extra={"unit": "—", "source": "私域 funnel (issue 15)"},
    )
    promote_messages: int = Field(
        50,
        ge=1,
        le=10_000_000,
        description="messages a member must have written to be eligible by activity",
        json_schema_extra={"unit": "messages", "source": "calibration"},
    )
    promote_purchases: int = Field(
        1,
        ge=1,
        le=10_000,
        description="purchases a member must have made to be eligible by purchase",
        json_schema_extra={"unit": "purchases", "source": "calibration"},
    )
    promote_rate: float = Field(
        0.05,
        ge=0,
        le=1,
        description="daily chance an eligible active member of a free group takes the offer and moves to a paid group",
        json_schema_extra={"unit": "1/day", "source": "calibration"},
    )
    paid_fee: float = Field(
        0.0,
        ge=0,
        le=1_000_000.0,
        description="fee a member pays on promotion into a paid group (counted in fee revenue)",
        json_schema_extra={"unit": "currency", "source": "scenario design"},
    )
    paid_commitment: float = Field(
        1.0,
        ge=0,
        le=100.0,
        description="commitment of a member promoted into a paid group (they paid or earned their place)",
        json_schema_extra={"unit": "value units", "source": "sunk cost, Arkes & Blumer 1985; value: calibration"},
    )
    max_groups_per_member: int = Field(
        1,
        ge=1,
        le=20,
        description=(
            "most groups of the community one person may be in at once (§7.11): 1 = one group each; above 1, "
            "members of a decaying group may also join another (`extra_group_rate`), a promoted member may keep "
            "their free group (`promote_keeps_free`) and, with a network, a member may accept a friend's invitation "
            "into another group (`extra_group_invitations`)"
        ),
        json_schema_extra={
            "unit": "groups",
            "source": "issue 15; seed 002 §2.5 (再去加入一个新的“好”群); 私域 funnels (traffic group + paid group)",
        },
    )
    extra_group_rate: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "daily chance that a member in a group in decline (or dead and kept) who is still interested "
            "(`extra_group_interest`) joins another open, alive and not declining free group by appeal, keeping "
            "their groups; needs max_groups_per_member > 1; 0: nobody does"
        ),
        json_schema_extra={"unit": "1/day", "source": "seed 002 §2.5 (再去加入一个新的“好”群); value: calibration"},
    )
    extra_group_interest: float = Field(
        0.5,
        ge=0,
        le=1,
        description="interest in the topic at or above which a member of a decaying group looks for another group",
        json_schema_extra={"unit": "0..1", "source": "seed 002 §2.5 (同好 who stay interested); value: calibration"},
    )
    extra_group_weight: float = Field(
        0.5,
        ge=0,
        le=1,
        description=(
            "weight of a member's second-best group in their daily value (the third counts its square, …; the best "
            "counts fully): attention is finite, so further groups give diminishing returns"
        ),
        json_schema_extra={"unit": "×", "source": "limited attention (Dunbar 1998); value: calibration"},
    )
    promote_keeps_free: bool = Field(
        False,
        description=(
            "a member promoted into a paid group keeps their free group as well (the 私域 customer in a traffic "
            "group and a paid group); needs max_groups_per_member > 1; false: they move"
        ),
        json_schema_extra={"unit": "—", "source": "私域 funnel (issue 15)"},
    )
    extra_group_invitations: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "with a friendship network: daily chance that an engaged member invites one friend who is a member of "
            "another group into their own; the friend accepts with the network's acceptance rule and keeps their "
            "groups; needs max_groups_per_member > 1; 0: nobody does"
        ),
        json_schema_extra={"unit": "1/day", "source": "seed 002 §2.5 (invited by friends); value: calibration"},
    )


class Calendar(Section):
    """Dates of the run: weekdays, weekends and festivals (§7.10 of docs/ODD.md)."""

    start_date: dt.date | None = Field(
        None,
        strict=False,
        description=(
            "calendar date of day 1 (e.g. 2026-01-01); `none` = days have no date, and no weekend or festival "
            "effects apply"
        ),
        json_schema_extra={"unit": "date", "source": "—"},
    )
    weekend_activity: float = Field(
        1.0,
        ge=0,
        le=10.0,
        description="factor on members' message rates on Saturdays and Sundays",
        json_schema_extra={
            "unit": "×",
            "source": "weekly rhythms of online messaging (Golder, Wilkinson & Huberman 2007); value: calibration",
        },
    )
    weekend_buying: float = Field(
        1.0,
        ge=0,
        le=100.0,
        description="factor on purchase hazards on Saturdays and Sundays",
        json_schema_extra={"unit": "×", "source": "calibration"},
    )
    festivals: bool = Field(
        True,
        description=(
            "apply the festivals' windows when the run has dates: 春节 (the lunar new year, days −1..+6 around it), "
            "618 (June 16–18) and 双11 (November 9–11)"
        ),
        json_schema_extra={"unit": "—", "source": "Chinese calendar; JD.com 618 and Alibaba 双11 sales festivals"},
    )
    spring_festival_activity: float = Field(
        1.3,
        ge=0,
        le=10.0,
        description="factor on message rates during 春节 (greetings and red packets in the groups)",
        json_schema_extra={"unit": "×", "source": "calibration"},
    )
    spring_festival_buying: float = Field(
        0.5,
        ge=0,
        le=100.0,
        description="factor on purchase hazards during 春节 (shops and deliveries pause)",
        json_schema_extra={"unit": "×", "source": "calibration"},
    )
    sales_festival_activity: float = Field(
        1.1,
        ge=0,
        le=10.0,
        description="factor on message rates during 618 and 双11 (deal sharing)",
        json_schema_extra={"unit": "×", "source": "calibration"},
    )
    festival_618_buying: float = Field(
        3.0,
        ge=0,
        le=100.0,
        description="factor on purchase hazards during 618",
        json_schema_extra={"unit": "×", "source": "JD.com 618 sales festival; value: calibration"},
    )
    double_11_buying: float = Field(
        4.0,
        ge=0,
        le=100.0,
        description="factor on purchase hazards during 双11",
        json_schema_extra={"unit": "×", "source": "Alibaba 双11 (Singles' Day) sales festival; value: calibration"},
    )


class ActivityPlan(Section):
    """One entry of the activities calendar ([[activities]] in TOML)."""

    kind: ActivityKind = Field(
        description="activity kind: `checkin`, `sharing`, `discussion`, `red_packet`, `meetup`",
        json_schema_extra={"unit": "—", "source": "seed 002 §1 ch. 3 (分享, 讨论, 打卡, 红包, 线下)"},
    )
    every: int | None = Field(
        None,
        ge=1,
        le=36500,
        description="days between occurrences; `none` = the kind's default",
        json_schema_extra={"unit": "days", "source": "per-kind defaults: calibration"},
    )
    start: int = Field(
        1, ge=1, le=36500, description="first day it happens", json_schema_extra={"unit": "day", "source": "—"}
    )
    end: int | None = Field(
        None,
        ge=1,
        le=36500,
        description="last day an occurrence may start; `none` = run end",
        json_schema_extra={"unit": "day", "source": "—"},
    )
    lift: float | None = Field(
        None,
        ge=0,
        le=100.0,
        description="relative lift of every engaged member's message rate on each day it runs",
        json_schema_extra={"unit": "×", "source": "seed 002 §2.4 (参与感); per-kind defaults: calibration"},
    )
    duration: int | None = Field(
        None,
        ge=1,
        le=36500,
        description="days each occurrence runs",
        json_schema_extra={"unit": "days", "source": "calibration"},
    )
    admin_minutes: float | None = Field(
        None,
        ge=0,
        le=1440.0,
        description="admin minutes taken from each managed group's attention on each running day",
        json_schema_extra={"unit": "minutes/group/day", "source": "calibration"},
    )
    kol_minutes: float | None = Field(
        None,
        ge=0,
        le=1440.0,
        description="minutes taken from *every* KOL's budget on each running day",
        json_schema_extra={"unit": "minutes/KOL/day", "source": "calibration"},
    )
    money: float | None = Field(
        None,
        ge=0,
        le=1000000.0,
        description="cash spent per group (every group ever opened) on each running day (red packets, venue)",
        json_schema_extra={"unit": "currency/group/day", "source": "calibration"},
    )
    novelty: float | None = Field(
        None,
        ge=0,
        le=1,
        description="share of lost novelty restored to engaged members on each running day",
        json_schema_extra={"unit": "0..1", "source": "calibration"},
    )
    ties: float | None = Field(
        None,
        ge=0,
        le=100.0,
        description="ties each engaged member forms per occurrence (spread over its days)",
        json_schema_extra={"unit": "ties", "source": "seed 002 §1 ch. 3.7–3.8, §2.4 (归属感); calibration"},
    )
    awaken: float | None = Field(
        None,
        ge=0,
        le=1,
        description="probability/day that a dormant member is woken while it runs (as extra hazard −ln(1 − awaken))",
        json_schema_extra={"unit": "probability", "source": "seed 003 §data (觉醒); calibration"},
    )
    money_scale: float | None = Field(
        None,
        gt=0,
        le=1000000.0,
        description=(
            "for kinds that pay their money out to members (`red_packet`): the payout at which the response bends; "
            "lift and awaken are their values at the kind's default payout times ln(1 + money/scale) / "
            "ln(1 + default/scale), so a larger payout lifts more with diminishing returns"
        ),
        json_schema_extra={
            "unit": "currency/group/day",
            "source": "Bernoulli 1738 (diminishing marginal utility of money); default 20: calibration",
        },
    )
    habituation: float | None = Field(
        None,
        ge=0,
        le=1,
        description=(
            "share of the remaining response (lift, novelty, ties, awaken) lost with each occurrence; "
            "0 = no habituation (the kinds' default)"
        ),
        json_schema_extra={
            "unit": "0..1",
            "source": "habituation: Thompson & Spencer 1966; Rankin et al. 2009 (response decrement with repetition)",
        },
    )
    recovery_days: float | None = Field(
        None,
        gt=0,
        le=36500.0,
        description="e-folding time of the recovery of the response between occurrences (spontaneous recovery)",
        json_schema_extra={
            "unit": "days",
            "source": "Rankin et al. 2009 (spontaneous recovery with rest); default 14: calibration",
        },
    )

    @model_validator(mode="after")
    def _start_before_end(self) -> ActivityPlan:
        if self.end is not None and self.start > self.end:
            raise ValueError(f"start must be <= end (start = {self.start} > end = {self.end})")
        return self


class CampaignPlan(Section):
    """One sales campaign on the calendar ([[campaigns]] in TOML): it lifts buying and can annoy."""

    kind: CampaignKind = Field(
        description=(
            "campaign kind: `presale` (7 days, lift 0.5, annoyance 0.02), `flash_sale` (1 day, 3.0, 0.08), "
            "`launch` (3 days, 1.0, 0.03); the values in brackets are the defaults of the keys left out"
        ),
        json_schema_extra={"unit": "—", "source": "seed 003 §money (产品和服务, 鼓励回购); defaults: calibration"},
    )
    day: int | None = Field(
        None,
        ge=1,
        le=36500,
        description="first day it runs; give `day` or `date`, not both",
        json_schema_extra={"unit": "day", "source": "—"},
    )
    date: dt.date | None = Field(
        None,
        strict=False,
        description="calendar date of its first day (needs `calendar.start_date`); give `day` or `date`, not both",
        json_schema_extra={"unit": "date", "source": "—"},
    )
    duration: int | None = Field(
        None,
        ge=1,
        le=365,
        description="days it runs; `none` = the kind's default",
        json_schema_extra={"unit": "days", "source": "per-kind defaults: calibration"},
    )
    lift: float | None = Field(
        None,
        ge=0,
        le=100.0,
        description="relative lift of every purchase hazard (first purchases and repurchases) on each day it runs",
        json_schema_extra={"unit": "×", "source": "per-kind defaults: calibration"},
    )
    annoyance: float | None = Field(
        None,
        ge=0,
        le=10.0,
        description="value taken from every member's daily value on each day it runs (marketing pushes)",
        json_schema_extra={
            "unit": "value units/day",
            "source": "seed 002 §2.3 (ads and pushes lower the group's value); per-kind defaults: calibration",
        },
    )

    @model_validator(mode="after")
    def _day_or_date(self) -> CampaignPlan:
        if (self.day is None) == (self.date is None):
            raise ValueError("give the campaign's first day as `day` or as `date` (one of them)")
        return self


class Membership(Section):
    """A paid membership tier of people (会员制): price, duration, renewal, and what it changes."""

    price: float = Field(
        0.0,
        ge=0,
        le=1000000.0,
        description="price of one period of the membership tier; 0 = no tier",
        json_schema_extra={"unit": "currency", "source": "seed 003 §money (会员制); value: calibration"},
    )
    duration_days: int = Field(
        30,
        ge=1,
        le=36500,
        description="days one paid period lasts; at its end the member renews or the membership lapses",
        json_schema_extra={"unit": "days", "source": "calibration"},
    )
    uptake: float = Field(
        0.01,
        ge=0,
        le=10.0,
        description=(
            "hazard of buying the tier for an engaged customer (bought the product at least once) at multiplier 1 "
            "who can afford it: wtp · (0.5 + interest) ≥ price"
        ),
        json_schema_extra={"unit": "1/day", "source": "seed 003 §money; value: calibration"},
    )
    renewal_min_satisfaction: float = Field(
        0.0,
        ge=-5.0,
        le=5.0,
        description="satisfaction a member needs to renew at the end of a period (and to afford the price again)",
        json_schema_extra={"unit": "value units", "source": "calibration"},
    )
    buying: float = Field(
        2.0,
        ge=0,
        le=100.0,
        description="factor on the purchase hazards of tier members (member prices and privileges)",
        json_schema_extra={"unit": "×", "source": "seed 003 §money (鼓励回购); value: calibration"},
    )
    commitment: float = Field(
        0.5,
        ge=0,
        le=10.0,
        description="commitment a tier member has on top of their own while the tier runs: it slows leaving",
        json_schema_extra={"unit": "—", "source": "seed 002 §2.2 (付费 makes members cherish it); value: calibration"},
    )


class Monetization(Section):
    """Product sales, repurchase and the hourly cost of operators."""

    product_price: float = Field(
        100.0,
        ge=0,
        le=1000000.0,
        description="price of the product or service",
        json_schema_extra={
            "unit": "currency",
            "source": "seed 003 §money (产品和服务); seed 000 step 7; value: calibration",
        },
    )
    buyer_conversion: float = Field(
        0.005,
        ge=0,
        le=10.0,
        description=(
            "first-purchase hazard (conversion into a customer) of an engaged member at multiplier 1, interest 1, "
            "able to pay, times the date's and campaigns' buying factors"
        ),
        json_schema_extra={"unit": "1/day", "source": "seed 003 §data (转化率); value: calibration"},
    )
    repurchase_rate: float = Field(
        0.003,
        ge=0,
        le=10.0,
        description=(
            "hazard of buying again for a customer at multiplier 1, times the date's and campaigns' buying factors "
            "(and `membership.buying` for tier members)"
        ),
        json_schema_extra={"unit": "1/day", "source": "seed 003 §money (鼓励回购); value: calibration"},
    )
    admin_hourly_cost: float = Field(
        30.0,
        ge=0,
        le=10000.0,
        description="cost of one admin hour",
        json_schema_extra={"unit": "currency/hour", "source": "seed 003 §money (人工成本高昂); value: calibration"},
    )
    kol_hourly_cost: float = Field(
        60.0,
        ge=0,
        le=10000.0,
        description="opportunity cost of one KOL hour worked",
        json_schema_extra={"unit": "currency/hour", "source": "calibration"},
    )


class Scenario(Section):
    """A whole scenario: one value for every parameter of the model."""

    name: str = Field(
        "scenario",
        description="scenario name, shown in titles; defaults to the file name when loaded from a file",
        json_schema_extra={"unit": "—", "source": "—"},
    )
    description: str = Field("", description="one-line description", json_schema_extra={"unit": "—", "source": "—"})
    run: Run = Run()
    population: Population = Population()
    entry: Entry = Entry()
    acquisition: Acquisition = Acquisition()
    activity: Activity = Activity()
    churn: Churn = Churn()
    onboarding: Onboarding = Onboarding()
    dynamics: Dynamics = Dynamics()
    value: Value = Value()
    output: Output = Output()
    roles: Roles = Roles()
    kol: Kol = Kol()
    moderation: Moderation = Moderation()
    staff: Staff = Staff()
    ads: Ads = Ads()
    groups: Groups = Groups()
    activities: list[ActivityPlan] = []
    channels: list[Channel] = Field([], max_length=100)
    campaigns: list[CampaignPlan] = []
    monetization: Monetization = Monetization()
    membership: Membership = Membership()
    calendar: Calendar = Calendar()
    network: NetworkSection = NetworkSection()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        pop = self.population
        if pop.initial_members + pop.initial_left > pop.potential_pool:
            raise ValueError(
                "population.initial_members + population.initial_left must be <= population.potential_pool "
                f"({pop.initial_members} + {pop.initial_left} > {pop.potential_pool})"
            )
        names = [c.name for c in self.channels]
        for name in names:
            if name == PUBLIC_CHANNEL or names.count(name) > 1:
                raise ValueError(
                    f"channels: the name {name!r} is "
                    + (
                        "taken by the free inflow (acquisition.channel_inflow_per_day)"
                        if name == PUBLIC_CHANNEL
                        else "given twice"
                    )
                    + "; every channel needs its own name"
                )
        if self.entry.threshold == "paid" and self.entry.fee <= 0:
            raise ValueError("entry.fee must be > 0 when entry.threshold = 'paid'")
        g = self.groups
        if g.max_groups_per_member == 1:
            wants = [
                k
                for k, on in (
                    ("extra_group_rate", g.extra_group_rate > 0),
                    ("promote_keeps_free", g.promote_keeps_free),
                    ("extra_group_invitations", g.extra_group_invitations > 0),
                )
                if on
            ]
            if wants:
                raise ValueError(
                    f"groups.{wants[0]} puts members in a second group: it needs groups.max_groups_per_member >= 2 "
                    "(it is 1)"
                )
        cal = self.calendar
        for i, c in enumerate(self.campaigns):
            if c.date is not None and (cal.start_date is None or c.date < cal.start_date):
                raise ValueError(
                    f"campaigns[{i}].date = {c.date} needs calendar.start_date on or before it "
                    f"(calendar.start_date = {cal.start_date}); or give campaigns[{i}].day instead"
                )
        if cal.start_date is not None and cal.festivals:
            end = cal.start_date + dt.timedelta(days=self.run.days)
            if cal.start_date.year < FIRST_YEAR or end.year > LAST_YEAR:
                raise ValueError(
                    f"calendar.start_date: the spring festival's dates are known for {FIRST_YEAR}–{LAST_YEAR}, "
                    f"this run spans {cal.start_date}..{end}; start within them or set calendar.festivals = false"
                )
        return self

    def channel_names(self) -> list[str]:
        """Names of the acquisition channels by index (`people.channel`): 0 is the free inflow, then [[channels]]."""
        return [PUBLIC_CHANNEL, *(c.name for c in self.channels)]

    def channel_reaches(self) -> list[float]:
        """People/day each channel brings at full pool, by index (0: `acquisition.channel_inflow_per_day`)."""
        return [self.acquisition.channel_inflow_per_day, *(c.reach for c in self.channels)]

    def channel_inflow(self) -> float:
        """People/day all channels bring at full pool (F of the join hazard, docs/ODD.md §7.6)."""
        return sum(self.channel_reaches())

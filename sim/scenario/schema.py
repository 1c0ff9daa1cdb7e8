"""The scenario schema: every lever and parameter of the model, typed and bounded.

A scenario is a TOML file in sections; each section below is one table. Every field has
a default, a unit in its description and a range, so a file only states what differs
from the baseline. `docs/ODD.md` explains each parameter's meaning and source.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.network.section import NetworkSection

EntryThreshold = Literal["free", "paid", "invite", "review", "task"]
AdPolicy = Literal["tolerate", "warn_then_kick", "kick"]
SplitPolicy = Literal["none", "at_capacity", "dunbar", "low_activity"]
ActivityKind = Literal["checkin", "sharing", "discussion", "red_packet", "meetup"]


class Section(BaseModel):
    """Base of every section: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Run(Section):
    """Seed and length of a run."""

    seed: int = Field(0, ge=0, description="seed of every random draw (SeedSequence root)")
    days: int = Field(180, ge=1, le=36500, description="simulated days (one step = one day)")


class Population(Section):
    """The potential pool and the spread of its traits (§7.1 of docs/ODD.md)."""

    potential_pool: int = Field(20_000, ge=1, description="people who could ever join (M), members included")
    initial_members: int = Field(100, ge=0, description="members on day 0")
    initial_left: int = Field(0, ge=0, description="people who had already left by day 0 (irSIR's R(0))")
    interest_mean: float = Field(0.5, gt=0, lt=1, description="mean interest match to the topic (beta), 0..1")
    interest_concentration: float = Field(4.0, gt=0, description="beta concentration a+b; higher = more alike")
    propensity_mean: float = Field(1.0, gt=0, description="messages/day of an engaged member (lognormal mean)")
    propensity_sigma: float = Field(0.8, ge=0, description="lognormal sigma of activity propensity")
    patience_mean: float = Field(1.0, gt=0, description="mean patience (gamma), scales leave hazard down")
    patience_shape: float = Field(4.0, gt=0, description="gamma shape of patience; larger = less spread")
    wtp_mean: float = Field(60.0, ge=0, description="mean willingness to pay, currency (lognormal)")
    wtp_sigma: float = Field(0.8, ge=0, description="lognormal sigma of willingness to pay")
    homogeneous: bool = Field(False, description="all traits at their means (for the classic special cases)")


class Entry(Section):
    """The entry threshold (门槛) and the commitment of those who pass it."""

    threshold: EntryThreshold = Field("free", description="entry threshold applied to every arrival")
    fee: float = Field(0.0, ge=0, description="entry fee, currency (paid threshold)")
    fee_period_days: int = Field(0, ge=0, description="renewal period in days; 0 = one-off fee")
    renewal_min_satisfaction: float = Field(0.2, description="satisfaction needed to renew a paid membership")
    invite_code_share: float = Field(0.1, ge=0, le=1, description="share of channel arrivals holding an invite code")
    review_min_interest: float = Field(0.55, ge=0, le=1, description="interest a reviewer accepts (review)")
    review_minutes: float = Field(1.0, ge=0, description="admin minutes per reviewed applicant")
    task_effort: float = Field(0.3, ge=0, lt=1, description="interest below which nobody does the entry task")
    commitment: float | None = Field(None, ge=0, description="commitment of a member who passed; default by threshold")


class Acquisition(Section):
    """Inflow from public channels, organic joins and referral (fission)."""

    channel_inflow_per_day: float = Field(20.0, ge=0, description="people/day reached by public channels at full pool")
    external_rate: float = Field(0.0, ge=0, description="Bass p: extra external join hazard per potential person/day")
    referral_rate: float = Field(0.02, ge=0, description="Bass q: referral joins per active member/day at full pool")
    referral_incentive: float = Field(0.0, ge=0, description="relative boost of referrals by an incentive (0.5 = +50%)")
    referral_reward: float = Field(0.0, ge=0, description="currency paid per successful referral")


class Activity(Section):
    """Engagement decay and reactivation: the active <-> dormant flows."""

    decay_rate: float = Field(0.02, ge=0, description="g: active -> dormant hazard/day at reference satisfaction")
    reactivation_rate: float = Field(0.02, ge=0, description="r: dormant -> active hazard/day, spontaneous")
    peer_reactivation_rate: float = Field(0.05, ge=0, description="b: dormant -> active hazard/day per active share")
    novelty_decay: float = Field(0.04, ge=0, le=1, description="share of novelty lost per day")
    novelty_floor: float = Field(0.4, ge=0, le=1, description="value multiplier once novelty is gone")
    dormant_exposure: float = Field(0.3, ge=0, le=1, description="share of the group a dormant member still sees")


class Churn(Section):
    """Leaving: base hazard, contagious leaving (irSIR) and dormant members' extra risk."""

    base_rate: float = Field(0.003, ge=0, description="leave hazard/day of a member at reference satisfaction")
    peer_rate: float = Field(0.0, ge=0, description="v: contagious leave hazard/day per share of people who left")
    dormant_multiplier: float = Field(3.0, ge=0, description="leave hazard of a dormant member relative to active")


class Onboarding(Section):
    """The new stage and the first-24-hours impression."""

    new_days: int = Field(7, ge=1, description="days a member counts as new")
    welcome: bool = Field(True, description="admins welcome newcomers (needs admin minutes)")
    ritual: bool = Field(False, description="onboarding ritual: rules, self-introduction, welcome gift")
    first_day_leave: float = Field(0.5, ge=0, le=1, description="first-24h leave probability with zero impression")
    welcome_effect: float = Field(0.5, ge=0, description="impression added by a welcome")
    ritual_effect: float = Field(0.5, ge=0, description="impression added by the onboarding ritual")
    impression_scale: float = Field(0.5, gt=0, description="impression that divides first-day leaving by e")


class Dynamics(Section):
    """Satisfaction memory and how strongly hazards respond to it; the value-feedback switch."""

    value_feedback: bool = Field(True, description="false = hazards ignore value (the classic special cases)")
    satisfaction_memory: float = Field(10.0, ge=1, description="days of memory of satisfaction (EMA horizon)")
    sensitivity: float = Field(3.0, ge=0, description="how strongly hazards respond to satisfaction")
    reference_satisfaction: float = Field(0.3, description="satisfaction at which hazards equal their base rates")
    initial_satisfaction: float = Field(0.4, description="satisfaction of a member on joining")
    substeps: int = Field(
        0,
        ge=0,
        le=100,
        description="sub-steps of a day for the population terms of the hazards; 0 = auto, from the largest rate",
    )


class Value(Section):
    """The daily value members take: content, conversation, ties, minus ads."""

    content_weight: float = Field(0.8, ge=0, description="weight of KOL/admin content in daily value")
    chat_weight: float = Field(0.4, ge=0, description="weight of members' conversation in daily value")
    ties_weight: float = Field(0.4, ge=0, description="weight of ties to other members in daily value")
    content_saturation: float = Field(2.0, gt=0, description="quality-weighted posts/day giving 63% of content value")
    chat_saturation: float = Field(0.5, gt=0, description="messages/member/day giving 63% of chat value")
    crowd_size: float = Field(
        300.0, gt=0, description="group size at which crowding halves chat value and tie formation"
    )
    ties_saturation: float = Field(5.0, gt=0, description="ties giving 63% of tie value")
    off_topic_share: float = Field(0.3, ge=0, le=1, description="share of member messages that are off-topic chatter")
    tie_rate: float = Field(0.05, ge=0, description="ties formed/day by an engaged member in a small group")
    tie_decay: float = Field(0.01, ge=0, le=1, description="share of ties lost per day while dormant")
    ad_annoyance: float = Field(0.5, ge=0, description="value lost at saturating ad exposure")
    ad_saturation: float = Field(20.0, gt=0, description="visible ads/day giving 63% of the annoyance")


class Output(Section):
    """Content output of KOLs and admins: cadence and quality."""

    kol_posts_per_day: float = Field(2.0, ge=0, description="content posts/day planned by each KOL")
    admin_posts_per_day: float = Field(0.2, ge=0, description="content posts/day by each admin per managed group")
    quality: float = Field(0.7, ge=0, le=1, description="quality of each content post, 0..1")
    regularity: float = Field(0.9, ge=0, le=1, description="probability a planned posting day happens")


class Roles(Section):
    """KOLs and admins on day 0 and their time."""

    kols: int = Field(2, ge=0, description="KOLs on day 0")
    admins: int = Field(1, ge=0, description="admins on day 0")
    admin_minutes_per_day: float = Field(120.0, ge=0, description="attention of one admin, minutes/day")
    kol_hours_per_day: float = Field(1.5, ge=0, description="time budget of one KOL, hours/day")


class Kol(Section):
    """KOL time use, recognition, burnout, planned departure and cultivation."""

    minutes_per_post: float = Field(30.0, gt=0, description="KOL minutes to write one post")
    moderation_minutes: float = Field(10.0, ge=0, description="KOL minutes/day helping admins per group served")
    praise: float = Field(0.3, ge=0, le=1, description="public praise and private thanks by the operator, 0..1")
    reward_per_post: float = Field(0.0, ge=0, description="money paid to a KOL per post, currency")
    reward_scale: float = Field(50.0, gt=0, description="reward/post, currency, giving 63% of the money recognition")
    audience_scale: float = Field(50.0, gt=0, description="engaged members whose replies give 63% of reply recognition")
    motivation_memory: float = Field(20.0, ge=1, description="days over which motivation follows recognition")
    overload_fatigue: float = Field(0.05, ge=0, description="motivation lost/day per unit of overload")
    burnout_threshold: float = Field(0.25, ge=0, le=1, description="motivation below which a KOL may quit")
    quit_rate: float = Field(0.05, ge=0, description="quit hazard/day of a burnt-out KOL")
    leave_day: int | None = Field(None, ge=1, description="day every KOL leaves at once (KOL loss); none = never")
    cultivation_rate: float = Field(0.01, ge=0, description="hazard/day the operator turns a top member into a KOL")
    cultivation_min_satisfaction: float = Field(0.35, description="satisfaction a member needs to be cultivated")
    max_kols: int = Field(10, ge=0, description="cultivation stops at this many KOLs")


class Moderation(Section):
    """Admins' ad policy, attention costs, strictness and off-topic deletion."""

    ad_policy: AdPolicy = Field("warn_then_kick", description="what admins do with a detected ad")
    minutes_per_ad: float = Field(2.0, ge=0, description="admin minutes to find and handle one ad")
    minutes_per_welcome: float = Field(1.0, ge=0, description="admin minutes to welcome one newcomer")
    warnings_before_kick: int = Field(1, ge=0, description="warnings before a kick (warn_then_kick)")
    warn_deterrence: float = Field(0.5, ge=0, le=1, description="probability a warned spammer stops")
    false_positive_rate: float = Field(0.0, ge=0, le=1, description="share of normal messages wrongly flagged")
    removed_ad_visibility: float = Field(0.1, ge=0, le=1, description="share of a removed ad's annoyance still felt")
    wrongful_warning_hurt: float = Field(0.5, ge=0, description="satisfaction lost by a member wrongly flagged")
    strictness: float = Field(
        1.0,
        ge=0,
        le=1,
        description="how readily admins flag: scales ads caught, false flags, "
        "off-topic deletion and the kick threat spammers feel",
    )
    newcomer_flag_multiplier: float = Field(3.0, ge=0, description="how much likelier a newcomer's message is flagged")
    off_topic_removal: float = Field(0.0, ge=0, le=1, description="share of off-topic messages admins delete")
    minutes_per_off_topic: float = Field(0.2, ge=0, description="admin minutes to delete one off-topic message")
    focus_commitment: float = Field(1.0, ge=0, description="commitment a fully on-topic group adds (identity)")


class Ads(Section):
    """Turning to spam: who does it, how much they post, how a kick threat deters them."""

    spam_rate: float = Field(0.02, ge=0, description="hazard/day a disaffected, fearless member turns spammer")
    spam_satisfaction: float = Field(0.1, description="satisfaction below which a member may turn spammer")
    ads_per_day: float = Field(2.0, ge=0, description="ad messages/day of a spammer")
    kick_fear: float = Field(2.0, ge=0, description="how much a credible kick threat deters spam")


class Groups(Section):
    """Group capacity, copy and split policies, and culture."""

    capacity: int = Field(500, ge=2, description="hard member cap of one group (WeChat: 500)")
    split_policy: SplitPolicy = Field("at_capacity", description="when the operator opens or splits groups")
    dunbar_size: int = Field(150, ge=2, description="size above which the dunbar policy splits a group")
    low_activity_messages: float = Field(0.2, ge=0, description="messages/member/day below which low_activity splits")
    low_activity_min_size: int = Field(100, ge=4, description="smallest group the low_activity policy splits")
    split_cooldown: int = Field(14, ge=1, description="days before a group may split again")
    seed_core: bool = Field(True, description="a new group gets a core team: a new admin and a new KOL of its own")
    initial_culture: float = Field(0.5, ge=0, le=1, description="shared subculture of the first group, 0..1")
    culture_inheritance: float = Field(0.5, ge=0, le=1, description="share of culture a new group inherits")
    core_culture_inheritance: float = Field(0.85, ge=0, le=1, description="share inherited with a seeded core")
    culture_growth: float = Field(0.02, ge=0, description="culture growth/day at full participation")


class ActivityPlan(Section):
    """One entry of the activities calendar ([[activities]] in TOML)."""

    kind: ActivityKind
    every: int | None = Field(None, ge=1, description="days between occurrences; default by kind")
    start: int = Field(1, ge=1, description="first day it happens")
    end: int | None = Field(None, ge=1, description="last day it may happen; none = run end")
    lift: float | None = Field(None, ge=0, description="relative lift of participation while it runs")
    duration: int | None = Field(None, ge=1, description="days each occurrence lasts")
    admin_minutes: float | None = Field(None, ge=0, description="admin minutes per group per occurrence")
    kol_minutes: float | None = Field(None, ge=0, description="KOL minutes per occurrence")
    money: float | None = Field(None, ge=0, description="cash per group per occurrence (red packets, venue)")
    novelty: float | None = Field(None, ge=0, le=1, description="novelty restored to participants")
    ties: float | None = Field(None, ge=0, description="ties each participant forms")
    awaken: float | None = Field(None, ge=0, le=1, description="probability a dormant member is reactivated")


class Monetization(Section):
    """Product sales, repurchase and the hourly cost of operators."""

    product_price: float = Field(100.0, ge=0, description="price of the product or service, currency")
    buyer_conversion: float = Field(0.005, ge=0, description="purchase hazard/day of an engaged able-to-pay member")
    repurchase_rate: float = Field(0.003, ge=0, description="repurchase hazard/day of a satisfied buyer")
    admin_hourly_cost: float = Field(30.0, ge=0, description="cost of one admin hour, currency")
    kol_hourly_cost: float = Field(60.0, ge=0, description="opportunity cost of one KOL hour, currency")


class Scenario(Section):
    """A whole scenario: one value for every parameter of the model."""

    name: str = "scenario"
    description: str = ""
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
    ads: Ads = Ads()
    groups: Groups = Groups()
    activities: list[ActivityPlan] = []
    monetization: Monetization = Monetization()
    network: NetworkSection = NetworkSection()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        pop = self.population
        if pop.initial_members + pop.initial_left > pop.potential_pool:
            raise ValueError(
                "population.initial_members + population.initial_left must be <= population.potential_pool "
                f"({pop.initial_members} + {pop.initial_left} > {pop.potential_pool})"
            )
        if self.entry.threshold == "paid" and self.entry.fee <= 0:
            raise ValueError("entry.fee must be > 0 when entry.threshold = 'paid'")
        if self.network.source != "well_mixed":
            # the graph is built and analysed by sim.network, but the member day does not read it yet:
            # refuse rather than accept a lever that would change nothing
            raise ValueError(
                f"network.source = {self.network.source!r} is not yet part of a model run (only 'well_mixed' is); "
                "build and analyse such graphs with sim.network.build_network"
            )
        return self

"""The agents: Member (a view on one row of the people table), KOL and Admin.

Members are many, so their state lives in the model's arrays and a `Member` only reads
and writes its row; it is still a full Mesa agent (selectable with AgentSet tools,
usable by DataCollector agent reporters). KOLs and admins are few and ordinary agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from sim.population import ACTIVE, DORMANT, INITIAL, LEFT, NEW, SOURCE_NAMES, STAGE_NAMES
from sim.rules import ads as ad_rules
from sim.rules import kol as kol_rules
from sim.rules import value as V
from sim.rules.entry import first_day_leave_probability
from sim.rules.hazards import step_probability
from sim.rules.lifecycle import (
    LEAVE,
    SWITCH,
    block_probabilities,
    day_move,
    impression,
    member_hazards,
    substep_probabilities,
)
from sim.rules.money import purchase_hazard, renews

if TYPE_CHECKING:
    from sim.engines.day import DayContext
    from sim.model import CommunityModel


def _column(name: str, doc: str) -> property:
    def get(self: Member) -> Any:
        return getattr(self.model.people, name)[self.row].item()

    def set_(self: Member, value: Any) -> None:
        getattr(self.model.people, name)[self.row] = value

    return property(get, set_, doc=doc)


class Member(mesa.Agent):
    """A member of the community: a Mesa agent that reads and writes row `row` of the people table."""

    interest = _column("interest", "interest match to the group topic, 0..1")
    propensity = _column("propensity", "messages/day when engaged")
    patience = _column("patience", "divides the leave hazard")
    wtp = _column("wtp", "willingness to pay, currency")
    group = _column("group", "id of the member's group")
    satisfaction = _column("satisfaction", "running memory of daily value")
    novelty = _column("novelty", "novelty left, 1 on joining")
    ties = _column("ties", "ties to other members")
    commitment = _column("commitment", "commitment from the entry threshold")
    spammer = _column("spammer", "posts ads")
    warnings = _column("warnings", "warnings received")
    join_day = _column("join_day", "day the member joined (0 = founding member)")
    purchases = _column("purchases", "products bought")

    def __init__(self, model: CommunityModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def stage(self) -> str:
        """Lifecycle stage: new, active or dormant (left, kicked and promoted members have no view)."""
        return STAGE_NAMES[self.model.people.stage[self.row]]

    @stage.setter
    def stage(self, name: str) -> None:
        self.model.people.stage[self.row] = STAGE_NAMES.index(name)

    @property
    def source(self) -> str:
        """How the member came: initial, channel or referral."""
        return SOURCE_NAMES[self.model.people.source[self.row]]

    @property
    def invited_by(self) -> int | None:
        """Row of the member who invited this one (fission), or None."""
        row = int(self.model.people.invited_by[self.row])
        return None if row < 0 else row

    # ------------------------------------------------------------ behaviour (agents engine)
    def post(self, ctx: DayContext) -> None:
        """Write today's messages (engaged members) or ads (spammers)."""
        model, i = self.model, self.row
        P, sc = model.people, model.params
        g = P.group[i]
        if P.spammer[i]:
            ads = int(model.rng.poisson(sc.ads.ads_per_day))
            ctx.ads_g[g] += ads
            ctx.ads_log.append((i, ads))
        elif P.stage[i] in (NEW, ACTIVE):
            rate = float(P.propensity[i] * self._multiplier(P.satisfaction[i]) * (1.0 + ctx.lift))
            ctx.messages_g[g] += model.rng.poisson(rate)
            ctx.posts_log.append((i, rate))

    def live(self, ctx: DayContext) -> None:
        """Take the day's value, then move: first-day exit, leave, decay or reactivate, renew, spam, buy."""
        model, i = self.model, self.row
        P, sc, rng = model.people, model.params, model.rng
        if not NEW <= P.stage[i] <= DORMANT:
            return
        g, val = P.group[i], sc.value
        engaged = P.stage[i] in (NEW, ACTIVE)
        value_today = float(
            V.daily_value(
                P.interest[i],
                ctx.content_g[g],
                ctx.chat_g[g],
                P.ties[i],
                model.groups.culture[g],
                P.novelty[i],
                ctx.annoyance_g[g],
                1.0 if engaged else sc.activity.dormant_exposure,
                (val.content_weight, val.chat_weight, val.ties_weight),
                sc.activity.novelty_floor,
                val.ties_saturation,
            )
        )
        P.satisfaction[i] = V.update_satisfaction(P.satisfaction[i], value_today, sc.dynamics.satisfaction_memory)
        mult = self._multiplier(P.satisfaction[i])
        P.novelty[i] = V.decay_novelty(P.novelty[i], sc.activity.novelty_decay, ctx.novelty_refresh * engaged)
        if engaged:
            P.ties[i] = V.grow_ties(P.ties[i], min(mult, 3.0), ctx.tie_rate_g[g], ctx.crowd_g[g], ctx.activity_ties)
        else:
            P.ties[i] *= 1.0 - val.tie_decay
        fb = sc.dynamics.value_feedback
        newcomer = P.join_day[i] == ctx.day
        if newcomer and fb and sc.onboarding.first_day_leave > 0:  # the first 24 hours
            first = impression(
                value_today,
                i in ctx.welcomed_rows,
                sc.onboarding.ritual,
                sc.onboarding.welcome_effect,
                sc.onboarding.ritual_effect,
            )
            if rng.random() < first_day_leave_probability(
                sc.onboarding.first_day_leave, first, sc.onboarding.impression_scale
            ):
                self._leave(ctx)
                ctx.first_day_left += 1
                return
        dormant = P.stage[i] == DORMANT
        if not fb:  # every member of a stage shares the day plan's transition
            plan = model.trend.plan
            assert plan is not None  # planned when the day opened (DayContext.start)
            probabilities = block_probabilities(plan.newcomer if newcomer else plan.member, dormant)
        elif newcomer:  # the first-day rule decided instead
            probabilities = (0.0, 0.0)
        else:  # the member's hazards in each sub-step of the day
            steps = [
                member_hazards(
                    mult,
                    P.patience[i],
                    P.commitment[i] + ctx.identity_g[g],
                    feedback=fb,
                    base_rate=sc.churn.base_rate,
                    peer_rate=sc.churn.peer_rate,
                    left_share=left_share,
                    dormant_multiplier=sc.churn.dormant_multiplier,
                    decay_rate=sc.activity.decay_rate,
                    reactivation_rate=sc.activity.reactivation_rate,
                    peer_reactivation_rate=sc.activity.peer_reactivation_rate,
                    active_share=active_share,
                    awaken=ctx.awaken,
                )
                for left_share, active_share in zip(ctx.left_shares, ctx.active_shares, strict=True)
            ]
            probabilities = substep_probabilities(steps, dormant)
        outcome = day_move(rng.random(), *probabilities)
        if outcome == LEAVE:
            self._leave(ctx)
            return
        if outcome == SWITCH and dormant:
            P.stage[i] = ACTIVE
            P.novelty[i] = max(P.novelty[i], ctx.novelty_refresh)
            ctx.dormant_to_active += 1
        elif outcome == SWITCH:
            P.stage[i] = DORMANT
            ctx.active_to_dormant += 1
        elif P.stage[i] == NEW and ctx.day - P.join_day[i] >= sc.onboarding.new_days:
            P.stage[i] = ACTIVE
            ctx.new_to_active += 1
        if not self._renew(ctx):
            return
        if fb and not P.spammer[i] and P.satisfaction[i] < sc.ads.spam_satisfaction:
            stake = P.commitment[i] + V.saturating(P.ties[i], val.ties_saturation)
            fear = ad_rules.kick_fear(
                ad_rules.POLICY_THREAT[sc.moderation.ad_policy], ctx.enforcement[g], stake, sc.ads.kick_fear
            )
            h = ad_rules.spam_hazard(P.satisfaction[i], fear, sc.ads.spam_rate, sc.ads.spam_satisfaction)
            if rng.random() < step_probability(h):
                P.spammer[i] = True
                ctx.new_spammers += 1
        self._buy(ctx)

    def _multiplier(self, satisfaction: float) -> float:
        return float(self.model._multiplier(np.asarray(satisfaction)))

    def _leave(self, ctx: DayContext) -> None:
        self.model._exit(np.array([self.row]), LEFT, ctx.day)
        ctx.left_today += 1

    def _renew(self, ctx: DayContext) -> bool:
        """Pay a due periodic fee or leave; False if the member left."""
        P, e, i = self.model.people, self.model.params.entry, self.row
        if e.threshold != "paid" or e.fee_period_days <= 0 or P.source[i] == INITIAL:
            return True
        age = ctx.day - P.join_day[i]
        if age <= 0 or age % e.fee_period_days:
            return True
        if renews(P.satisfaction[i], P.wtp[i], P.interest[i], fee=e.fee, min_satisfaction=e.renewal_min_satisfaction):
            ctx.fee_revenue += e.fee
            return True
        self._leave(ctx)
        return False

    def _buy(self, ctx: DayContext) -> None:
        P, mon, i = self.model.people, self.model.params.monetization, self.row
        if mon.product_price <= 0 or (mon.buyer_conversion <= 0 and mon.repurchase_rate <= 0):
            return
        if P.spammer[i] or P.stage[i] not in (NEW, ACTIVE):
            return
        h = purchase_hazard(
            P.purchases[i] > 0,
            self._multiplier(P.satisfaction[i]),
            P.interest[i],
            P.wtp[i],
            price=mon.product_price,
            conversion=mon.buyer_conversion,
            repurchase=mon.repurchase_rate,
        )
        if self.model.rng.random() < step_probability(h):
            P.purchases[i] += 1
            ctx.purchases += 1
            ctx.product_revenue += mon.product_price

    def __repr__(self) -> str:
        return f"Member(row={self.row}, stage={self.stage}, group={self.group}, satisfaction={self.satisfaction:.2f})"


class KOL(mesa.Agent):
    """An opinion leader: writes content for the groups it serves within a time budget.

    Motivation follows recognition (audience replies, praise, money) and falls with
    overload; below the burnout threshold the KOL may quit.
    """

    def __init__(self, model: CommunityModel, groups: list[int], from_member: int | None = None) -> None:
        super().__init__(model)
        self.groups = list(groups)
        self.from_member = from_member
        self.motivation = 0.8
        self.overload = 0.0
        self.minutes_worked = 0.0
        self.posts_today = 0

    def write(self, ctx: DayContext) -> None:
        """Write today's posts for the groups served, within the time budget.

        Posts are planned on a cadence (`output.regularity`), scaled by motivation, and
        cut to what the budget leaves after helping admins and running activities.
        """
        sc, rng = self.model.params, self.model.rng
        self.posts_today, self.minutes_worked, self.overload = 0, 0.0, 0.0
        if not self.groups:
            return
        budget = sc.roles.kol_hours_per_day * 60.0
        planned = sc.output.kol_posts_per_day if rng.random() < sc.output.regularity else 0.0
        posts = int(rng.poisson(planned * kol_rules.output_factor(self.motivation)))
        activity = sum(ctx.kol_activity_g[g] for g in self.groups)
        fixed = len(self.groups) * sc.kol.moderation_minutes + activity
        need = kol_rules.planned_minutes(posts, sc.kol.minutes_per_post, len(self.groups), sc.kol.moderation_minutes)
        need += activity
        if need > budget:
            posts = min(posts, int(max(0.0, budget - fixed) // sc.kol.minutes_per_post))
        self.overload = max(0.0, need / budget - 1.0) if budget > 0 else float(need > 0)
        self.posts_today = posts
        self.minutes_worked = min(need, budget)
        share = 1.0 / len(self.groups)
        help_minutes = min(sc.kol.moderation_minutes, budget * share)
        for g in self.groups:  # a KOL serves few groups: a loop beats numpy's fancy indexing here
            ctx.quality_posts[g] += posts * sc.output.quality * share
            ctx.content_posts[g] += posts * share
            ctx.kol_help[g] += help_minutes

    def reflect(self, ctx: DayContext) -> None:
        """End of day: motivation follows recognition, overload wears it down; a burnt-out KOL may quit."""
        sc = self.model.params.kol
        audience = float(sum(ctx.engaged_list[g] for g in self.groups))
        rec = kol_rules.recognition(audience, sc.praise, sc.reward_per_post, sc.reward_scale, sc.audience_scale)
        self.motivation = kol_rules.update_motivation(
            self.motivation, rec, self.overload, sc.motivation_memory, sc.overload_fatigue
        )
        h = kol_rules.quit_hazard(self.motivation, sc.burnout_threshold, sc.quit_rate)
        if h > 0 and self.model.rng.random() < step_probability(h):
            self.model.kols_lost += 1
            ctx.kols_quit += 1
            self.remove()

    def __repr__(self) -> str:
        return f"KOL(id={self.unique_id}, groups={self.groups}, motivation={self.motivation:.2f})"


class Admin(mesa.Agent):
    """An admin (operator): moderates, welcomes, reviews and runs activities in the groups it manages.

    Attention is limited: `minutes_per_day` is split evenly over the managed groups
    ("one person cannot manage N groups", seed 002).
    """

    def __init__(self, model: CommunityModel, groups: list[int], minutes_per_day: float) -> None:
        super().__init__(model)
        self.groups = list(groups)
        self.minutes_per_day = minutes_per_day

    def work(self, ctx: DayContext) -> None:
        """Share attention over the managed groups and post announcements."""
        sc = self.model.params
        if not self.groups:
            return
        share = self.minutes_per_day / len(self.groups)
        posts = self.model.rng.poisson(sc.output.admin_posts_per_day * sc.output.regularity, size=len(self.groups))
        for g, n in zip(self.groups, posts.tolist(), strict=True):
            ctx.admin_capacity[g] += share
            ctx.quality_posts[g] += n * sc.output.quality
            ctx.content_posts[g] += n

    def __repr__(self) -> str:
        return f"Admin(id={self.unique_id}, groups={self.groups})"

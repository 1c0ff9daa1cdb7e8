"""Moderation: admins catch ads within their attention and apply the ad policy; they welcome newcomers.

Reads the `[moderation]` and `[onboarding]` sections; publishes `Moderation`.
Attention is shared by all of the day's work (reading the chat to find ads, handling
ads, off-topic deletions, welcomes, reviews), so coverage falls when the chat and its
spam grow faster than the admins' capacity to watch it. A management bot (`[staff]`
bots) deletes a share of ads by rule before the admins look and takes over the
welcomes with a weaker, canned one; it does not review or judge. Strictness scales
what admins catch, ads and innocent messages alike (newcomers, who do not know the
norms yet, are flagged more often).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.mechanisms.day import Day, Moderation
from sim.population import KICKED, NEW
from sim.rules import ads as ad_rules
from sim.rules.hazards import step_probability

if TYPE_CHECKING:
    from sim.world import Community


class AdModeration:
    """The admins' day of moderation and welcomes."""

    def __init__(self, model: Community) -> None:
        self.model = model
        sc = model.params
        self.section, self.onboarding, self.off_topic_share = sc.moderation, sc.onboarding, sc.value.off_topic_share
        self.staff = sc.staff

    def step(self, day: Day) -> None:
        """Share the attention over the work, catch ads, flag, warn and kick, welcome."""
        model, mod = self.model, self.section
        people, draws, d, tally = model.people, model.draws, day.day, day.tally
        out, posting, joined = day.output, day.posting, day.arrivals.joined_rows
        n_groups = model.groups.count
        joined_g = np.bincount(people.group[joined], minlength=n_groups) if joined.size else np.zeros(n_groups)
        off_topic = self.off_topic_share * posting.messages
        review = day.arrivals.review_minutes / max(1, int(out.occupied.sum())) * out.occupied
        bot_share = self.staff.bot_catch_share if self.staff.bots else 0.0
        need = ad_rules.moderation_minutes(
            posting.messages,
            posting.ads,
            minutes_per_message_read=mod.minutes_per_message_read,
            minutes_per_ad=mod.minutes_per_ad,
            bot_share=bot_share,
        )
        need = need + review + mod.minutes_per_off_topic * mod.off_topic_removal * off_topic
        admins_welcome = self.onboarding.welcome and not self.staff.bots
        if admins_welcome:
            need = need + mod.minutes_per_welcome * joined_g
        coverage = ad_rules.moderation_coverage(out.admin_capacity, need)
        enforcement = coverage * mod.strictness
        focus = mod.off_topic_removal * enforcement
        tally.off_topic_removed = int((off_topic * focus).sum())
        p_detect = ad_rules.detection_probability(mod.ad_policy, ad_rules.with_bot(enforcement, bot_share))
        rows, ads = posting.spam_rows, posting.spam_ads
        caught = draws.binomial("moderation.catch", d, rows, ads, p_detect[people.group[rows]])
        result = Moderation(
            coverage=coverage,
            enforcement=enforcement,
            focus=focus,
            ads_removed=np.bincount(people.group[rows], weights=caught, minlength=n_groups),
        )
        day.moderation = result
        flagged = rows[caught > 0]
        posters = posting.poster_rows
        if mod.false_positive_rate > 0 and mod.ad_policy != "tolerate" and posters.size:
            g = people.group[posters]
            newcomer = people.stage[posters] == NEW
            flag_rate = mod.false_positive_rate * (1.0 + (mod.newcomer_flag_multiplier - 1.0) * newcomer)
            p_flag = step_probability(flag_rate * enforcement[g] * posting.poster_rates)
            wrongly = posters[draws.uniform("moderation.flag", d, posters) < p_flag]
            people.satisfaction[wrongly] -= mod.wrongful_warning_hurt
            tally.false_flags = int(wrongly.size)
            flagged = np.concatenate([flagged, wrongly])
        if mod.ad_policy != "tolerate" and flagged.size:
            people.warnings[flagged] += 1
            kick = ad_rules.sanction(mod.ad_policy, people.warnings[flagged], mod.warnings_before_kick)
            kicked = flagged[kick]
            people.exit(kicked, KICKED, d)
            tally.kicked = int(kicked.size)
            warned = flagged[~kick]
            tally.warnings = int(warned.size)
            deterred = draws.uniform("moderation.deterrence", d, warned) < mod.warn_deterrence
            stop = warned[people.spammer[warned] & deterred]
            people.spammer[stop] = False
        if admins_welcome and joined.size:
            g = people.group[joined]
            p_welcome = coverage[g] * (out.admin_capacity[g] > 0)
            result.welcomed_rows = joined[draws.uniform("moderation.welcome", d, joined) < p_welcome]
        elif self.onboarding.welcome and joined.size:  # the bot's canned welcome, in every group
            landed = draws.uniform("staff.bot_welcome", d, joined) < self.staff.bot_welcome_weight
            result.welcomed_rows = joined[landed]

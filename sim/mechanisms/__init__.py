"""The day's mechanisms as modules, run in `CommunityModel.day_order`.

Each module reads its own scenario section, owns its state and does its step on the
day in progress (`sim.mechanisms.day.Day`), publishing what later mechanisms and the
metrics read:

- `acquisition.Acquisition`: arrivals, referral, the entry threshold (`[acquisition]`, `[entry]`);
- `output.ContentOutput`: KOLs' and admins' posts and attention (`[output]`);
- `members.MemberDay`: the member day, posting and living (`[dynamics]`, `[value]`, ...);
- `moderation.AdModeration`: ads, warnings, kicks, welcomes (`[moderation]`, `[onboarding]`);
- `roles.Roles`: KOLs and admins, burnout, cultivation (`[roles]`, `[kol]`);
- `groups.GroupPolicy`: routing, copying, splitting, culture (`[groups]`);
- `calendar.ActivityCalendar`: activities and planned events (`[[activities]]`).
"""

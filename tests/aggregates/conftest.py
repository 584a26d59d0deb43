"""`--hypothesis-profile=no-shrink`: report the first failing story as found (checking that the
property tests catch a deliberately broken aggregate takes seconds, not the minutes shrinking does)."""

from hypothesis import Phase, settings

settings.register_profile("no-shrink", phases=[Phase.explicit, Phase.reuse, Phase.generate])

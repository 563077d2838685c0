"""Risk appetite: one knob that scales how much leverage the trader asks for in calm markets.

`risk.appetite` (a multiple; 1 = the seed's defaults) scales together, from their defaults:

- K, the tolerated daily volatility of equity (`safe_leverage.k_daily_equity_vol`, 0.02 × a),
- the EffLev rule thresholds: `rules.eff_lev_reduce_above` (2.0 × a), `rules.eff_lev_forced_above`
  (2.5 × a) and `rules.eff_lev_target` (2.0 × a).

So a book that wants 10:1 in calm markets gets 10:1 (appetite 5), and the volatility and liquidity
layers still step it down: L_safe = K / (σ × LR) falls as σ and LR rise, the regime and the §3.5
multipliers cut the target as before.

What does NOT scale, on principle (they protect against something the trader's appetite does not
change):

- the broker's margin-call and stop-out levels and the MSI / MU margin rules
  (`rules.msi_reduce_below`, `rules.mu_no_new_exposure_above`), the cash buffer and the urgency
  levels: they keep the book away from the broker's stop-out, which closes a position at the same
  margin level whatever the trader wanted;
- the L_max caps per symbol class (ESMA's retail caps: a regulator's limit, not a preference);
- the MINIMUM regime's step-down leverage (`regime.minimum_eff_lev`): in a liquidity crash the
  book must still be stepped down to the same small exposure; an appetite that would put the rule
  target below it is refused;
- the prop-firm rules (a firm's limits in money, not in leverage);
- the display bands (`[bands]`): they say what EffLev means for ruin by the seed's reading, so a
  10:1 book is shown as what it is.

A profile names an appetite: `seed` (1, the default) and `retail` (5, for books of 10–30:1: the
rule target sits at the low end of that range, 10:1; K = 0.10 keeps L_safe at about 22 at the calm
control's daily σ of 0.45 % (EURUSD, D1 2018 – Feb 2019, shared/data/calm_2019-02-04_eurusd), so in
calm markets the rules bind, and L_safe binds once σ passes 1 %/day; chosen from the book size and
the calm data, never from a crash window). A key written in the file overrides the profile: an
explicit `risk.appetite` replaces the profile's, and an explicit scaled key (say
`rules.eff_lev_target`) is taken as written, not scaled.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PROFILES", "SCALED", "Profile", "RiskSettings", "appetite_of", "check_minimum",
           "scaled_table"]


class Profile(StrEnum):
    """A named risk appetite (see the module docstring for how each was chosen)."""

    SEED = "seed"
    RETAIL = "retail"


#: the appetite of each profile (a multiple of the seed's K and EffLev thresholds)
PROFILES: dict[Profile, float] = {Profile.SEED: 1.0, Profile.RETAIL: 5.0}

#: the keys the appetite scales, per table (their defaults × appetite)
SCALED: dict[str, tuple[str, ...]] = {
    "safe_leverage": ("k_daily_equity_vol",),
    "rules": ("eff_lev_reduce_above", "eff_lev_forced_above", "eff_lev_target"),
}


class RiskSettings(BaseModel):
    """How much leverage the trader asks for in calm markets (`[risk]`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    profile: Profile = Field(Profile.SEED, description="seed (appetite 1) or retail (appetite 5, "
                             "books of 10–30:1)")
    appetite: Annotated[float, Field(gt=0.0, le=100.0)] | None = Field(
        None, description="multiple of the seed's K and EffLev thresholds (reduce, forced, "
        "target); unset: the profile's")


def appetite_of(risk: RiskSettings) -> float:
    """The appetite in force: the one written in the file, else the profile's."""
    return risk.appetite if risk.appetite is not None else PROFILES[risk.profile]


def _source(appetite: float, risk: RiskSettings) -> str:
    how = "written" if risk.appetite is not None else f"profile {risk.profile.value!r}"
    return f"risk.appetite {appetite:g} ({how})"


def scaled_table(table: str, raw: object, model: type[BaseModel], risk: RiskSettings) -> object:
    """The raw TOML table `table` (a mapping, or an already built `model`) with every key of
    SCALED[table] that the user did not write set to its default × appetite. Keys the user wrote
    are kept as written. Anything else is returned unchanged (the model's validation names it).

    Raises ValueError naming the keys when the result breaks one of the model's cross-field rules
    (for example a written `rules.eff_lev_reduce_above` below the scaled target)."""
    appetite = appetite_of(risk)
    if isinstance(raw, model):
        written: dict[str, Any] = {k: getattr(raw, k) for k in raw.model_fields_set}
    elif isinstance(raw, Mapping):
        written = dict(raw)
    else:
        return raw
    if appetite == 1.0:
        return raw
    out = dict(written)
    scaled: list[str] = []
    for key in SCALED[table]:
        if key not in written:
            default = model.model_fields[key].default
            out[key] = round(float(default) * appetite, 12)
            scaled.append(f"{table}.{key} = {default:g} × {appetite:g} = {out[key]:g}")
    try:
        model.model_validate(out)
    except ValueError as exc:
        # the model's own message names the keys; say which values the appetite made
        errors = getattr(exc, "errors", None)
        reasons = [_reason(table, e) for e in errors()] if callable(errors) else [str(exc)]
        raise ValueError(
            f"{_source(appetite, risk)} scales {'; '.join(scaled) or 'nothing unwritten'}, and "
            f"then {'; '.join(reasons)}. Lower risk.appetite, or write the keys of "
            f"[{table}] it scales ({', '.join(SCALED[table])}) consistently") from None
    return out


def _reason(table: str, error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    loc = ".".join(str(x) for x in error.get("loc", ()))
    if not loc:
        return message
    return f"{table}.{loc} {message[0].lower()}{message[1:]}" if message else f"{table}.{loc}"


def check_minimum(minimum_eff_lev: float, eff_lev_target: float, risk: RiskSettings) -> None:
    """The MINIMUM regime steps the book DOWN: refuse an appetite that puts the rule target below
    `regime.minimum_eff_lev` (which does not scale). Nothing is checked at appetite 1."""
    appetite = appetite_of(risk)
    if appetite != 1.0 and minimum_eff_lev > eff_lev_target:
        raise ValueError(
            f"{_source(appetite, risk)} puts rules.eff_lev_target at {eff_lev_target:g}, below "
            f"regime.minimum_eff_lev ({minimum_eff_lev:g}), the EffLev the MINIMUM regime steps "
            "down to: raise risk.appetite or lower regime.minimum_eff_lev")

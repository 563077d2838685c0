"""The `[news]` table: the news rule and where its calendar comes from (docs/news.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["NewsSettings"]


class NewsSettings(BaseModel):
    """The news rule: no new exposure around high-impact news, and an optional reduction before
    it, on the symbols whose base or profit currency the event names. Off by default."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    enabled: bool = Field(
        False, description="apply the news rule to the calendar's events (off: the events are "
        "read but cap nothing)")
    importance: Literal["high", "medium"] = Field(
        "high", description="the lowest importance the rule acts on: high, or medium (high and "
        "medium)")
    no_new_exposure_minutes: Annotated[float, Field(ge=0.0, le=1440.0)] = Field(
        15.0, description="no new exposure on the event's symbols from this many minutes "
        "before the release until this many minutes after it")
    reduce_minutes_before: Annotated[float, Field(ge=0.0, le=1440.0)] = Field(
        0.0, description="from this many minutes before the release (until the blackout ends) "
        "the event's symbols weigh reduce_to_fraction in the target EffLev; 0 = no reduction")
    reduce_to_fraction: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.5, description="the share of the target EffLev the event's symbols keep while reduced "
        "(0.5 = half; the account's target falls by their share of the book's value)")
    calendar_file: str = Field(
        "", description="a calendar file (CSV or TOML: time_utc, currency, importance, title; "
        "docs/news.md) used besides or instead of the EA's; empty = none")
    use_ea_calendar: bool = Field(
        True, description="use the broker's calendar the EA writes into its telemetry "
        "(version 2)")

"""The rate rules as data (JIESU_RATES_*): weights, the ranking threshold, the exclusions.

Defaults follow domain.md (practice): 基本满意 weighs 0.9; composite = 0.1 response +
0.5 resolution + 0.4 satisfaction; see docs/decisions/0006-rates.md for every definition.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class RateRules(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIESU_RATES_", env_file=".env", extra="ignore")

    basically_weight: float = Field(default=0.9, ge=0, le=1)
    weight_response: float = Field(default=0.1, ge=0, le=1)
    weight_resolution: float = Field(default=0.5, ge=0, le=1)
    weight_satisfaction: float = Field(default=0.4, ge=0, le=1)
    # A unit enters the ranking only with at least this many visited orders in the period.
    min_visited: int = Field(default=10, ge=0)
    # States in which an order is not (or no longer) any unit's: back with the dispatcher,
    # or merged into another order. They count in no unit's figures.
    excluded_states: tuple[str, ...] = ("returned", "merged")
    # Close reasons judged apart: the supervisor agreed the request cannot be met under law.
    # These orders count as received (and for response) but not in resolution or satisfaction.
    judged_apart: tuple[str, ...] = ("explained",)

    @model_validator(mode="after")
    def _weights(self) -> RateRules:
        total = self.weight_response + self.weight_resolution + self.weight_satisfaction
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"composite weights must add up to 1 (got {total})")
        return self


@lru_cache
def get_rate_rules() -> RateRules:
    return RateRules()

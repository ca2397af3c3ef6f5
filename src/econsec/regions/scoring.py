"""Score bands shared by the five perspectives and the helpers that clip and round."""

from __future__ import annotations

from econsec.regions.models import Band, Score

#: Bands of every 0-100 score: from ``min_score`` up (shown with every result).
BANDS = (Band(band="high", min_score=60.0), Band(band="medium", min_score=30.0),
         Band(band="low", min_score=0.0))


def clip01(x: float) -> float:
    """``x`` clipped to 0-1.

    >>> clip01(1.7), clip01(-0.2), clip01(0.25)
    (1.0, 0.0, 0.25)
    """
    return min(1.0, max(0.0, x))


def band_of(value: float | None) -> str | None:
    """The band of a score (None for no score).

    >>> band_of(60.0), band_of(59.9), band_of(0.0), band_of(None)
    ('high', 'medium', 'low', None)
    """
    if value is None:
        return None
    return next(b.band for b in BANDS if value >= b.min_score)


def score(value: float | None, formula: str, components: dict[str, float | None]) -> Score:
    """A :class:`Score` rounded to 0.1 with its band."""
    rounded = None if value is None else round(100 * clip01(value / 100), 1)
    return Score(value=rounded, band=band_of(rounded), formula=formula,
                 components={k: (None if v is None else round(v, 6))
                             for k, v in components.items()})

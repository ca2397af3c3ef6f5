"""The result models of ``econsec assess complexity`` and ``/api/v1/complexity``.

Apart from :mod:`econsec.analyses.models` (whose style they follow), like the trade query's
models, so that the complexity command builds these few classes only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from econsec.analyses.models import AnalysisResult, MethodRef, SourceInfo


class ComplexityOpportunity(AnalysisResult):
    """A product a country does not export with an advantage (RCA < 1), by density."""

    product: str
    density: float = Field(description="Proximity-weighted share of the product's "
                                       "neighbours the country exports (0-1)")
    cog: float = Field(description="Complexity outlook gain of adding the product")
    pci: float | None


class ComplexityCountry(AnalysisResult):
    """A country's economic complexity in the matrix."""

    iso3: str
    country: str
    country_ja: str
    eci: float | None = Field(description="Economic complexity index (mean 0, s.d. 1 over "
                                          "the countries); null: not computable")
    rank: int | None = Field(description="1 = highest ECI")
    diversity: int = Field(description="Products exported with RCA ≥ threshold")
    exports: float = Field(description="Total exports in the matrix (unit)")
    coi: float | None = Field(description="Complexity outlook index (standardised)")
    opportunities: list[ComplexityOpportunity] = Field(
        description="Products not yet exported with an advantage, highest density first")


class ProductNeighbour(AnalysisResult):
    """A product close to another in the product space."""

    product: str
    proximity: float = Field(description="Smaller of the two conditional probabilities of "
                                         "exporting one product given the other (0-1)")


class ComplexityProduct(AnalysisResult):
    """A product's complexity in the matrix."""

    product: str
    description: str
    description_ja: str
    pci: float | None = Field(description="Product complexity index, on the ECI scale")
    rank: int | None = Field(description="1 = highest PCI")
    ubiquity: int = Field(description="Countries exporting it with RCA ≥ threshold")
    exports: float = Field(description="World exports in the matrix (unit)")
    nearest: list[ProductNeighbour] = Field(description="Closest products by proximity")


class ComplexityTable(AnalysisResult):
    """ECI and PCI (eigenvector method, as the ecomplexity package), proximity and density
    of a country × product export matrix (``econsec assess complexity --format json``)."""

    basis: Literal["bundled", "file"] = Field(
        description="bundled: the bundled BACI raw-material trade (HS 1992); file: a "
                    "user's matrix")
    year: int | None
    file: str = Field(description="The user's file (basis file)")
    unit: str
    threshold: float = Field(description="Mcp = 1 where RCA ≥ threshold")
    n_countries: int = Field(description="Countries with an ECI")
    n_products: int = Field(description="Products with a PCI")
    eigenvalue: float = Field(description="Second largest eigenvalue (ECI's)")
    countries: list[ComplexityCountry] = Field(description="Highest ECI first")
    products: list[ComplexityProduct] = Field(description="Highest PCI first")
    method: MethodRef
    proximity_method: MethodRef
    note_en: str = Field(description="What the values cover and do not (read before use)")
    note_ja: str
    sources: list[SourceInfo]

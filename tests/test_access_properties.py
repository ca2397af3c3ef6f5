"""Property tests of the access gates (DESIGN §6): the SQL filter ``visible_items`` returns
exactly the items ``may_read`` allows, on a real SQLite file and on PostgreSQL, and the
rules themselves hold (no read up, compartments dominate, anything out of date denies
everything, an item is visible exactly to its distribution, break-glass waives need-to-know
only, no write-down, cache keys never mix two readers' items).

The database is written once per module with a fixed population of ~500 items (every level
× distribution kind × designation date × a spread of compartments, distributed to random
groups, organisations and users); hypothesis varies the reader. One smaller test regenerates
the items too.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from access_world import (
    PG_URL,
    Item,
    Population,
    delete_items,
    own_postgres_url,
    write_items,
    write_population,
)
from conftest import reset_postgres
from econsec.access.actions import Role
from econsec.access.actor import LOCAL_ACTOR, Actor, Clearance
from econsec.access.filters import visible_items
from econsec.access.policy import NOT_VALID, Marking, may_derive, may_read
from econsec.kb.engine import open_engine
from econsec.kb.models import SHARED_ITEMS

TODAY = date(2026, 6, 15)
#: Readers are checked at these instants: both sides of midnight, so that "expires today"
#: and "designated until yesterday" are crossed.
TIMES = (datetime(2026, 6, 14, 23, 59, 59, tzinfo=UTC), datetime(2026, 6, 15, 0, 0, tzinfo=UTC),
         datetime(2026, 6, 15, 12, 0, tzinfo=UTC), datetime(2026, 6, 16, 0, 0, tzinfo=UTC))
#: Compartment names compare exactly: case, quotes and non-ASCII must not match loosely.
COMPARTMENTS = ("CRM", "SEMI", "crm", "b'; --", "エネ")
COMPARTMENT_SETS = (frozenset(), frozenset({"CRM"}), frozenset({"SEMI"}),
                    frozenset({"CRM", "SEMI"}), frozenset({"crm"}), frozenset({"b'; --"}),
                    frozenset({"エネ", "CRM"}))
ORGS, USERS, GROUPS = 4, 6, 4
DISTRIBUTIONS = ("all", "groups", "orgs", "users", "originator", "mixed")
DESIGNATIONS = (None, TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1))

FAST = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _pick(rng: random.Random, ids: list[int]) -> frozenset[int]:
    return frozenset(rng.sample(ids, rng.randint(1, 2)))


def fixed_population(pop: Population) -> list[Item]:
    """Every level × distribution kind × designation × compartment set, once each."""
    rng = random.Random(11)
    items: list[Item] = []
    for number, (level, kind, until, compartments) in enumerate(itertools.product(
            (1, 2, 3), DISTRIBUTIONS, DESIGNATIONS, COMPARTMENT_SETS), start=1):
        originator = rng.choice(pop.user_ids)
        groups = _pick(rng, pop.group_ids) if kind in ("groups", "mixed") else frozenset()
        orgs = _pick(rng, pop.org_ids) if kind in ("orgs", "mixed") else frozenset()
        users = _pick(rng, pop.user_ids) if kind in ("users", "mixed") else frozenset()
        marking = Marking(level=level, compartments=compartments, group_ids=groups,
                          org_ids=orgs, user_ids=users, to_all_members=kind == "all",
                          originator_user_id=originator, designated_until=until)
        items.append(Item(number, marking, pop.user_org[originator]))
    return items


@dataclass
class World:
    """A database with the population written, and the items as the oracle sees them."""

    name: str
    engine: Engine
    pop: Population
    items: list[Item]

    def visible(self, actor: Actor, at: datetime) -> set[int]:
        """What the SQL filter lets through."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(SHARED_ITEMS.c.id).where(
                visible_items(actor, at))).scalars())

    def allowed(self, actor: Actor, at: datetime, items: list[Item] | None = None) -> set[int]:
        """What the oracle allows."""
        return {item.id for item in (self.items if items is None else items)
                if may_read(actor, item.marking, at)}

    def by_id(self, ids: set[int]) -> list[Item]:
        return [item for item in self.items if item.id in ids]


def _engine(kind: str, tmp_path: Path, database: str) -> Engine:
    if kind == "sqlite":
        return open_engine(f"sqlite:///{tmp_path / 'access.db'}")
    if not PG_URL:
        pytest.skip("ECONSEC_TEST_POSTGRES_URL not set")
    url = own_postgres_url(database)
    reset_postgres(url)
    return open_engine(url)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    engine = _engine(request.param, tmp_path_factory.mktemp("access"), "econsec_access_props")
    pop = write_population(engine, ORGS, USERS, GROUPS)
    items = fixed_population(pop)
    write_items(engine, items)
    yield World(request.param, engine, pop, items)
    engine.dispose()


# --- readers -------------------------------------------------------------------------

def _near(days: int = 2) -> st.SearchStrategy[date | None]:
    return st.one_of(st.none(), st.integers(-days, days).map(lambda d: TODAY + timedelta(days=d)))


def _valid_until(on: date) -> st.SearchStrategy[date | None]:
    return st.one_of(st.none(), st.integers(0, 3).map(lambda d: on + timedelta(days=d)))


@st.composite
def scenarios(draw: st.DrawFn, valid: bool = False, break_glass: bool | None = None
              ) -> tuple[Actor, datetime]:
    """A reader and the instant of the read. ``valid``: account, contract and clearance in
    date (the level may still be 0 only when not ``valid``); ``break_glass``: force an
    emergency access open (True) or closed (False)."""
    at = draw(st.sampled_from(TIMES))
    on = at.date()
    if valid:
        clearance: Clearance | None = Clearance(
            level=draw(st.integers(1, 3)),
            compartments=draw(st.frozensets(st.sampled_from(COMPARTMENTS), max_size=4)),
            issued=draw(st.one_of(st.none(), st.integers(0, 30).map(
                lambda d: on - timedelta(days=d)))),
            expires=draw(_valid_until(on)))
        suspended, expires, contract = False, draw(_valid_until(on)), draw(_valid_until(on))
    else:
        clearance = draw(st.one_of(st.none(), st.builds(
            Clearance, level=st.integers(0, 3),
            compartments=st.frozensets(st.sampled_from(COMPARTMENTS), max_size=4),
            issued=_near(), expires=_near(), suspended=st.sampled_from([False] * 4 + [True]))))
        suspended = draw(st.sampled_from([False] * 4 + [True]))
        expires, contract = draw(_near()), draw(_near())
    if break_glass is None:
        glass = draw(st.one_of(st.none(), st.just(at),
                               st.integers(-90, 90).map(lambda m: at + timedelta(minutes=m))))
    elif break_glass:
        glass = at + timedelta(minutes=draw(st.integers(1, 60)))
    else:
        glass = draw(st.one_of(st.none(), st.just(at), st.integers(1, 90).map(
            lambda m: at - timedelta(minutes=m))))
    actor = Actor(
        name="reader", user_id=draw(st.one_of(st.integers(1, USERS), st.none())),
        org_id=draw(st.one_of(st.integers(1, ORGS), st.none())),
        org_kind=draw(st.sampled_from(("government", "company", "thinktank", "other"))),
        roles=draw(st.frozensets(st.sampled_from(list(Role)), min_size=1)),
        clearance=clearance,
        groups=draw(st.frozensets(st.integers(1, GROUPS), max_size=3)),
        account_expires=expires, suspended=suspended,
        org_certified_until=draw(_near()), org_contract_until=contract,
        break_glass_until=glass)
    return actor, at


def _lattice(actor: Actor, marking: Marking, at: datetime) -> bool:
    """The item would be readable if need-to-know were met."""
    return bool(may_read(actor, replace(marking, to_all_members=True), at))


# --- the filter is the oracle --------------------------------------------------------

@settings(FAST, max_examples=300)
@given(scenario=scenarios())
def test_filter_returns_exactly_what_may_read_allows(world: World,
                                                     scenario: tuple[Actor, datetime]) -> None:
    actor, at = scenario
    assert world.visible(actor, at) == world.allowed(actor, at)


@settings(FAST, max_examples=200)
@given(scenario=scenarios(valid=True))
def test_filter_matches_the_oracle_for_valid_readers(world: World,
                                                     scenario: tuple[Actor, datetime]) -> None:
    """Valid readers see something, so the comparison is never between two empty sets
    only (at least one example sees over 100 items: checked by the fixed population)."""
    actor, at = scenario
    assert world.visible(actor, at) == world.allowed(actor, at)


def test_the_population_spans_every_outcome(world: World) -> None:
    """The fixed population is rich enough for the properties to bite: a fully cleared
    government reader sees many items but not all, and a break-glass access opens more."""
    at = TIMES[2]
    full = Actor(name="full", user_id=1, org_id=1, org_kind="government",
                 clearance=Clearance(3, frozenset(COMPARTMENTS)), groups=frozenset({1}))
    seen = world.visible(full, at)
    glass = world.visible(replace(full, break_glass_until=at + timedelta(minutes=5)), at)
    assert 100 < len(seen) < len(glass) < len(world.items)
    assert {item.marking.level for item in world.by_id(seen)} == {1, 2, 3}
    assert world.visible(replace(full, clearance=Clearance(1)), at) < seen


# --- the rules themselves ------------------------------------------------------------

@settings(FAST, max_examples=150)
@given(scenario=scenarios())
def test_no_read_up(world: World, scenario: tuple[Actor, datetime]) -> None:
    """Nothing above the clearance's level; nothing at level 3 for a company without a
    certification in date; a lower clearance never sees more."""
    actor, at = scenario
    on = at.date()
    seen = world.by_id(world.visible(actor, at))
    if seen:
        assert actor.clearance is not None
        assert max(item.marking.level for item in seen) <= actor.clearance.level
        if actor.org_kind != "government" and any(item.marking.level == 3 for item in seen):
            assert actor.org_certified_until is not None and actor.org_certified_until >= on
    if actor.clearance is not None and actor.clearance.level > 1:
        lower = replace(actor, clearance=replace(actor.clearance,
                                                 level=actor.clearance.level - 1))
        below = world.visible(lower, at)
        assert below <= world.visible(actor, at)
        assert all(item.marking.level < actor.clearance.level for item in world.by_id(below))


@settings(FAST, max_examples=150)
@given(scenario=scenarios(valid=True), compartment=st.sampled_from(COMPARTMENTS))
def test_compartments_dominate(world: World, scenario: tuple[Actor, datetime],
                               compartment: str) -> None:
    """Every item seen has only compartments the clearance covers; taking one compartment
    away hides exactly the seen items that carry it."""
    actor, at = scenario
    assert actor.clearance is not None
    seen = world.visible(actor, at)
    for item in world.by_id(seen):
        assert item.marking.compartments <= actor.clearance.compartments
    without = replace(actor, clearance=replace(
        actor.clearance, compartments=actor.clearance.compartments - {compartment}))
    assert world.visible(without, at) == {
        item.id for item in world.by_id(seen) if compartment not in item.marking.compartments}


SPOILERS = {
    "clearance suspended": lambda a, on: replace(a, clearance=replace(a.clearance,
                                                                        suspended=True)),
    "clearance expired": lambda a, on: replace(a, clearance=replace(
        a.clearance, expires=on - timedelta(days=1))),
    "clearance not yet issued": lambda a, on: replace(a, clearance=replace(
        a.clearance, issued=on + timedelta(days=1))),
    "clearance level 0": lambda a, on: replace(a, clearance=replace(a.clearance, level=0)),
    "no clearance": lambda a, on: replace(a, clearance=None),
    "account suspended": lambda a, on: replace(a, suspended=True),
    "account expired": lambda a, on: replace(a, account_expires=on - timedelta(days=1)),
    "contract expired": lambda a, on: replace(a, org_contract_until=on - timedelta(days=1)),
}


@settings(FAST, max_examples=200)
@given(scenario=scenarios(valid=True), spoiler=st.sampled_from(sorted(SPOILERS)),
       glass=st.booleans())
def test_anything_out_of_date_denies_everything(world: World, scenario: tuple[Actor, datetime],
                                                spoiler: str, glass: bool) -> None:
    """An expired or suspended clearance, account or contract denies every item, even
    with break-glass open and even items sent to all members."""
    actor, at = scenario
    if glass:
        actor = replace(actor, break_glass_until=at + timedelta(minutes=30))
    spoiled = SPOILERS[spoiler](actor, at.date())
    assert world.visible(spoiled, at) == set()
    assert {may_read(spoiled, item.marking, at).reason for item in world.items} == {NOT_VALID}


@settings(FAST, max_examples=100)
@given(scenario=scenarios(valid=True))
def test_validity_ends_after_its_last_day(world: World, scenario: tuple[Actor, datetime]) -> None:
    """A clearance, account or contract that expires today still reads today."""
    actor, at = scenario
    assert actor.clearance is not None
    on = at.date()
    last_day = replace(actor, account_expires=on, org_contract_until=on,
                       clearance=replace(actor.clearance, expires=on, issued=on))
    unbounded = replace(actor, account_expires=None, org_contract_until=None,
                        clearance=replace(actor.clearance, expires=None, issued=None))
    assert world.visible(last_day, at) == world.visible(unbounded, at)


@settings(FAST, max_examples=100)
@given(scenario=scenarios(valid=True), kind=st.sampled_from(("government", "company",
                                                             "thinktank", "other")))
def test_level_3_needs_a_certified_company(world: World, scenario: tuple[Actor, datetime],
                                           kind: str) -> None:
    """A level-3 reader of a private body (company, think tank, other) without a
    certification in date reads as level 2; a government body needs none."""
    actor, at = scenario
    assert actor.clearance is not None
    actor = replace(actor, org_kind=kind, clearance=replace(actor.clearance, level=3))
    on = at.date()
    certified = world.visible(replace(actor, org_certified_until=on), at)
    for lapsed in (None, on - timedelta(days=1)):
        seen = world.visible(replace(actor, org_certified_until=lapsed), at)
        if kind != "government":
            assert seen == {item.id for item in world.by_id(certified)
                            if item.marking.level < 3}
        else:
            assert seen == certified


def _designation_ok(marking: Marking, on: date) -> bool:
    return marking.level < 3 or marking.designated_until is None or \
        marking.designated_until >= on


@settings(FAST, max_examples=150)
@given(user=st.integers(1, USERS), org=st.integers(1, ORGS),
       groups=st.frozensets(st.integers(1, GROUPS), max_size=3), at=st.sampled_from(TIMES))
def test_an_item_is_visible_exactly_to_its_distribution(world: World, user: int, org: int,
                                                        groups: frozenset[int],
                                                        at: datetime) -> None:
    """For a reader the lattice does not stop (level 3, every compartment, government):
    seen = the items to all members, or naming the reader, their organisation or one of
    their groups, or originated by them (and whose designation holds)."""
    actor = Actor(name="reader", user_id=user, org_id=org, org_kind="government",
                  clearance=Clearance(3, frozenset(COMPARTMENTS)), groups=groups)
    on = at.date()
    expected = {item.id for item in world.items if _designation_ok(item.marking, on) and (
        item.marking.to_all_members or user in item.marking.user_ids
        or item.marking.originator_user_id == user or org in item.marking.org_ids
        or bool(groups & item.marking.group_ids))}
    assert world.visible(actor, at) == expected


@settings(FAST, max_examples=150)
@given(scenario=scenarios(break_glass=False))
def test_break_glass_waives_need_to_know_only(world: World,
                                              scenario: tuple[Actor, datetime]) -> None:
    """An open break-glass access shows what the lattice and validity allow, whatever the
    distribution, and never more; closed (ended, or ending at this instant) it changes
    nothing."""
    actor, at = scenario
    closed = world.visible(actor, at)
    assert closed == world.visible(replace(actor, break_glass_until=None), at)
    opened = world.visible(replace(actor, break_glass_until=at + timedelta(minutes=1)), at)
    assert closed <= opened
    assert opened == {item.id for item in world.items if _lattice(actor, item.marking, at)}


markings = st.builds(
    Marking, level=st.integers(1, 3),
    compartments=st.frozensets(st.sampled_from(COMPARTMENTS), max_size=3),
    group_ids=st.frozensets(st.integers(1, GROUPS), max_size=2),
    org_ids=st.frozensets(st.integers(1, ORGS), max_size=2),
    user_ids=st.frozensets(st.integers(1, USERS), max_size=2),
    to_all_members=st.booleans(), originator_user_id=st.integers(1, USERS),
    designated_until=_near())


@settings(FAST, max_examples=300)
@given(source=markings, level=st.integers(1, 3),
       compartments=st.frozensets(st.sampled_from(COMPARTMENTS), max_size=4),
       scenario=scenarios())
def test_no_write_down(source: Marking, level: int, compartments: frozenset[str],
                       scenario: tuple[Actor, datetime]) -> None:
    """``may_derive`` allows exactly a target at the source's level or above with all of
    its compartments; and then whoever may read the derived item (same distribution and
    dates) may read the source."""
    decision = may_derive(source, level, compartments)
    assert bool(decision) == (level >= source.level and source.compartments <= compartments)
    assert bool(decision) == (decision.reason == "")
    if decision:
        actor, at = scenario
        target = replace(source, level=level, compartments=compartments)
        if may_read(actor, target, at):
            assert may_read(actor, source, at)


@settings(FAST, max_examples=150)
@given(scenario=scenarios(), data=st.data())
def test_cache_key_never_mixes_two_readers(world: World, scenario: tuple[Actor, datetime],
                                           data: st.DataObject) -> None:
    """Two readers with the same ``visibility_key`` see the same items: changes that the
    key ignores (name, roles, a level-3 clearance capped to 2, dates still in force, a
    break-glass end still ahead) never change what is seen; and readers with different
    items have different keys."""
    actor, at = scenario
    on = at.date()
    twin = replace(actor, name="twin", display_name="Twin",
                   roles=data.draw(st.frozensets(st.sampled_from(list(Role)), min_size=1)))
    if actor.break_glass_open(at):
        twin = replace(twin, break_glass_until=at + timedelta(minutes=data.draw(
            st.integers(1, 60))))
    if actor.clearance is not None and actor.effective_level(on) > 0:
        if actor.account_expires is not None:
            twin = replace(twin, account_expires=on + timedelta(days=data.draw(
                st.integers(0, 5))))
        if actor.org_kind != "government" and actor.effective_level(on) == 2 \
                and actor.clearance.level == 2:
            twin = replace(twin, clearance=replace(actor.clearance, level=3),
                           org_certified_until=None)
    assert twin.visibility_key(at) == actor.visibility_key(at)
    assert world.visible(twin, at) == world.visible(actor, at)
    other = data.draw(scenarios())[0]
    if world.visible(other, at) != world.visible(actor, at):
        assert other.visibility_key(at) != actor.visibility_key(at)


def test_the_local_operator_sees_no_item(world: World) -> None:
    """The single-user local mode has no items (its actor has no clearance)."""
    for at in TIMES:
        assert world.visible(LOCAL_ACTOR, at) == set()
        assert world.allowed(LOCAL_ACTOR, at) == set()


# --- regenerated items ---------------------------------------------------------------

_next_id = itertools.count(100_000)


@settings(FAST, max_examples=60)
@given(markings=st.lists(markings, min_size=1, max_size=12), scenario=scenarios())
def test_filter_matches_the_oracle_on_generated_items(world: World, markings: list[Marking],
                                                      scenario: tuple[Actor, datetime]) -> None:
    """Items generated afresh each time (written, compared, removed), beside the fixed
    population (which must not change what the new ones show)."""
    items = [Item(next(_next_id), marking, world.pop.user_org[marking.originator_user_id])
             for marking in markings]
    ids = {item.id for item in items}
    actor, at = scenario
    write_items(world.engine, items)
    try:
        seen = world.visible(actor, at)
        assert seen & ids == world.allowed(actor, at, items)
        assert seen - ids == world.allowed(actor, at)
    finally:
        delete_items(world.engine, ids)

"""``econsec users …``, ``econsec orgs …``, ``econsec groups …`` and ``econsec
break-glass``: the council portal's accounts (:class:`econsec.access.accounts.Accounts`).

Whoever may write the knowledge base administers it from the command line; every change is
recorded in the audit log as made by ``cli:<login name>``. A password is read from standard
input with ``--password-stdin`` (one line; typed without echo when standard input is a
terminal), never from an argument; it is never printed or logged.
"""

from __future__ import annotations

import getpass
import sys
from datetime import date
from typing import Annotated, Any

import typer

from econsec.cli.console import out
from econsec.cli.options import DbOption, FormatOption
from econsec.cli.output import OutputFormat, Result, emit, plain

users_app = typer.Typer(help="Council portal users: add, list, suspend, passwords, "
                        "clearances, one-time codes.", no_args_is_help=True)
orgs_app = typer.Typer(help="Council member organisations (kind, certification and "
                       "contract dates).", no_args_is_help=True)
groups_app = typer.Typer(help="Working groups of the council and their members.",
                         no_args_is_help=True)

PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from standard input (one line; without "
    "echo on a terminal). Required: a password is never an argument.")]
NameArgument = Annotated[str, typer.Argument(help="User name (as used to sign in).")]


def _accounts(db: str | None) -> Any:
    from econsec.access.accounts import Accounts
    from econsec.kb.engine import open_engine
    from econsec.settings import Settings

    return Accounts(open_engine(Settings().database_url(db)))


def _day(value: str | None, option: str) -> date | None:
    from econsec.access.accounts import parse_day

    if value is None or value.strip().lower() in ("", "none"):
        return None
    return parse_day(value, option)


def _password(from_stdin: bool) -> str:
    """The password from standard input; :class:`ValidationError` without
    ``--password-stdin`` or when the two typed entries differ."""
    from econsec.errors import ValidationError

    if not from_stdin:
        raise ValidationError("give the password on standard input with --password-stdin "
                              "(it is never taken as an argument)")
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise ValidationError("the two passwords typed differ")
        return first
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A row for the table and CSV forms: lists as comma-separated text."""
    return {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()}


def _said(text: str) -> None:
    out.print(plain(text))


# -- users ---------------------------------------------------------------------------------

_USER_COLUMNS = ["name", "display_name", "org", "roles", "clearance_level", "compartments",
                 "clearance_expires", "groups", "expires", "suspended", "totp",
                 "locked_until"]


def _users_result(users: list[Any], title: str) -> Result:
    rows = [u.model_dump(mode="json") for u in users]
    return Result({"users": rows}, [_flat(r) for r in rows], _USER_COLUMNS, title=title)


@users_app.command("add")
def users_add(
    name: NameArgument,
    org: Annotated[str, typer.Option("--org", help="The user's organisation (see `econsec "
                                     "orgs list`).")],
    role: Annotated[list[str], typer.Option(
        "--role", help="member, analyst, secretariat, auditor or admin. Repeatable.")],
    clearance: Annotated[int, typer.Option(
        "--clearance", help="Clearance level: 1 public, 2 council, 3 designated "
        "information.")],
    compartment: Annotated[list[str] | None, typer.Option(
        "--compartment", help="A compartment the clearance covers. Repeatable.")] = None,
    group: Annotated[list[str] | None, typer.Option(
        "--group", help="A working group to join. Repeatable.")] = None,
    expires: Annotated[str | None, typer.Option(
        "--expires", help="Last day the account is valid (YYYY-MM-DD).")] = None,
    clearance_expires: Annotated[str | None, typer.Option(
        "--clearance-expires", help="Last day the clearance is valid (YYYY-MM-DD).")] = None,
    display_name: Annotated[str, typer.Option("--display-name", help="Name shown on "
                                              "pages.")] = "",
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Add a user with roles, a clearance and working groups (nothing is stored when any
    of it is refused)."""
    expires_on = _day(expires, "--expires")
    clearance_until = _day(clearance_expires, "--clearance-expires")
    password = _password(password_stdin)
    accounts = _accounts(db)
    accounts.add_user(name, org=org, roles=role, password=password,
                      clearance_level=clearance, compartments=compartment or (),
                      groups=group or (), expires=expires_on,
                      clearance_expires=clearance_until, display_name=display_name)
    added = [u for u in accounts.list_users() if u.name == name]
    emit(_users_result(added, f"Added user {name}"), fmt, out)


@users_app.command("list")
def users_list(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Every user with organisation, roles, clearance, groups and validity."""
    emit(_users_result(_accounts(db).list_users(), "Users"), fmt, out)


@users_app.command("suspend")
def users_suspend(name: NameArgument, db: DbOption = None) -> None:
    """Suspend an account (its sessions end; it cannot sign in or read items)."""
    _accounts(db).suspend_user(name, True)
    _said(f"User {name} suspended.")


@users_app.command("unsuspend")
def users_unsuspend(name: NameArgument, db: DbOption = None) -> None:
    """Reinstate a suspended account."""
    _accounts(db).suspend_user(name, False)
    _said(f"User {name} reinstated.")


@users_app.command("passwd")
def users_passwd(name: NameArgument, password_stdin: PasswordStdin = False,
                 db: DbOption = None) -> None:
    """Set a new password (the user's sessions end; a lock-out is lifted)."""
    password = _password(password_stdin)
    _accounts(db).set_password(name, password)
    _said(f"Password of {name} changed.")


@users_app.command("clearance")
def users_clearance(
    name: NameArgument,
    level: Annotated[int, typer.Option("--level", help="1, 2 or 3.")],
    compartment: Annotated[list[str] | None, typer.Option(
        "--compartment", help="A compartment the clearance covers. Repeatable.")] = None,
    expires: Annotated[str | None, typer.Option(
        "--expires", help="Last day the clearance is valid (YYYY-MM-DD).")] = None,
    suspend: Annotated[bool, typer.Option("--suspend", help="Record the clearance as "
                                          "suspended.")] = False,
    db: DbOption = None,
) -> None:
    """Replace a user's clearance (re-issued today)."""
    until = _day(expires, "--expires")
    _accounts(db).set_clearance(name, level=level, compartments=compartment or (),
                                expires=until, suspended=suspend)
    _said(f"Clearance of {name}: level {level}"
          + (f", compartments {', '.join(sorted(compartment))}" if compartment else "")
          + (f", until {until}" if until else "") + (", suspended" if suspend else "") + ".")


@users_app.command("totp")
def users_totp(name: NameArgument, db: DbOption = None) -> None:
    """Give the user a new one-time-code secret and print its otpauth:// URI once (for an
    authenticator app); sign-in then needs a code."""
    uri = _accounts(db).enable_totp(name)
    out.file.write(uri + "\n")


# -- organisations -------------------------------------------------------------------------

_ORG_COLUMNS = ["name", "title", "kind", "certified_until", "contract_until", "users"]


@orgs_app.command("add")
def orgs_add(
    name: Annotated[str, typer.Argument(help="Short name (letters, digits, . _ @ -).")],
    kind: Annotated[str, typer.Option("--kind", help="government, company, thinktank or "
                                      "other.")] = "company",
    certified_until: Annotated[str | None, typer.Option(
        "--certified-until", help="Company certification for designated (level 3) "
        "information, last day (YYYY-MM-DD).")] = None,
    contract_until: Annotated[str | None, typer.Option(
        "--contract-until", help="Council membership contract, last day (YYYY-MM-DD).")
    ] = None,
    title: Annotated[str, typer.Option("--title", help="Full name.")] = "",
    db: DbOption = None,
) -> None:
    """Add a member organisation."""
    certified = _day(certified_until, "--certified-until")
    contract = _day(contract_until, "--contract-until")
    _accounts(db).add_org(name, title=title, kind=kind, certified_until=certified,
                          contract_until=contract)
    _said(f"Organisation {name} ({kind}) added.")


@orgs_app.command("list")
def orgs_list(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Member organisations with their dates and number of users."""
    rows = [o.model_dump(mode="json") for o in _accounts(db).list_orgs()]
    emit(Result({"orgs": rows}, rows, _ORG_COLUMNS, title="Organisations"), fmt, out)


@orgs_app.command("update")
def orgs_update(
    name: Annotated[str, typer.Argument(help="The organisation's short name.")],
    certified_until: Annotated[str | None, typer.Option(
        "--certified-until", help="New last day of certification (YYYY-MM-DD, or none).")
    ] = None,
    contract_until: Annotated[str | None, typer.Option(
        "--contract-until", help="New last day of the contract (YYYY-MM-DD, or none).")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="New full name.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="New kind.")] = None,
    db: DbOption = None,
) -> None:
    """Change an organisation's dates, title or kind (what is not given stays)."""
    changes: dict[str, Any] = {}
    if certified_until is not None:
        changes["certified_until"] = _day(certified_until, "--certified-until")
    if contract_until is not None:
        changes["contract_until"] = _day(contract_until, "--contract-until")
    if title is not None:
        changes["title"] = title
    if kind is not None:
        changes["kind"] = kind
    _accounts(db).update_org(name, **changes)
    _said(f"Organisation {name} updated.")


# -- groups --------------------------------------------------------------------------------

@groups_app.command("add")
def groups_add(
    name: Annotated[str, typer.Argument(help="Short name (letters, digits, . _ @ -).")],
    title: Annotated[str, typer.Option("--title", help="Full name.")] = "",
    db: DbOption = None,
) -> None:
    """Add a working group."""
    _accounts(db).add_group(name, title=title)
    _said(f"Group {name} added.")


@groups_app.command("list")
def groups_list(db: DbOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Working groups and their members."""
    rows = [g.model_dump(mode="json") for g in _accounts(db).list_groups()]
    emit(Result({"groups": rows}, [_flat(r) for r in rows], ["name", "title", "members"],
                title="Groups"),
         fmt, out)


@groups_app.command("add-member")
def groups_add_member(
    group: Annotated[str, typer.Argument(help="The group.")],
    user: Annotated[str, typer.Argument(help="The user.")],
    db: DbOption = None,
) -> None:
    """Add a user to a working group (they see the group's earlier items too)."""
    _accounts(db).add_member(group, user)
    _said(f"{user} joined {group}.")


@groups_app.command("remove-member")
def groups_remove_member(
    group: Annotated[str, typer.Argument(help="The group.")],
    user: Annotated[str, typer.Argument(help="The user.")],
    db: DbOption = None,
) -> None:
    """Remove a user from a working group."""
    _accounts(db).remove_member(group, user)
    _said(f"{user} left {group}.")


# -- break-glass ---------------------------------------------------------------------------

def break_glass(
    as_user: Annotated[str, typer.Option("--as", help="The administrator who needs the "
                                         "access.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (at least 20 characters; "
                                        "kept in the audit log).")],
    minutes: Annotated[int, typer.Option("--minutes", help="How long (1 to 60).")],
    db: DbOption = None,
) -> None:
    """Open time-limited emergency access: need-to-know is waived for the user (levels,
    compartments and validity still apply); justified and audited."""
    from datetime import UTC, datetime

    accounts = _accounts(db)
    user = accounts.actor_by_name(as_user, at=datetime.now(UTC))
    assert user.user_id is not None
    until = accounts.open_break_glass(user.user_id, reason, minutes)
    _said(f"Break-glass access for {as_user} open until {until.isoformat()}.")

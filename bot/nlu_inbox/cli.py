"""``wecare nlu inbox`` (the NLU inbox from a shell) and ``wecare privacy purge`` (retention).

``wecare nlu inbox [list]`` reads the new tracker events, then prints the groups of
near-duplicates (masked text, predicted intent, reasons); ``annotate ID... --intent X``,
``ignore ID...``, ``restore ID...``, ``add ID...`` (annotated items become
``nlu/data/inbox/<intent>.yml``). ``wecare privacy purge`` deletes the inbox items older than
``NLU_INBOX_RETENTION_DAYS`` (default 180; ``make run`` runs it at start, see docs/privacy.md).
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from fastapi import HTTPException

from bot.nlu_inbox.repo import STATUSES, group
from bot.nlu_inbox.service import Inbox
from bot.store.cli import _tracker_url
from bot.store.db import create_store_engine, prepare_db
from wecare.cli import CliError
from wecare.settings import get_settings


@contextmanager
def _inbox(tracker_url: str | None = None) -> Iterator[Inbox]:
    from bot.console.admin.setup import build_inbox

    settings = get_settings()
    settings = replace(settings, rasa_tracker_store_url=_tracker_url(tracker_url))
    engine = create_store_engine(settings.app_database_url)
    prepare_db(engine, migrate=not settings.production_profile)
    inbox = build_inbox(settings, engine)
    try:
        yield inbox
    finally:
        inbox.tracker.dispose()
        engine.dispose()


def _list(args: argparse.Namespace) -> int:
    from bot.console.admin.inbox import inbox_filter

    try:
        flt = inbox_filter(args.status, args.intent, args.since, args.until)
    except HTTPException as exc:
        raise CliError(str(exc.detail)) from None
    with _inbox(args.tracker_store_url) as inbox:
        new = inbox.collect()
        groups = group(inbox.items(flt))
        counts = inbox.repo.counts()
    if args.json:
        out = [{"count": len(g.items), "items": [i.view() for i in g.items]} for g in groups]
        print(json.dumps({"counts": counts, "groups": out}, ensure_ascii=False, indent=2))
        return 0
    print(f"read {new} new messages; " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for g in groups:
        item = g.items[0]
        ids = ",".join(str(i.id) for i in g.items)
        conf = f" {item.confidence:.2f}" if item.confidence is not None else ""
        chosen = f" -> {item.intent}" if item.intent else ""
        print(
            f"[{ids}] {item.status:<9} {item.predicted_intent or '-'}{conf}{chosen}  "
            f"{item.text}  ({', '.join(item.reasons)}; {item.channel}; "
            f"{item.received_at:%Y-%m-%d %H:%M})"
        )
    if not groups:
        print("no messages with these filters")
    return 0


def _actor(args: argparse.Namespace) -> str:
    return f"cli:{args.by or getpass.getuser()}"


def _annotate(args: argparse.Namespace) -> int:
    with _inbox() as inbox:
        if args.intent not in inbox.training.intents():
            raise CliError(f"unknown intent {args.intent!r} (see bot/domain/core.yml)")
        changed = inbox.repo.annotate(args.ids, args.intent, [], _actor(args))
    print(f"annotated {len(changed)} items as {args.intent}: {changed}")
    return 0 if changed else 1


def _status(status: str):  # type: ignore[no-untyped-def]
    def run(args: argparse.Namespace) -> int:
        with _inbox() as inbox:
            changed = inbox.repo.set_status(args.ids, status, _actor(args))
        print(f"{status}: {len(changed)} items {changed}")
        return 0 if changed else 1

    return run


def _add(args: argparse.Namespace) -> int:
    with _inbox() as inbox:
        result = inbox.add_to_training(args.ids, _actor(args))
    for item_id, path in result.added:
        print(f"added {item_id} -> {path}")
    for item_id, reason in result.refused:
        print(f"refused {item_id}: {reason}")
    return 0 if result.added and not result.refused else 1


def _purge(args: argparse.Namespace) -> int:
    with _inbox() as inbox:
        removed = inbox.purge()
        days = inbox.retention_days
    print(f"purged {removed} NLU inbox items older than {days} days")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``nlu inbox`` and ``privacy purge`` to the ``wecare`` CLI."""
    nlu = subparsers.add_parser("nlu", help="the NLU inbox (messages the bot did not understand)")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", metavar="TOOL", required=True)
    inbox = nlu_sub.add_parser("inbox", help="list and annotate the NLU inbox")
    inbox.set_defaults(func=_list, status=None, intent=None, since=None, until=None, json=False)
    inbox.set_defaults(tracker_store_url=None)
    actions = inbox.add_subparsers(dest="inbox_command", metavar="ACTION")
    show = actions.add_parser("list", help="read new messages and list the inbox (default)")
    show.add_argument("--status", choices=[*STATUSES, "all"], default="new")
    show.add_argument("--intent", help="predicted or chosen intent")
    show.add_argument("--from", dest="since", help="first day, YYYY-MM-DD")
    show.add_argument("--to", dest="until", help="last day, YYYY-MM-DD")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.add_argument("--tracker-store-url", default=None, help="Rasa's SQL tracker store")
    show.set_defaults(func=_list)
    for name, func, helptext in (
        ("annotate", _annotate, "choose the intent of items"),
        ("ignore", _status("ignored"), "ignore items"),
        ("restore", _status("new"), "put items back to new"),
        ("add", _add, "write annotated items to nlu/data/inbox/<intent>.yml"),
    ):
        cmd = actions.add_parser(name, help=helptext)
        cmd.add_argument("ids", nargs="+", type=int, metavar="ID")
        cmd.add_argument("--by", default="", help="who does it (default: the shell user)")
        if name == "annotate":
            cmd.add_argument("--intent", required=True)
        cmd.set_defaults(func=func)
    privacy = subparsers.add_parser("privacy", help="retention of personal data")
    psub = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    purge = psub.add_parser("purge", help="delete NLU inbox items past the retention period")
    purge.set_defaults(func=_purge)

"""The `mail2task` command: `convert`, `deployment`, `keys rotate`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

Handler = Callable[[argparse.Namespace], int]


def _command(module: str) -> Handler:
    """A handler that imports ``mail2task.commands.<module>`` only when its command runs."""

    def handler(args: argparse.Namespace) -> int:
        import importlib

        run: Handler = importlib.import_module(f"mail2task.commands.{module}").run
        return run(args)

    return handler


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mail2task", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    convert = sub.add_parser("convert", help="convert an RFC 5322 message into a task draft (JSON)")
    convert.add_argument("path", help="path to a .eml file, or - for standard input")
    convert.set_defaults(handler=_command("convert"))

    deployment = sub.add_parser("deployment", help="print the add-on deployment descriptor (JSON)")
    urls = deployment.add_mutually_exclusive_group(required=True)
    urls.add_argument("--base-url", help="https base URL the functions are served under, each at BASE/<name>")
    urls.add_argument("--addon-url", help="https URL of the `addon` function (Terraform: function_urls)")
    deployment.set_defaults(handler=_command("deployment"))

    keys = sub.add_parser("keys", help="token-encryption key maintenance")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_sub.add_parser("rotate", help="re-encrypt stored tokens under the newest key (resumable)")
    rotate.set_defaults(handler=_command("keys"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())

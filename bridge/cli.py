"""The `lca` command line: one sub-command per module in `bridge.commands`.

Each command module exposes ``register(subparsers)``, which adds its parser and sets
``func`` (a callable taking the parsed namespace and returning the exit code).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from bridge.commands import COMMANDS

__all__ = ["main"]


def _version() -> str:
    """The installed package's version (pyproject.toml [project] version)."""
    try:
        return version("liquidity-crash-avoidance")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed: uv sync)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lca",
        description="Liquidity-crash avoidance: a leverage controller beside MetaTrader 5.",
    )
    parser.add_argument("--version", action="version", version=f"lca {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())

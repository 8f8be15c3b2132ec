"""YAML as the generated files write it: plain (no anchors or aliases), keys in insertion order."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["plain_yaml", "workflow_yaml"]


class _Dumper(yaml.SafeDumper):
    """Plain YAML: no anchors or aliases for repeated steps (GitHub and readers expect them spelled out)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def plain_yaml(doc: Any, width: int = 120) -> str:
    return yaml.dump(
        doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=width, allow_unicode=True
    )


def workflow_yaml(doc: dict[str, Any]) -> str:
    text = plain_yaml(doc)
    # `on:` would be read as a boolean by YAML 1.1 tools; PyYAML quotes it, GitHub accepts both
    return text.replace("'on':", "on:").replace(": null\n", ":\n")

"""The one YAML loader for banks and manifests: libyaml's safe loader (no tags run code)."""

from __future__ import annotations

import yaml

try:
    SAFE_LOADER: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    SAFE_LOADER = yaml.SafeLoader

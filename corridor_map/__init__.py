"""corridor-map: an interactive planning map of Zhejiang's S&T innovation corridors."""

from __future__ import annotations

__version__ = "0.1.0"

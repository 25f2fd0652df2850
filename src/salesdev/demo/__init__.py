"""Deterministic demo data: a realistic CSP."""

from salesdev.demo.loader import DemoSummary, is_demo_loaded, load_demo
from salesdev.demo.scales import SCALES, DemoScale

__all__ = ["SCALES", "DemoScale", "DemoSummary", "is_demo_loaded", "load_demo"]

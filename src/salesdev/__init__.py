"""salesdev: Sales Development for communications service providers (eTOM 1.1.5)."""

__version__ = "0.1.0"

"""cloudinv: cloud inventory collection service speaking the inventory-v2 Job API."""

__version__ = "0.1.0"

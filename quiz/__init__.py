"""quiz: a terminal study tool for Kubernetes container-networking security (KCSA)."""

__version__ = "0.1.0"

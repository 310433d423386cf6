"""Collector plugins: the protocol, the registry, the gRPC client and server, and the built-in plugins."""

"""Interdict's service surfaces on top of the engine: the `interdict` command line (server.cli) now,
the gRPC service (interdict.v1) next."""

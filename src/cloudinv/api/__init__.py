"""Transport adapters: decode, one service call, encode. Errors are mapped once per adapter."""

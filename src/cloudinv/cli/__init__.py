"""The `cloudinv` command line."""

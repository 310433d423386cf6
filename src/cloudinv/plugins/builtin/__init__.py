"""Plugins that ship with cloudinv, registered through the `cloudinv.plugins` entry-point group."""

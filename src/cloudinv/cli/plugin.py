"""`cloudinv plugin`: list the in-process plugins, serve one over the SpaceONE plugin gRPC protocol."""

from __future__ import annotations

import logging

import typer

from cloudinv.plugins.grpc_server import serve_plugin
from cloudinv.plugins.protocol import PluginError
from cloudinv.plugins.registry import PluginRegistry

plugin_cli = typer.Typer(help="Collector plugins.", no_args_is_help=True)


@plugin_cli.command("list")
def plugin_list() -> None:
    """The in-process plugins (entry-point group cloudinv.plugins)."""
    for plugin_id in PluginRegistry().ids():
        typer.echo(plugin_id)


@plugin_cli.command("serve")
def plugin_serve(
    name: str = typer.Argument(..., help="An in-process plugin, e.g. synthetic or host."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(50051, "--port", help="0 picks a free port (printed on stdout)."),
) -> None:
    """Serve an in-process plugin as spaceone.api.inventory.plugin.Collector/Job until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Endpoints are left out on purpose: serving a remote plugin again would only add a hop.
    registry = PluginRegistry(allow_direct_endpoints=False)
    try:
        plugin = registry.get(name)
    except PluginError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=1) from exc

    def ready(bound: int) -> None:
        typer.echo(f"plugin {name} serving on {host}:{bound}")

    serve_plugin(plugin, host, port, on_ready=ready)

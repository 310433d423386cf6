"""`grpc.health.v1` statuses: every served service and the server as a whole (""), SERVING only while the
database (and the broker, when configured) answer."""

from __future__ import annotations

from collections.abc import Sequence

from grpc_health.v1 import health, health_pb2


class GrpcHealth:
    def __init__(self, service_names: Sequence[str]) -> None:
        self.servicer = health.HealthServicer()
        self.names = [*service_names, ""]

    def update(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in self.names:
            self.servicer.set(name, status)

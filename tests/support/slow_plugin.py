"""A collector plugin that takes its time: the synthetic plugin's resources, one every `delay` seconds, served
over the plugin gRPC protocol from the test process. A job of it runs for a predictable few seconds and ends in
SUCCESS (the synthetic plugin's own hang option ends in FAILURE)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from cloudinv.plugins.builtin.synthetic import SyntheticPlugin
from cloudinv.plugins.protocol import CLOUD_SERVICE, SECRET_REQUIRED, ResourceInfo

ACCOUNT = {"account": "slow-account"}


class SlowPlugin:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.synthetic = SyntheticPlugin()

    def init(self, options: Mapping[str, Any]) -> dict[str, Any]:
        self.synthetic.init(options)
        return {"supported_resource_type": [CLOUD_SERVICE], SECRET_REQUIRED: False}

    def verify(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> None:
        self.synthetic.verify(options, ACCOUNT)

    def get_tasks(self, options: Mapping[str, Any], secret_data: Mapping[str, Any]) -> list[dict[str, Any]]:
        return self.synthetic.get_tasks(options, ACCOUNT)

    def collect(
        self, options: Mapping[str, Any], secret_data: Mapping[str, Any], task_options: Mapping[str, Any]
    ) -> Iterator[ResourceInfo]:
        for item in self.synthetic.collect(options, ACCOUNT, task_options):
            time.sleep(self.delay)
            yield item

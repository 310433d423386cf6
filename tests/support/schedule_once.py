"""One scheduler round at a fixed UTC hour, in a process of its own: `python -m tests.support.schedule_once
START HOUR`. Waits until the wall-clock time START (so that several processes start together), runs
`Scheduler.run_once(now=HOUR)` with the settings from the environment, prints the job ids it started as JSON."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime

from cloudinv import app as composition
from cloudinv.settings import Settings


def main(start: float, hour: datetime) -> None:
    application = composition.build(Settings())
    try:
        time.sleep(max(0.0, start - time.time()))
        started = application.scheduler.run_once(now=hour)
    finally:
        application.close()
    print(json.dumps(started))


if __name__ == "__main__":
    main(float(sys.argv[1]), datetime.fromisoformat(sys.argv[2]))

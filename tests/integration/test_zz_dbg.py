import threading

from tests.integration.test_racing_workers import _start_jobs
from tests.support.collection import ADMIN


def test_dbg(application):
    job_ids = _start_jobs(application)
    def work(name):
        while application.runner.run_next(name):
            pass
    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    for index, job_id in enumerate(job_ids):
        if index % 2 == 0:
            j = application.jobs.get(ADMIN, {"job_id": job_id})
            if j["status"] != "SUCCESS":
                for t in application.job_tasks.list(ADMIN, {"job_id": job_id}).rows:
                    d = application.job_tasks.get_detail(ADMIN, {"job_task_id": t["job_task_id"]})
                    print(t["status"], d["failure_info"])
                pass
    assert False

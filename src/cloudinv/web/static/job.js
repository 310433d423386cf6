// One job: its header, its tasks with their counts and errors, live through the watch stream while it runs.
import { call, watch } from "./api.js";
import { badge, duration, h, progressBar, when } from "./dom.js";

const TERMINAL = new Set(["SUCCESS", "FAILURE", "CANCELED"]);
const COUNTS = ["created_count", "updated_count", "deleted_count", "disconnected_count", "failure_count"];

export class JobPage {
  constructor(root, jobId, names, onError) {
    this.root = root;
    this.jobId = jobId;
    this.names = names;
    this.onError = onError;
    this.errors = new Map(); // job_task_id -> [error], fetched once the task has ended
    this.controller = new AbortController();
  }

  async start() {
    try {
      const [job, tasks] = await Promise.all([
        call("/inventory-v2/v1/job/get", { job_id: this.jobId }),
        call("/inventory-v2/v1/job-task/list", { job_id: this.jobId, query: { sort: [{ key: "created_at" }] } }),
      ]);
      await this.names.know([job.collector_id]);
      this.show({ ...job, tasks: tasks.results });
      this.ticker = setInterval(() => this.tick(), 1000);
      if (!TERMINAL.has(job.status)) await watch(this.jobId, (snapshot) => this.show(snapshot), this.controller.signal);
    } catch (error) {
      if (error.name !== "AbortError") this.onError(error, this.root);
    }
  }

  stop() {
    this.stopped = true;
    clearInterval(this.ticker);
    this.controller.abort();
  }

  show(job) {
    if (this.stopped) return;
    this.job = job;
    this.root.replaceChildren(this.header(job), this.table(job.tasks || []));
    for (const task of job.tasks || []) {
      if (task.failure_count > 0 && TERMINAL.has(task.status) && !this.errors.has(task.job_task_id)) this.loadErrors(task);
    }
  }

  header(job) {
    const cancel = !TERMINAL.has(job.status)
      && h("button", { type: "button", id: "cancel", onclick: () => this.cancel() }, "Cancel job");
    const facts = [["Collector", this.names.label(job.collector_id)], ["Plugin", job.plugin_id || ""],
      ["Created", when(job.created_at)], ["Finished", when(job.finished_at)],
      ["Duration", h("span", { class: "duration", dataset: { start: job.created_at, end: job.finished_at || "" } },
        duration(job.created_at, job.finished_at))],
      ["Tasks", `${job.success_tasks} succeeded, ${job.failure_tasks} failed, ${job.remained_tasks} remaining of ${job.total_tasks}`]];
    return h("section", { class: "card job-header" },
      h("p", {}, h("a", { href: "#/" }, "← all jobs")),
      h("h1", {}, h("span", { class: "mono", id: "job-id" }, job.job_id), " ", h("span", { id: "job-status" }, badge(job.status)), " ", cancel),
      progressBar(job.success_tasks, job.failure_tasks, job.total_tasks),
      h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])));
  }

  table(tasks) {
    const heads = ["Task", "Status", "Secret", "Created", "Updated", "Deleted", "Disconnected", "Failures", "Duration"];
    const body = tasks.flatMap((task) => [this.row(task), this.errorRow(task)].filter(Boolean));
    return h("section", { class: "card" }, h("h2", {}, `Tasks (${tasks.length})`),
      h("table", { class: "tasks", id: "tasks" }, h("thead", {}, h("tr", {}, heads.map((t) => h("th", {}, t)))),
        h("tbody", {}, body.length ? body : h("tr", {}, h("td", { colspan: heads.length, class: "muted" }, "No tasks.")))));
  }

  row(task) {
    return h("tr", { dataset: { jobTaskId: task.job_task_id, status: task.status } },
      h("td", { class: "mono" }, task.job_task_id), h("td", {}, badge(task.status)),
      h("td", { class: "mono" }, task.secret_id || ""),
      COUNTS.map((name) => h("td", { class: `num ${name}` }, task[name] ?? 0)),
      h("td", { class: "duration", dataset: { start: task.started_at || "", end: task.finished_at || "" } },
        duration(task.started_at, task.finished_at)));
  }

  errorRow(task) {
    const errors = this.errors.get(task.job_task_id);
    if (!errors || !errors.length) return null;
    return h("tr", { class: "errors", dataset: { errorsOf: task.job_task_id } },
      h("td", { colspan: 9 }, h("details", { open: true },
        h("summary", {}, `${errors.length} error(s)`),
        h("ul", {}, errors.map((e) => h("li", {}, h("code", {}, e.error_code), " ", e.message))))));
  }

  async loadErrors(task) {
    this.errors.set(task.job_task_id, []); // once, even while the call is in flight
    try {
      const detail = await call("/inventory-v2/v1/job-task/get-detail", { job_task_id: task.job_task_id });
      this.errors.set(task.job_task_id, detail.failure_info?.errors || []);
      if (this.job) this.show(this.job);
    } catch (error) {
      console.warn("get-detail", task.job_task_id, error);
    }
  }

  async cancel() {
    try {
      await call("/cloudinv/v1/job/cancel", { job_id: this.jobId });
    } catch (error) {
      this.onError(error, this.root);
    }
  }

  tick() {
    for (const cell of this.root.querySelectorAll(".duration")) {
      if (cell.dataset.start && !cell.dataset.end) cell.textContent = duration(cell.dataset.start, null);
    }
  }
}

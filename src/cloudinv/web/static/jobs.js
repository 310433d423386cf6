// The job list: status tabs, the daily chart, and a table whose running jobs update live through watch streams.
import { call, watch } from "./api.js";
import { badge, duration, errorBox, h, progressBar, STATUSES, when } from "./dom.js";
import { chart, dailyCounts, lastDays } from "./chart.js";

const PAGE = 50;
const MAX_WATCHES = 4; // a browser opens ~6 connections per server: leave some for the other calls
const REFRESH_MS = 10000; // new jobs appear without a reload
const CHART_DAYS = 14;

export class JobList {
  constructor(root, tab, names, onError) {
    this.root = root;
    this.tab = tab;
    this.names = names;
    this.onError = onError;
    this.watches = new Map();
  }

  start() {
    this.refresh();
    this.timers = [setInterval(() => this.refresh(), REFRESH_MS), setInterval(() => this.tick(), 1000)];
  }

  stop() {
    this.stopped = true;
    (this.timers || []).forEach(clearInterval);
    clearTimeout(this.soon);
    for (const controller of this.watches.values()) controller.abort();
  }

  refreshSoon() {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => this.refresh(), 300);
  }

  async refresh() {
    const filter = this.tab === "ALL" ? [] : [{ k: "status", v: this.tab, o: "eq" }];
    try {
      const [list, groups, daily] = await Promise.all([
        call("/inventory-v2/v1/job/list", { query: { filter, page: { start: 1, limit: PAGE } } }),
        call("/inventory-v2/v1/job/analyze", { query: { group_by: ["status"], fields: { n: { operator: "count" } } } }),
        dailyCounts(CHART_DAYS).catch(() => null),
      ]);
      await this.names.know(list.results.map((job) => job.collector_id));
      if (this.stopped) return;
      this.render(list, groups.results, daily);
      this.follow(list.results.filter((job) => job.status === "IN_PROGRESS"));
    } catch (error) {
      if (!this.stopped) this.onError(error, this.root);
    }
  }

  render(list, groups, daily) {
    const counts = Object.fromEntries(groups.map((g) => [g.status, g.n]));
    counts.ALL = groups.reduce((sum, g) => sum + g.n, 0);
    const tabs = h("nav", { class: "tabs" }, ["ALL", ...STATUSES].map((status) =>
      h("a", { href: `#/jobs/${status}`, class: status === this.tab ? "tab active" : "tab", dataset: { tab: status } },
        status.replace("_", " "), h("span", { class: "count" }, counts[status] || 0))));
    const rows = list.results.map((job) => this.row(job));
    const table = h("table", { class: "jobs" },
      h("thead", {}, h("tr", {}, ["Job", "Status", "Tasks", "Collector", "Created", "Duration"].map((t) => h("th", {}, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No jobs."))));
    const caption = h("p", { class: "muted" }, `${list.results.length} of ${list.total_count} jobs, newest first`);
    this.root.replaceChildren(daily ? chart(daily, lastDays(CHART_DAYS)) : errorBox("The chart is unavailable."),
      tabs, table, caption);
  }

  row(job) {
    const done = job.success_tasks + job.failure_tasks;
    return h("tr", { dataset: { jobId: job.job_id, status: job.status } },
      h("td", {}, h("a", { href: `#/job/${job.job_id}`, class: "mono" }, job.job_id)),
      h("td", { class: "status" }, badge(job.status)),
      h("td", { class: "tasks" }, progressBar(job.success_tasks, job.failure_tasks, job.total_tasks),
        h("span", { class: "muted small" }, `${done}/${job.total_tasks}`, job.failure_tasks ? `, ${job.failure_tasks} failed` : "")),
      h("td", {}, this.names.label(job.collector_id)),
      h("td", {}, when(job.created_at)),
      h("td", { class: "duration", dataset: { start: job.created_at, end: job.finished_at || "" } },
        duration(job.created_at, job.finished_at)));
  }

  // Replace a job's row with its latest snapshot; a job that left this tab goes at the next refresh.
  update(job) {
    const old = this.root.querySelector(`tr[data-job-id="${job.job_id}"]`);
    if (old) old.replaceWith(this.row(job));
  }

  follow(running) {
    for (const job of running) {
      if (this.watches.size >= MAX_WATCHES || this.watches.has(job.job_id)) continue;
      const controller = new AbortController();
      this.watches.set(job.job_id, controller);
      watch(job.job_id, (snapshot) => this.update(snapshot), controller.signal)
        .catch((error) => { if (error.name !== "AbortError") console.warn("watch", job.job_id, error); })
        .finally(() => {
          this.watches.delete(job.job_id);
          if (!this.stopped) this.refreshSoon(); // the tab counts and the chart changed
        });
    }
  }

  tick() {
    for (const cell of this.root.querySelectorAll("td.duration")) {
      if (!cell.dataset.end) cell.textContent = duration(cell.dataset.start, null);
    }
  }
}

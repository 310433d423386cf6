// Jobs per day (UTC) by status: the Job `stat` aggregate, or, on a server that refuses that query, a count of
// the listed jobs done here.
import { call } from "./api.js";
import { h, STATUSES } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

function dayOf(date) {
  return date.toISOString().slice(0, 10);
}

export function lastDays(count) {
  const today = new Date();
  return Array.from({ length: count }, (_, i) => dayOf(new Date(today.getTime() - (count - 1 - i) * 86400000)));
}

function since(days) {
  return { k: "created_at", v: `now/d - ${days - 1}d`, o: "timediff_gte" };
}

async function fromStat(days) {
  const answer = await call("/inventory-v2/v1/job/stat", { query: {
    filter: [since(days)],
    aggregate: [{ group: {
      keys: [{ key: "created_at", name: "day", date_format: "%Y-%m-%d" }, { key: "status", name: "status" }],
      fields: [{ name: "count", operator: "count" }],
    } }],
  } });
  return answer.results.map((row) => ({ day: row.day, status: row.status, count: row.count }));
}

async function fromList(days) {
  const answer = await call("/inventory-v2/v1/job/list", { query: {
    filter: [since(days)], only: ["created_at", "status"], page: { start: 1, limit: 1000 },
  } });
  const counts = new Map();
  for (const job of answer.results) {
    const key = `${job.created_at.slice(0, 10)}|${job.status}`;
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return [...counts].map(([key, count]) => ({ day: key.split("|")[0], status: key.split("|")[1], count }));
}

export async function dailyCounts(days) {
  try {
    return await fromStat(days);
  } catch (error) {
    if (error.status !== 400) throw error;
    return fromList(days); // the query shape is not supported by this server
  }
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

export function chart(rows, days) {
  const width = 640, height = 140, pad = 18, gap = 4;
  const perDay = new Map(days.map((day) => [day, Object.fromEntries(STATUSES.map((s) => [s, 0]))]));
  for (const row of rows) if (perDay.has(row.day) && row.status in perDay.get(row.day)) perDay.get(row.day)[row.status] += row.count;
  const max = Math.max(1, ...[...perDay.values()].map((c) => STATUSES.reduce((sum, s) => sum + c[s], 0)));
  const barWidth = (width - gap * days.length) / days.length;
  const plot = svg("svg", { viewBox: `0 0 ${width} ${height + pad}`, class: "chart", role: "img",
    "aria-label": "Jobs per day by status" });
  days.forEach((day, i) => {
    let top = height;
    const x = i * (barWidth + gap);
    for (const status of STATUSES) {
      const count = perDay.get(day)[status];
      if (!count) continue;
      const barHeight = (count / max) * (height - 4);
      top -= barHeight;
      plot.append(svg("rect", { x, y: top, width: barWidth, height: barHeight, class: `bar ${status.toLowerCase()}` },
        svg("title", {}, `${day}: ${count} ${status}`)));
    }
    if (i % Math.ceil(days.length / 7) === 0 || i === days.length - 1) {
      plot.append(svg("text", { x: x + barWidth / 2, y: height + pad - 4, "text-anchor": "middle" }, day.slice(5)));
    }
  });
  plot.append(svg("text", { x: 2, y: 10, class: "max" }, `${max}`));
  const legend = h("div", { class: "legend" },
    STATUSES.map((s) => h("span", {}, h("i", { class: `swatch ${s.toLowerCase()}` }), s)));
  return h("figure", { class: "card chart-card", id: "daily-chart" },
    h("figcaption", {}, `Jobs per day (UTC), last ${days.length} days`), plot, legend);
}

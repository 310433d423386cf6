// A few DOM helpers. Text from the server is only ever set as text, never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const STATUSES = ["IN_PROGRESS", "SUCCESS", "FAILURE", "CANCELED"];

export function badge(status) {
  return h("span", { class: `badge ${String(status).toLowerCase()}`, dataset: { status } }, status);
}

// Success and failure shares of a total, as one bar.
export function progressBar(success, failure, total) {
  const share = (n) => (total > 0 ? `${(100 * n) / total}%` : "0%");
  return h("div", { class: "progress", title: `${success} succeeded, ${failure} failed of ${total}` },
    h("span", { class: "ok", style: `width:${share(success)}` }),
    h("span", { class: "failed", style: `width:${share(failure)}` }));
}

export function duration(start, end) {
  if (!start) return "";
  const seconds = Math.max(0, Math.round(((end ? Date.parse(end) : Date.now()) - Date.parse(start)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

export function errorBox(error) {
  return h("p", { class: "error", role: "alert" }, error instanceof Error ? error.message : String(error));
}

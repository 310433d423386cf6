// The page's entry: log in with a token, then route `#/jobs/STATUS` (the list) and `#/job/ID` (one job).
import { call, session } from "./api.js";
import { errorBox } from "./dom.js";
import { JobList } from "./jobs.js";
import { JobPage } from "./job.js";

const app = document.getElementById("app");
const loginSection = document.getElementById("login");
const loginError = document.getElementById("login-error");
let view = null;

// Collector names for the ids the views show, fetched once per unknown id.
const names = {
  known: new Map(),
  label(id) { return id ? this.known.get(id) || id : ""; },
  async know(ids) {
    const missing = [...new Set(ids.filter((id) => id && !this.known.has(id)))];
    if (!missing.length) return;
    missing.forEach((id) => this.known.set(id, id));
    try {
      const answer = await call("/inventory-v2/v1/collector/list", {
        query: { filter: [{ k: "collector_id", v: missing, o: "in" }], only: ["collector_id", "name"] },
      });
      for (const c of answer.results) this.known.set(c.collector_id, c.name);
    } catch (error) {
      console.warn("collector names", error);
    }
  },
};

function showLogin(message = "") {
  view?.stop();
  view = null;
  app.replaceChildren();
  loginSection.hidden = false;
  loginError.textContent = message;
  document.getElementById("logout").hidden = true;
  document.getElementById("who").textContent = "";
}

// A refused token sends the user back to the login form; other errors show where the view was.
function onError(error, root) {
  if (error.status === 401) {
    session.clear();
    showLogin(`The token was refused: ${error.message}`);
  } else {
    root.replaceChildren(errorBox(error));
  }
}

function route() {
  view?.stop();
  if (!session.token) return showLogin();
  loginSection.hidden = true;
  document.getElementById("logout").hidden = false;
  document.getElementById("who").textContent = session.domain ? `domain ${session.domain}` : "";
  const [, kind, arg] = location.hash.split("/");
  const root = document.createElement("div");
  app.replaceChildren(root);
  if (kind === "job" && arg) view = new JobPage(root, decodeURIComponent(arg), names, onError);
  else view = new JobList(root, kind === "jobs" && arg ? arg : "ALL", names, onError);
  view.start();
}

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = document.getElementById("token").value.trim();
  const domain = document.getElementById("domain").value.trim();
  session.save(token, domain);
  try {
    await call("/inventory-v2/v1/job/list", { query: { count_only: true } });
  } catch (error) {
    session.clear();
    loginError.textContent = error.message;
    return;
  }
  document.getElementById("token").value = "";
  route();
});

document.getElementById("logout").addEventListener("click", () => {
  session.clear();
  showLogin();
});

window.addEventListener("hashchange", route);
route();

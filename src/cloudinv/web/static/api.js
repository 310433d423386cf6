// The REST API, as every other client calls it: POST JSON with the token; watch as server-sent events.
const TOKEN = "cloudinv.token";
const DOMAIN = "cloudinv.domain";

export const session = {
  get token() { return localStorage.getItem(TOKEN); },
  get domain() { return localStorage.getItem(DOMAIN); },
  save(token, domain) {
    localStorage.setItem(TOKEN, token);
    if (domain) localStorage.setItem(DOMAIN, domain); else localStorage.removeItem(DOMAIN);
  },
  clear() { localStorage.removeItem(TOKEN); localStorage.removeItem(DOMAIN); },
};

export class ApiError extends Error {
  constructor(code, message, status) {
    super(`${code}: ${message}`);
    this.code = code;
    this.status = status;
  }
}

function headers() {
  const result = { "Content-Type": "application/json", Authorization: `Bearer ${session.token}` };
  if (session.domain) result["X-Domain-Id"] = session.domain;
  return result;
}

async function failure(response) {
  const data = await response.json().catch(() => null);
  const detail = data && data.detail;
  return new ApiError(detail?.code || `HTTP_${response.status}`, detail?.message || response.statusText, response.status);
}

export async function call(path, body = {}, signal = undefined) {
  const response = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body), signal });
  if (!response.ok) throw await failure(response);
  return response.json();
}

// Follow a job: `onSnapshot(job)` for each server-sent event (the job with its `tasks`) until the job ends.
// EventSource cannot POST, so the stream is read with fetch and a ReadableStream.
export async function watch(jobId, onSnapshot, signal) {
  const response = await fetch("/cloudinv/v1/job/watch", {
    method: "POST", headers: headers(), body: JSON.stringify({ job_id: jobId }), signal,
  });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      dispatch(buffer.slice(0, end), onSnapshot);
      buffer = buffer.slice(end + 2);
    }
  }
}

function dispatch(block, onSnapshot) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trim());
  }
  if (!data.length) return;
  const payload = JSON.parse(data.join("\n"));
  if (event === "error") throw new ApiError(payload.code, payload.message, 200);
  onSnapshot(payload);
}

// Lesson 05's page: send a prompt, read the answer as it streams, stop it, retry it.
//
// The server renders the Markdown (raw HTML off, images turned into links) and sends each
// finished block once and the open tail again (see helpers/web/events.py). This script only
// reads those events and places the HTML, at most once per animation frame.

const $ = (id) => document.getElementById(id);
const answer = $("answer");
const reveal = $("reveal");
const buttons = { send: $("send"), stop: $("stop"), retry: $("retry") };
const frozenBox = document.createElement("div"); // finished blocks: appended, never redrawn
const tailBox = document.createElement("div"); // the open block: replaced at each frame
answer.append(frozenBox, tailBox);

let controller = null; // aborts the request in flight (Stop)
let lastMessages = null; // what Retry sends again
let state = "idle"; // idle | streaming | complete | stopped | interrupted
const blocks = []; // the frozen blocks' HTML as the server sent them
let tail = "";
let drawnUpTo = 0; // frozenBox holds blocks[0 .. drawnUpTo - 1]
let frame = 0; // the requested animation frame, or 0

function setState(next, text) {
  state = next;
  answer.dataset.state = next;
  buttons.send.disabled = next === "streaming";
  buttons.stop.disabled = next !== "streaming";
  buttons.retry.hidden = next !== "interrupted";
  $("status").textContent = text;
  applyReveal();
}

// A reveal policy hides what is not finished yet: a caveat can come after the statement it qualifies.
function applyReveal() {
  const unfinished = state !== "complete";
  tailBox.hidden = unfinished && reveal.value !== "token";
  frozenBox.hidden = unfinished && reveal.value === "complete";
  $("withheld").hidden = !(tailBox.hidden || frozenBox.hidden) || answer.textContent === "";
}

function onBlocks(update) {
  blocks.splice(update.from, blocks.length - update.from, ...update.frozen);
  drawnUpTo = Math.min(drawnUpTo, update.from); // blocks from here on must be drawn again
  tail = update.tail;
  if (!frame) frame = requestAnimationFrame(draw);
}

function draw() {
  frame = 0;
  while (frozenBox.children.length > drawnUpTo) frozenBox.lastElementChild.remove();
  for (const html of blocks.slice(drawnUpTo)) {
    const block = document.createElement("div");
    block.innerHTML = html; // rendered by the server with raw HTML off: the model's tags arrive as text
    openLinksElsewhere(block);
    frozenBox.append(block);
  }
  drawnUpTo = blocks.length;
  tailBox.innerHTML = tail;
  openLinksElsewhere(tailBox);
  answer.dataset.draws = String(Number(answer.dataset.draws || 0) + 1);
  applyReveal();
}

function openLinksElsewhere(element) {
  for (const link of element.querySelectorAll("a")) {
    link.target = "_blank";
    link.rel = "noopener noreferrer";
  }
}

function clearAnswer() {
  blocks.length = 0;
  tail = "";
  drawnUpTo = 0;
  frozenBox.replaceChildren();
  tailBox.replaceChildren();
  answer.dataset.draws = "0";
}

function finish(next, text) {
  if (frame) cancelAnimationFrame(frame);
  draw(); // the last state now, even in a tab that draws no frames
  controller = null;
  setState(next, text);
}

// One server-sent event: "event:" and "data:" lines; a line starting with ":" is a comment (a heartbeat).
function parseEvent(text) {
  let name = "message";
  const data = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  return data.length ? { name, data: JSON.parse(data.join("\n")) } : null;
}

// Handles one event; true once the answer has ended (complete or failed).
function handle(event) {
  if (event === null) return false; // a heartbeat: the server is there, the model is quiet
  if (event.name === "blocks") {
    if (state === "streaming") $("status").textContent = "Streaming…";
    onBlocks(event.data);
    return false;
  }
  if (event.name === "done") {
    const { stop_reason: why, usage } = event.data;
    finish("complete", `Complete (stop reason: ${why}; ${usage.output_tokens} output tokens).`);
    return true;
  }
  if (event.name === "error") {
    finish("interrupted", `Interrupted: ${event.data.message} (${event.data.type}). The partial answer is kept.`);
    return true;
  }
  return false;
}

async function ask(messages) {
  lastMessages = messages;
  controller = new AbortController();
  clearAnswer();
  setState("streaming", "Waiting for the first words…");
  let ended = false;
  try {
    const response = await fetch("/api/stream", {
      method: "POST", // not EventSource: it would reconnect by itself and pay for the answer again
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ messages }),
      signal: controller.signal,
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({ error: { message: response.statusText } }));
      finish("interrupted", `Refused (${response.status}): ${problem.error.message}`);
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    while (!ended) {
      const { value, done } = await reader.read();
      if (done) break;
      const events = (buffer + value).split("\n\n");
      buffer = events.pop(); // the start of an event still arriving
      for (const text of events) ended = handle(parseEvent(text)) || ended;
    }
    if (!ended) finish("interrupted", "Interrupted: the connection closed before the answer ended. The partial answer is kept.");
  } catch (error) {
    if (error.name === "AbortError") finish("stopped", "Stopped. The partial answer is kept; the server stopped reading the model's answer.");
    else finish("interrupted", "Interrupted: the connection was lost. The partial answer is kept.");
  }
}

$("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  const prompt = $("prompt").value.trim();
  if (prompt) ask([{ role: "user", content: prompt }]);
});
buttons.stop.addEventListener("click", () => controller?.abort());
buttons.retry.addEventListener("click", () => lastMessages && ask(lastMessages));
reveal.addEventListener("change", applyReveal);

async function showInfo() {
  const info = await (await fetch("/api/info")).json();
  const replay = info.mode === "replay";
  $("mode").textContent = replay
    ? `${info.status}. Replay answers only the recorded prompts below, word for word.`
    : `${info.status}. Any prompt works; the examples below are suggestions.`;
  $("prompt").maxLength = info.max_chars;
  for (const example of info.examples) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = example;
    button.addEventListener("click", () => {
      $("prompt").value = example;
    });
    $("examples").append(button);
  }
  if (replay && info.examples.length) $("prompt").value = info.examples[0];
  document.body.dataset.ready = "true";
}

showInfo().catch(() => {
  $("mode").textContent = "Could not reach the server: is it running?";
});

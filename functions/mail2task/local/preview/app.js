// Plays Gmail: the inbox, the reading pane, and the add-on panel driven by the functions' card JSON.
import { collectInputs, renderCard } from "./cards.js";

const BASIC_SCOPES = [
  "https://www.googleapis.com/auth/gmail.addons.execute",
  "https://www.googleapis.com/auth/userinfo.email",
];
const $ = (id) => document.getElementById(id);

const state = {
  config: null,
  user: null,
  messages: [],
  open: null, // the open message (summary) or null: homepage
  stack: [], // card navigation stack, root first
  last: null, // {url, event}: re-run after consent is granted
  busy: false,
  seq: 0, // number of the latest request; answers to older ones are dropped
};

// Consent: the scopes each local user has granted, kept across reloads like a Google Account would.
function granted(user = state.user) {
  const stored = localStorage.getItem(`mail2task.scopes.${user}`);
  return stored ? JSON.parse(stored) : [...BASIC_SCOPES];
}
function grant(scopes) {
  const next = [...new Set([...granted(), ...scopes])];
  localStorage.setItem(`mail2task.scopes.${state.user}`, JSON.stringify(next));
  showScopes();
}
function showScopes() {
  const all = state.config.oauthScopes;
  const have = granted().filter((s) => all.includes(s));
  $("scopes").textContent = `${have.length}/${all.length} scopes granted`;
  $("scopes").title = granted().join("\n");
}

function toast(text, kind = "info") {
  const node = $("toast");
  node.textContent = text;
  node.className = `toast ${kind}`;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 6000);
}

function setBusy(busy) {
  state.busy = busy;
  $("spinner").hidden = !busy;
  $("panel").classList.toggle("busy", busy);
}

function gmailObject() {
  return state.open ? { messageId: state.open.id, threadId: state.open.threadId } : undefined;
}

// ---- talking to the functions (through the preview server, which signs the event) ----
async function invoke(url, event) {
  state.last = { url, event };
  const seq = ++state.seq; // a newer trigger or action makes this answer stale
  setBusy(true);
  let data;
  try {
    const response = await fetch("/api/invoke", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ url, event, user: state.user, scopes: granted() }),
    });
    data = await response.json();
    if (!response.ok) throw new Error(data.error || `preview server answered ${response.status}`);
  } catch (error) {
    if (seq !== state.seq) return;
    setBusy(false);
    showError("The preview could not reach the add-on", String(error.message || error));
    return;
  }
  if (seq !== state.seq) return;
  setBusy(false);
  $("exchange").textContent = `POST ${url}\n${JSON.stringify(event, null, 2)}\n\n← HTTP ${data.status}\n${data.json ? JSON.stringify(data.json, null, 2) : data.text}`;
  if (data.status !== 200 || !data.json) {
    const message = data.json?.error?.message || data.text || "";
    showError(`The add-on answered HTTP ${data.status}`, message);
    return;
  }
  handleResponse(data.json);
}

function runTrigger() {
  state.stack = [];
  render();
  const event = { commonEventObject: {} };
  const gmail = gmailObject();
  if (gmail) event.gmail = gmail;
  invoke(gmail ? state.config.contextualUrl : state.config.homepageUrl, event);
}

function runAction(action) {
  const root = $("panel").querySelector(".card");
  const formInputs = root ? collectInputs(root) : {};
  const required = action.allWidgetsAreRequired
    ? [...(root?.querySelectorAll("[data-name]") || [])].map((n) => n.dataset.name)
    : action.requiredWidgets || [];
  const missing = required.filter((name) => !(name in formInputs));
  if (missing.length) {
    for (const name of missing) root.querySelector(`[data-name="${CSS.escape(name)}"]`)?.classList.add("invalid");
    toast(`Fill in: ${missing.join(", ")}`, "error");
    return;
  }
  const parameters = Object.fromEntries((action.parameters || []).map((p) => [p.key, p.value]));
  const event = { commonEventObject: { formInputs, parameters } };
  const gmail = gmailObject();
  if (gmail) event.gmail = gmail;
  invoke(action.function, event);
}

// ---- what the functions answer ----
function handleResponse(response) {
  if (response.requesting_google_scopes) return askConsent(response.requesting_google_scopes);
  if (response.basic_authorization_prompt) {
    const prompt = response.basic_authorization_prompt;
    return applyAction({ navigations: [{ pushCard: {
      header: { title: `Sign in to ${prompt.resource || "continue"}` },
      sections: [{ widgets: [{ buttonList: { buttons: [{ text: "Authorize", onClick: { openLink: { url: prompt.authorization_url, onClose: "RELOAD" } } }] } }] }],
    } }] });
  }
  if (response.custom_authorization_prompt) return applyAction(response.custom_authorization_prompt.action || {});
  if (response.renderActions) return applyAction(response.renderActions.action || {});
  if (response.action) return applyAction(response.action);
  if (response.sections || response.header) return applyAction({ navigations: [{ pushCard: response }] });
  showError("The add-on answered something Gmail would not understand", JSON.stringify(response).slice(0, 500));
}

function applyAction(action) {
  for (const nav of action.navigations || []) {
    if (nav.pushCard) state.stack.push(nav.pushCard);
    else if (nav.updateCard) state.stack.length ? (state.stack[state.stack.length - 1] = nav.updateCard) : state.stack.push(nav.updateCard);
    else if (nav.pop) state.stack.length > 1 && state.stack.pop();
    else if (nav.popToRoot) state.stack.length = Math.min(1, state.stack.length);
    else if (nav.popToCard) {
      const index = state.stack.findIndex((c) => c.name === nav.popToCard);
      if (index >= 0) state.stack.length = index + 1;
    }
  }
  render();
  if (action.notification?.text) toast(action.notification.text);
  if (action.link?.url && !openWindow(action.link)) showLink(action.link); // e.g. an openDynamicLinkAction's answer
}

const handlers = {
  onClick(onClick) {
    if (state.busy) return;
    if (onClick.action) runAction(onClick.action);
    else if (onClick.openDynamicLinkAction) runAction(onClick.openDynamicLinkAction);
    else if (onClick.card) { state.stack.push(onClick.card); render(); }
    else if (onClick.openLink) showLink(onClick.openLink); // widgets other than buttons
  },
  onOpenLink(link, event) {
    if (link.onClose !== "RELOAD") return; // a plain link: the browser opens it in a new tab
    event.preventDefault();
    if (!openWindow(link)) showReloadHint();
  },
};

// Like Gmail: open the page in a window and, with onClose RELOAD, reload the add-on once that window is
// closed. False when the browser blocked the window.
function openWindow(link) {
  const features = link.openAs === "OVERLAY" ? "popup,width=560,height=700" : "";
  const opened = window.open(link.url, "_blank", features);
  if (!opened) return false;
  if (link.onClose === "RELOAD") {
    const watch = setInterval(() => {
      if (opened.closed) { clearInterval(watch); runTrigger(); }
    }, 400);
  }
  return true;
}

function render() {
  const panel = $("panel");
  panel.replaceChildren();
  const card = state.stack[state.stack.length - 1];
  if (card) panel.append(renderCard(card, handlers));
  $("back").hidden = state.stack.length < 2;
}

function showError(title, detail) {
  const panel = $("panel");
  panel.replaceChildren();
  const box = document.createElement("div");
  box.className = "error-box";
  box.append(Object.assign(document.createElement("b"), { textContent: title }));
  if (detail) box.append(Object.assign(document.createElement("p"), { textContent: detail }));
  const retry = Object.assign(document.createElement("button"), { type: "button", className: "button outlined", textContent: "Try again" });
  retry.addEventListener("click", () => state.last && invoke(state.last.url, state.last.event));
  box.append(retry);
  panel.append(box);
}

function showLink(link) {
  const node = $("toast");
  node.replaceChildren("Open link: ", Object.assign(document.createElement("a"), {
    href: link.url, target: "_blank", rel: "noopener noreferrer", textContent: link.url,
  }));
  node.className = "toast info";
  node.hidden = false;
  if (link.onClose === "RELOAD") showReloadHint();
}

function showReloadHint() {
  const hint = document.createElement("div");
  hint.className = "reload-hint";
  hint.append("Finished in the other tab? ");
  const reload = Object.assign(document.createElement("button"), { type: "button", className: "link-button", textContent: "Reload the add-on" });
  reload.addEventListener("click", () => { hint.remove(); runTrigger(); });
  hint.append(reload);
  $("panel").prepend(hint);
}

// ---- granular consent: requesting_google_scopes ----
function askConsent(request) {
  const wanted = request.all_scopes ? state.config.oauthScopes : request.scopes || [];
  const missing = wanted.filter((s) => !granted().includes(s));
  const list = $("consent-scopes");
  list.replaceChildren();
  for (const scope of missing.length ? missing : wanted) {
    const item = document.createElement("li");
    const box = Object.assign(document.createElement("input"), { type: "checkbox", checked: true, value: scope, id: `scope-${scope}` });
    box.hidden = wanted.length < 2; // one scope: no checkbox, as on Google's screen
    item.append(box, Object.assign(document.createElement("label"), { htmlFor: box.id, textContent: scope.replace("https://www.googleapis.com/auth/", "") }));
    list.append(item);
  }
  $("consent-user").textContent = state.config.users.find((u) => u.key === state.user).email;
  $("consent").hidden = false;
  $("consent-allow").focus();
}

function closeConsent(allow) {
  $("consent").hidden = true;
  if (!allow) { showError("mail2task needs your permission to continue", "Cancelled on the consent screen."); return; }
  grant([...$("consent-scopes").querySelectorAll("input:checked")].map((i) => i.value));
  if (state.last) invoke(state.last.url, state.last.event); // Gmail re-runs the last action
}

// ---- inbox and reading pane ----
function formatDate(ms) {
  return new Date(ms).toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

function senderName(from) {
  const match = /^"?([^"<]+?)"?\s*</.exec(from);
  return match ? match[1] : from;
}

async function loadMessages() {
  const data = await (await fetch("/api/messages")).json();
  state.messages = data.messages;
  const list = $("messages");
  list.replaceChildren();
  for (const message of state.messages) {
    const item = document.createElement("li");
    item.dataset.messageId = message.id;
    item.tabIndex = 0;
    if (message.labelIds.includes("SENT")) item.classList.add("sent");
    const top = document.createElement("div");
    top.className = "row-top";
    top.append(Object.assign(document.createElement("span"), { className: "from", textContent: senderName(message.from) }),
      Object.assign(document.createElement("span"), { className: "date", textContent: formatDate(message.internalDate) }));
    const subject = Object.assign(document.createElement("div"), { className: "subject", textContent: message.subject });
    if (message.attachments.length) {
      const count = message.attachments.length;
      subject.append(Object.assign(document.createElement("span"), { className: "clip", textContent: ` · ${count} attachment${count > 1 ? "s" : ""}` }));
    }
    const snippet = Object.assign(document.createElement("div"), { className: "snippet" });
    snippet.innerHTML = message.snippet; // the Gmail API's snippet is HTML-escaped text
    item.append(top, subject, snippet);
    item.addEventListener("click", () => openMessage(message.id));
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") openMessage(message.id); });
    list.append(item);
  }
}

async function openMessage(id) {
  const message = await (await fetch(`/api/messages/${encodeURIComponent(id)}`)).json();
  state.open = message;
  for (const item of $("messages").children) item.classList.toggle("selected", item.dataset.messageId === id);
  const reader = $("reader");
  reader.replaceChildren();
  const h = (tag, cls, text) => Object.assign(document.createElement(tag), { className: cls, textContent: text });
  reader.append(h("h1", "subject", message.subject));
  const meta = document.createElement("dl");
  meta.className = "meta";
  for (const [label, value] of [["From", message.from], ["To", message.to], ["Cc", message.cc], ["Date", new Date(message.internalDate).toString()]]) {
    if (value) meta.append(h("dt", "", label), h("dd", "", value));
  }
  reader.append(meta);
  if (message.thread.length > 1) reader.append(h("p", "muted", `${message.thread.length} messages in this conversation`));
  reader.append(h("pre", "body", message.body));
  if (message.attachments.length) {
    const list = h("ul", "attachments", "");
    for (const a of message.attachments) list.append(h("li", "", `• ${a.filename} (${a.mimeType})`));
    reader.append(list);
  }
  runTrigger();
}

function goHome() {
  state.open = null;
  for (const item of $("messages").children) item.classList.remove("selected");
  $("reader").replaceChildren(Object.assign(document.createElement("p"), { className: "empty", textContent: "No message open: the add-on shows its homepage." }));
  runTrigger();
}

async function start() {
  state.config = await (await fetch("/api/config")).json();
  const select = $("user");
  for (const user of state.config.users) select.append(Object.assign(document.createElement("option"), { value: user.key, textContent: user.label }));
  state.user = localStorage.getItem("mail2task.user") || state.config.users[0].key;
  select.value = state.user;
  select.addEventListener("change", () => {
    state.user = select.value;
    localStorage.setItem("mail2task.user", state.user);
    showScopes();
    runTrigger();
  });
  $("reset-consent").addEventListener("click", () => { localStorage.removeItem(`mail2task.scopes.${state.user}`); showScopes(); runTrigger(); });
  $("home").addEventListener("click", goHome);
  $("back").addEventListener("click", () => { if (state.stack.length > 1) { state.stack.pop(); render(); } });
  $("consent-allow").addEventListener("click", () => closeConsent(true));
  $("consent-cancel").addEventListener("click", () => closeConsent(false));
  showScopes();
  await loadMessages();
  document.body.dataset.ready = "true";
  runTrigger();
}

start();

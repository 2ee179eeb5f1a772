// The live room's browser client; the contract is Features/Live/README.md. The database is the truth: this keeps
// a copy at a known version, applies only the next event, and asks for a snapshot whenever it may have missed one.
// People's text is only ever set with textContent; the one HTML it inserts is the server-sanitised Markdown slide.
// Every word shown comes from the page's data-strings, so the script itself carries no language.
(function () {
  "use strict";

  const root = document.getElementById("room");
  if (!root) { return; }
  const S = parseJson(root.getAttribute("data-strings")) || {};
  const $ = (id) => document.getElementById(id);
  const statusEl = $("room-status");

  if (typeof signalR === "undefined") {
    setText(statusEl, t("offline"));
    return;
  }

  const sessionId = Number(root.getAttribute("data-session-id"));
  const zone = root.getAttribute("data-zone") || "UTC";
  const slideUrl = root.getAttribute("data-slide-url") || "";
  const lang = document.documentElement.lang || undefined;
  const TEXT_ONLY_KEY = "cistrat.room.textOnly";
  const SYNC_EVERY_MS = 15000;
  const RETRY_EVERY_MS = 30000;
  const PARTICIPANTS_EVERY_MS = 2000;
  const NOTES_DEBOUNCE_MS = 1000;
  const CHAT_KEPT = 200;
  const ERROR_CODES = /(?:^|\s)(not-found|forbidden|invalid|too-long|rate-limited|muted|closed|not-joined):\s*([\s\S]*)$/;

  // The room as the server last described it. Replaced whole by a snapshot; changed in place by the next event.
  const state = {
    ready: false,
    version: 0,
    session: null,
    role: root.getAttribute("data-staff") === "true" ? "lecturer" : "trainee",
    slide: 1,
    notes: "",
    questions: new Map(),
    polls: new Map(),
    chat: [],
    myVotes: new Set(),
    myPollVotes: new Map(),
    mine: new Set(),
    muted: false,
    participants: 0,
  };

  // What only this page knows: where the trainee is browsing, what is being typed, which errors to show.
  const ui = {
    viewSlide: null,
    shownSlideKey: "",
    textOnly: readTextOnly(),
    hand: false,
    editing: null,
    questionErrors: new Map(),
    pollDrafts: new Map(),
    pollErrors: new Map(),
    mutedUsers: new Set(),
    people: [],
    notesDirty: false,
  };

  const isStaff = () => state.role !== "trainee";

  // ---------- small helpers ----------

  function parseJson(text) {
    try { return JSON.parse(text || "null"); } catch (e) { return null; }
  }

  function t(key, ...args) {
    const text = Object.prototype.hasOwnProperty.call(S, key) ? S[key] : key;
    return String(text).replace(/\{(\d+)\}/g, (m, i) => (args[i] === undefined ? m : String(args[i])));
  }

  function setText(el, text) {
    if (el) { el.textContent = text == null ? "" : String(text); }
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value == null) { continue; }
      if (name === "text") { node.textContent = String(value); } else { node.setAttribute(name, value === true ? "" : String(value)); }
    }
    for (const child of children) {
      if (child != null && child !== false) { node.append(child); }
    }
    return node;
  }

  function button(label, action, attrs) {
    return el("button", Object.assign({ type: "button", class: "secondary small", "data-action": action, text: label }, attrs || {}));
  }

  function showError(target, text) {
    if (!target) { return; }
    target.textContent = text || "";
    target.hidden = !text;
  }

  // "ISO 8601 UTC": a time without a zone is read as UTC rather than as the browser's local time.
  function parseUtc(iso) {
    if (!iso) { return null; }
    const text = /[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z";
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  function formatter(options, inZone) {
    try { return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: inZone || zone }, options)); } catch (e) { return new Intl.DateTimeFormat(lang, options); }
  }
  const timeFormat = formatter({ timeStyle: "short" });

  function timeEl(iso) {
    const date = parseUtc(iso);
    return el("time", { datetime: iso || false, text: date ? timeFormat.format(date) : "" });
  }

  function hubError(err) {
    const match = ERROR_CODES.exec((err && err.message) || "");
    if (match) {
      const english = !lang || lang.toLowerCase().startsWith("en");
      return { code: match[1], text: (english ? match[2].trim() : "") || t("err-" + match[1]) };
    }
    if (connection.state !== signalR.HubConnectionState.Connected) { return { code: "offline", text: t("notSent") }; }
    return { code: "unknown", text: t("error") };
  }

  function call(method, ...args) {
    return connection.invoke(method, sessionId, ...args);
  }

  // One hub call for a form or a button: returns null, or the problem it showed in errorEl. What was typed stays.
  async function run(form, errorEl, work) {
    const submit = form && form.querySelector("[type=submit]");
    if (submit) { submit.disabled = true; }
    if (form) { form.setAttribute("aria-busy", "true"); }
    try {
      await work();
      showError(errorEl, "");
      return null;
    } catch (err) {
      const problem = hubError(err);
      showError(errorEl, problem.text);
      if (problem.code === "not-joined") { join(); }
      return problem;
    } finally {
      if (submit) { submit.disabled = false; }
      if (form) { form.removeAttribute("aria-busy"); }
    }
  }

  // Re-rendering a list must not take the keyboard focus or the caret away from the person.
  // Focusable parts carry data-focus="kind|id|part"; when the part is gone (a button that became disabled, an item
  // rebuilt), the focus falls back to "kind|id", the item itself.
  function keepFocus(render) {
    const active = document.activeElement;
    const key = active && active.getAttribute ? active.getAttribute("data-focus") : null;
    const selection = active && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
    render();
    if (!key || document.activeElement === active) { return; }
    for (let k = key; k; k = k.includes("|") ? k.slice(0, k.lastIndexOf("|")) : "") {
      const target = k === key && active.isConnected ? active : root.querySelector(`[data-focus="${CSS.escape(k)}"]`);
      if (!target) { continue; }
      target.focus({ preventScroll: true });
      if (document.activeElement !== target) { continue; }
      if (k === key && selection && typeof target.setSelectionRange === "function") {
        try { target.setSelectionRange(selection[0], selection[1]); } catch (e) { /* not a text field */ }
      }
      return;
    }
  }

  // Keyed list update: unchanged items keep their element, so a re-render only touches what changed.
  function reconcile(list, items, cache, keyOf, signatureOf, build) {
    const wanted = new Set();
    const nodes = items.map((item) => {
      const key = keyOf(item);
      const signature = signatureOf(item);
      wanted.add(key);
      let entry = cache.get(key);
      if (!entry || entry.signature !== signature) {
        const node = build(item);
        if (entry && entry.node.parentNode === list) { list.replaceChild(node, entry.node); }
        entry = { node, signature };
        cache.set(key, entry);
      }
      return entry.node;
    });
    for (const [key, entry] of cache) {
      if (!wanted.has(key)) { entry.node.remove(); cache.delete(key); }
    }
    nodes.forEach((node, i) => {
      if (list.children[i] !== node) { list.insertBefore(node, list.children[i] || null); }
    });
  }

  // ---------- connection ----------

  const connection = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/live")
    .withAutomaticReconnect([0, 2000, 5000, 10000, 20000, 30000])
    .withStatefulReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();

  let connectionId = null;
  let retryTimer = null;
  let leaving = false;
  let holding = 0;
  const held = [];
  let syncing = false;
  let syncAgain = false;

  function setStatus(kind) {
    if (!statusEl) { return; }
    statusEl.setAttribute("data-state", kind);
    setText(statusEl, t(kind));
  }

  async function start() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (leaving || connection.state !== signalR.HubConnectionState.Disconnected) { return; }
    setStatus(state.ready ? "reconnecting" : "connecting");
    try {
      await connection.start();
    } catch (err) {
      setStatus("offline");
      retryTimer = setTimeout(start, RETRY_EVERY_MS);
      return;
    }
    connectionId = connection.connectionId;
    await join();
  }

  async function join() {
    if (connection.state !== signalR.HubConnectionState.Connected) { return; }
    holding++;
    try {
      const snapshot = await call("Join");
      if (!snapshot || snapshot.sessionId !== sessionId) { throw new Error("Join returned no snapshot of this room."); }
      applySnapshot(snapshot, true);
      showError($("room-error"), "");
      setStatus("live");
      afterJoin();
    } catch (err) {
      const problem = hubError(err);
      showError($("room-error"), t("joinFailed", problem.text));
      // No such room, or no place in it, does not change by waiting; anything else may.
      if (problem.code !== "not-found" && problem.code !== "forbidden") {
        clearTimeout(retryTimer);
        retryTimer = setTimeout(join, RETRY_EVERY_MS);
      }
    } finally {
      release();
    }
  }

  async function sync() {
    if (!state.ready || connection.state !== signalR.HubConnectionState.Connected) { return; }
    if (syncing) { syncAgain = true; return; }
    syncing = true;
    holding++;
    let rejoin = false;
    try {
      const snapshot = await call("Sync", state.version);
      if (snapshot) { applySnapshot(snapshot, false); }
    } catch (err) {
      rejoin = hubError(err).code === "not-joined";
    } finally {
      syncing = false;
      release();
    }
    if (rejoin) { await join(); } else if (syncAgain) { syncAgain = false; sync(); }
  }

  // Events that arrive while a snapshot is on its way wait for it, then go through the usual version check.
  function release() {
    holding--;
    if (holding > 0 || held.length === 0) { return; }
    const waiting = held.splice(0).sort((a, b) => a.version - b.version);
    for (const e of waiting) { versioned(sessionId, e.version, e.apply); }
  }

  function versioned(sid, version, apply) {
    if (sid !== sessionId) { return; }
    if (!state.ready || holding > 0) { held.push({ version, apply }); return; }
    if (version <= state.version) { return; }
    if (version !== state.version + 1) { sync(); return; }
    state.version = version;
    apply();
  }

  function afterJoin() {
    if (ui.hand) { call("RaiseHand", true).catch(() => { ui.hand = false; renderHand(); }); }
    if (ui.notesDirty) { sendNotes(); }
    refreshParticipantsSoon();
  }

  connection.onreconnecting(() => setStatus("reconnecting"));
  connection.onreconnected(async (id) => {
    // A new connection id is a new connection, not yet in the room (Sync alone would not add it to the room's
    // group), so it joins again, which also brings a fresh snapshot; the same id only needs Sync.
    if (id !== connectionId) {
      connectionId = id;
      await join();
    } else {
      setStatus("live");
      await sync();
      afterJoin();
    }
  });
  connection.onclose(() => {
    if (leaving) { return; }
    setStatus("offline");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(start, RETRY_EVERY_MS);
  });

  connection.on("SlideChanged", (sid, version, slide) => versioned(sid, version, () => {
    state.slide = slide;
    renderSlide();
  }));
  connection.on("NotesChanged", (sid, version, notes) => versioned(sid, version, () => {
    state.notes = notes || "";
    renderNotes();
  }));
  connection.on("QuestionChanged", (sid, version, question) => versioned(sid, version, () => {
    mergeQuestion(question);
    renderQuestions();
  }));
  // Coalesced counts: question votes, and the polls whose counts changed (to trainees, revealed polls only).
  connection.on("VotesChanged", (sid, version, counts, polls) => versioned(sid, version, () => {
    for (const count of counts || []) {
      const question = state.questions.get(count.questionId);
      if (question) { question.votes = count.votes; }
    }
    for (const poll of polls || []) { state.polls.set(poll.id, poll); }
    renderQuestions();
    if (polls && polls.length) { renderPolls(); }
  }));
  connection.on("PollChanged", (sid, version, poll) => versioned(sid, version, () => {
    state.polls.set(poll.id, poll);
    renderPolls();
  }));
  connection.on("ChatReceived", (sid, version, message) => versioned(sid, version, () => {
    addChat(message);
    renderChat();
  }));
  connection.on("ChatDeleted", (sid, version, messageId) => versioned(sid, version, () => {
    state.chat = state.chat.filter((m) => m.id !== messageId);
    renderChat();
  }));
  connection.on("SessionChanged", (sid, version, session) => versioned(sid, version, () => {
    state.session = session;
    renderSession();
    renderSlide();
    renderQuestions();
  }));
  connection.on("PresenceChanged", (sid, count) => {
    if (sid !== sessionId) { return; }
    state.participants = count;
    renderCount();
    refreshParticipantsSoon();
  });
  connection.on("HandChanged", (sid, person) => {
    if (sid !== sessionId || !person) { return; }
    const i = ui.people.findIndex((p) => p.userId === person.userId);
    if (i >= 0) { ui.people[i] = person; } else { ui.people.push(person); }
    if (person.handRaised) { setText($("participants-news"), t("handRaisedBy", person.name)); }
    renderParticipants();
    refreshParticipantsSoon();
  });
  connection.on("MutedChanged", (sid, muted) => {
    if (sid !== sessionId) { return; }
    state.muted = !!muted;
    renderChatForm();
  });

  // ---------- state ----------

  function applySnapshot(snapshot, fromJoin) {
    if (!snapshot || snapshot.sessionId !== sessionId) { return; }
    if (!fromJoin && state.ready && snapshot.version < state.version) { return; }
    const previous = state.questions;
    const keptMine = state.mine;
    state.version = snapshot.version;
    state.session = snapshot.session;
    state.role = snapshot.role || state.role;
    state.slide = snapshot.slide;
    state.notes = snapshot.notes || "";
    state.mine = new Set(keptMine);
    state.questions = new Map();
    for (const question of snapshot.questions || []) {
      if (question.mine) { state.mine.add(question.id); }
    }
    for (const question of snapshot.questions || []) { mergeQuestion(question, previous); }
    state.polls = new Map((snapshot.polls || []).map((p) => [p.id, p]));
    state.chat = [];
    for (const message of snapshot.chat || []) { addChat(message); }
    state.myVotes = new Set(snapshot.myVotes || []);
    state.myPollVotes = new Map(Object.entries(snapshot.myPollVotes || {}).map(([id, choices]) => [Number(id), choices]));
    state.muted = !!snapshot.muted;
    state.participants = snapshot.participants || 0;
    state.ready = true;
    renderAll();
  }

  // Events carry mine: false and, to trainees, no text for a pending question; its author keeps what they know.
  function mergeQuestion(question, previous) {
    const old = (previous || state.questions).get(question.id);
    const copy = Object.assign({}, question);
    if (question.mine) { state.mine.add(question.id); }
    if (state.mine.has(question.id) && old) {
      if (copy.text == null) { copy.text = old.text; }
      if (copy.author == null) { copy.author = old.author; }
    }
    copy.mine = state.mine.has(question.id);
    state.questions.set(question.id, copy);
  }

  function addChat(message) {
    if (!message || state.chat.some((m) => m.id === message.id)) { return; }
    state.chat.push(message);
    state.chat.sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : a.id - b.id));
    if (state.chat.length > CHAT_KEPT) { state.chat.splice(0, state.chat.length - CHAT_KEPT); }
  }

  // ---------- rendering ----------

  function renderAll() {
    renderSession();
    renderCount();
    renderHand();
    renderSlide();
    renderNotes();
    renderQuestions();
    renderPolls();
    renderChat();
    renderChatForm();
  }

  function renderSession() {
    const session = state.session;
    if (!session) { return; }
    setText($("room-title"), session.title);
    renderTimes(session);
    const av = $("room-av");
    const link = $("room-av-link");
    if (av && link) {
      const safe = session.avLink && /^https?:\/\//i.test(session.avLink) ? session.avLink : null;
      av.hidden = !safe;
      if (safe) { link.href = safe; }
    }
    const status = session.status;
    root.classList.toggle("is-cancelled", status === "cancelled");
    root.classList.toggle("is-ended", status === "ended");
    setHidden("room-cancelled", status !== "cancelled");
    setHidden("room-archive", status !== "ended");
    setHidden("room-scheduled", status !== "scheduled");
    setHidden("ask-premoderation", !session.premoderation);
  }

  // The page shows the times as the server formatted them; only a rescheduled session is written again here.
  function renderTimes(session) {
    const times = $("room-times");
    const starts = parseUtc(session.startsAt);
    const ends = parseUtc(session.endsAt);
    if (!times || !starts || !ends) { return; }
    const shownStarts = parseUtc(times.getAttribute("data-starts"));
    const shownEnds = parseUtc(times.getAttribute("data-ends"));
    if (shownStarts && shownEnds && shownStarts.getTime() === starts.getTime() && shownEnds.getTime() === ends.getTime()) { return; }
    times.setAttribute("data-starts", session.startsAt);
    times.setAttribute("data-ends", session.endsAt);
    setText(times, span(starts, ends, zone));
    const organiser = $("room-organiser-times");
    const organiserZone = session.organiserTimeZone;
    if (organiser) {
      organiser.hidden = !organiserZone || organiserZone === zone;
      if (!organiser.hidden) { setText(organiser, t("organiserTime", span(starts, ends, organiserZone))); }
    }
  }

  function span(starts, ends, inZone) {
    const full = formatter({ dateStyle: "long", timeStyle: "short" }, inZone);
    const day = formatter({ dateStyle: "short" }, inZone);
    const end = day.format(starts) === day.format(ends) ? formatter({ timeStyle: "short" }, inZone).format(ends) : full.format(ends);
    return `${full.format(starts)} – ${end} (${inZone})`;
  }

  function setHidden(id, hidden) {
    const node = $(id);
    if (node) { node.hidden = hidden; }
  }

  function renderCount() {
    setText($("room-count"), t("connected", state.participants));
  }

  function renderHand() {
    const hand = $("room-hand");
    if (!hand) { return; }
    hand.setAttribute("aria-pressed", ui.hand ? "true" : "false");
    setText(hand, ui.hand ? t("lowerHand") : t("raiseHand"));
  }

  // --- slides ---

  function deck() {
    const d = state.session && state.session.deck;
    if (!d || d.kind === "none") { return { kind: "none", count: 0, slides: [] }; }
    const slides = d.slides || [];
    return { kind: d.kind, count: d.kind === "markdown" ? slides.length : d.count || 0, slides };
  }

  const clamp = (n, count) => Math.min(Math.max(1, n || 1), Math.max(1, count));

  function renderSlide() {
    const stage = $("slide-stage");
    if (!stage || !state.session) { return; }
    const d = deck();
    const live = clamp(state.slide, d.count);
    if (isStaff() || ui.viewSlide === live) { ui.viewSlide = null; }
    const shown = ui.viewSlide == null ? live : clamp(ui.viewSlide, d.count);
    const position = $("slide-position");

    setHidden("slide-nav", d.count === 0);
    if (d.count === 0) {
      setText(position, "");
      if (ui.shownSlideKey !== "none") {
        ui.shownSlideKey = "none";
        stage.replaceChildren(el("p", { class: "meta", text: t("noSlides") }));
      }
      return;
    }

    setText(position, shown === live ? t("slideOf", shown, d.count) : t("slideOfBrowsing", shown, d.count, live));
    const prev = $("slide-prev");
    const next = $("slide-next");
    if (prev) { prev.disabled = shown <= 1; }
    if (next) { next.disabled = shown >= d.count; }
    setHidden("slide-live", isStaff() || shown === live);
    const goTo = $("slide-goto-number");
    if (goTo) { goTo.max = String(d.count); }

    // The slides' own HTML changes only with the deck; a key per slide avoids reloading an image on every event.
    const key = [d.kind, shown, d.count, ui.textOnly, d.kind === "markdown" ? d.slides[shown - 1] : ""].join("\u0000");
    if (key === ui.shownSlideKey) { return; }
    ui.shownSlideKey = key;

    if (d.kind === "pdf") {
      if (ui.textOnly) {
        stage.replaceChildren(el("p", { class: "meta slide-placeholder", text: t("imageHidden", shown, d.count) }));
      } else {
        stage.replaceChildren(el("img", {
          src: `${slideUrl}${shown}`, alt: t("slideOf", shown, d.count),
          width: 1280, height: 720, loading: "lazy", decoding: "async",
        }));
      }
      return;
    }

    // A template's content is inert: its images are not fetched until adopted, so text-only mode can drop them.
    const template = document.createElement("template");
    template.innerHTML = d.slides[shown - 1] || "";
    for (const img of template.content.querySelectorAll("img, picture, video, audio, iframe")) {
      if (ui.textOnly) {
        const alt = img.getAttribute("alt");
        img.replaceWith(alt ? el("span", { class: "meta", text: `[${alt}]` }) : document.createTextNode(""));
      } else if (img.tagName === "IMG") {
        img.setAttribute("loading", "lazy");
        img.setAttribute("decoding", "async");
      }
    }
    stage.replaceChildren(template.content);
  }

  function browse(delta) {
    const d = deck();
    if (d.count === 0) { return; }
    const live = clamp(state.slide, d.count);
    if (isStaff()) {
      goToSlide(clamp(live + delta, d.count));
      return;
    }
    const from = ui.viewSlide == null ? live : ui.viewSlide;
    ui.viewSlide = clamp(from + delta, d.count);
    renderSlide();
  }

  function goToSlide(n) {
    run(null, $("slide-error"), () => call("GoToSlide", n));
  }

  // --- notes ---

  let notesTimer = null;

  function renderNotes() {
    const input = $("notes-input");
    if (input) {
      if (!ui.notesDirty && input.value !== state.notes) {
        const focused = document.activeElement === input;
        const [a, b] = [input.selectionStart, input.selectionEnd];
        input.value = state.notes;
        if (focused) { input.setSelectionRange(Math.min(a, input.value.length), Math.min(b, input.value.length)); }
      }
      return;
    }
    const text = $("notes-text");
    if (text) {
      setText(text, state.notes || t("noNotes"));
      text.classList.toggle("meta", !state.notes);
    }
  }

  async function sendNotes() {
    const input = $("notes-input");
    if (!input) { return; }
    clearTimeout(notesTimer);
    const text = input.value;
    setText($("notes-state"), t("saving"));
    try {
      await call("SetNotes", text);
      if (input.value === text) { ui.notesDirty = false; }
      setText($("notes-state"), t("saved"));
      showError($("notes-error"), "");
    } catch (err) {
      setText($("notes-state"), "");
      showError($("notes-error"), hubError(err).text);
    }
  }

  // --- questions ---

  const questionNodes = new Map();

  function visibleQuestion(q) {
    if (q.status === "withdrawn") { return false; }
    if (q.status === "dismissed") { return q.mine && q.text != null; }
    if (isStaff()) { return true; }
    return q.text != null && (q.status !== "pending" || q.mine);
  }

  function questionOrder(a, b) {
    if (a.pinned !== b.pinned) { return a.pinned ? -1 : 1; }
    if (a.votes !== b.votes) { return b.votes - a.votes; }
    if (a.askedAt !== b.askedAt) { return a.askedAt < b.askedAt ? -1 : 1; }
    return a.id - b.id;
  }

  function renderQuestions() {
    const list = $("questions");
    if (!list) { return; }
    const items = [...state.questions.values()].filter(visibleQuestion).sort(questionOrder);
    keepFocus(() => reconcile(list, items, questionNodes, (q) => q.id, questionSignature, buildQuestion));
    setHidden("questions-empty", items.length > 0);
  }

  function questionSignature(q) {
    const editing = ui.editing && ui.editing.id === q.id ? ui.editing.kind : "";
    return JSON.stringify([q, isStaff(), state.myVotes.has(q.id), editing, ui.questionErrors.get(q.id) || "", state.session && state.session.status]);
  }

  // A translated sentence with a person's name in it: the name is isolated (<bdi>), so an Arabic name does not
  // turn an English sentence right to left, nor a Latin name an Arabic one.
  function withName(key, name) {
    const parts = t(key).split("{0}");
    const span = el("span", {});
    parts.forEach((part, i) => {
      if (i > 0) { span.append(el("bdi", { text: name })); }
      if (part) { span.append(part); }
    });
    return span;
  }

  function questionAuthor(q) {
    if (q.mine) { return el("span", { text: q.anonymous ? t("youAnonymous") : t("you") }); }
    if (q.anonymous) { return q.author ? withName("anonymousTo", q.author) : el("span", { text: t("anonymous") }); }
    return q.author ? el("bdi", { text: q.author }) : el("span", { text: t("anonymous") });
  }

  function buildQuestion(q) {
    const staff = isStaff();
    const li = el("li", { class: "room-item question-item" + (q.pinned ? " is-pinned" : ""), tabindex: "-1", "data-id": q.id, "data-focus": `q|${q.id}` });
    const meta = el("p", { class: "meta" },
      questionAuthor(q), " · ", timeEl(q.askedAt));
    if (q.pinned) { meta.append(" ", el("span", { class: "tag", text: t("pinned") })); }
    const label = { pending: t("pending"), answered: q.answeredLive ? t("answeredLive") : t("answered"), dismissed: t("dismissed") }[q.status];
    if (label) { meta.append(" ", el("span", { class: `tag status-${q.status}`, text: label })); }
    li.append(meta);

    const editing = ui.editing && ui.editing.id === q.id ? ui.editing : null;
    if (editing && editing.kind === "edit") {
      li.append(textForm(q.id, "edit", t("editQuestion"), 500, t("save")));
    } else {
      li.append(el("p", { class: "question-text", dir: "auto", text: q.text == null ? t("pendingHidden") : q.text }));
    }
    if (q.answer) {
      li.append(el("div", { class: "answer" },
        el("p", { class: "meta", text: t("writtenAnswer") }),
        el("p", { class: "answer-text", dir: "auto", text: q.answer })));
    }

    const actions = el("div", { class: "actions room-act" });
    const votes = el("span", { class: "votes", text: t("votes", q.votes || 0) });
    actions.append(votes);
    if (!staff && !q.mine && (q.status === "open" || q.status === "answered")) {
      const voted = state.myVotes.has(q.id);
      actions.append(button(voted ? t("upvoted") : t("upvote"), "upvote", {
        "aria-pressed": voted ? "true" : "false", disabled: voted, "data-focus": `q|${q.id}|upvote`,
      }));
    }
    if (q.mine && (q.status === "pending" || q.status === "open") && !editing) {
      actions.append(button(t("edit"), "edit", { "data-focus": `q|${q.id}|edit` }));
      actions.append(button(t("withdraw"), "withdraw", { "data-focus": `q|${q.id}|withdraw` }));
    }
    if (staff) {
      if (q.status === "pending") { actions.append(button(t("approve"), "approve", { "data-focus": `q|${q.id}|approve` })); }
      if (q.status === "open" || q.status === "answered") {
        actions.append(q.pinned
          ? button(t("unpin"), "unpin", { "data-focus": `q|${q.id}|unpin` })
          : button(t("pin"), "pin", { "data-focus": `q|${q.id}|pin` }));
      }
      if (q.status === "open") {
        actions.append(button(t("answeredLive"), "answered-live", { "data-focus": `q|${q.id}|answered-live` }));
        if (!editing) { actions.append(button(t("answerInWriting"), "answer", { "data-focus": `q|${q.id}|answer` })); }
      }
      if (q.status === "pending" || q.status === "open") {
        actions.append(button(t("dismiss"), "dismiss", { class: "secondary small danger-text", "data-focus": `q|${q.id}|dismiss` }));
      }
    }
    li.append(actions);
    if (editing && editing.kind === "answer") {
      li.append(textForm(q.id, "answer", t("writtenAnswer"), 2000, t("sendAnswer")));
    }
    const error = ui.questionErrors.get(q.id);
    li.append(el("p", { class: "field-error", role: "alert", id: `q-${q.id}-error`, hidden: !error, text: error || "" }));
    return li;
  }

  // The inline edit and answer forms are built from ui.editing.draft, so a re-render keeps what was typed.
  function textForm(id, kind, label, max, submitLabel) {
    const fieldId = `q-${id}-${kind}-text`;
    const textarea = el("textarea", {
      id: fieldId, rows: 3, maxlength: max, required: true, dir: "auto",
      "data-focus": `q|${id}|${kind}-text`, "aria-describedby": `q-${id}-error`,
    });
    textarea.value = ui.editing.draft;
    return el("form", { class: "room-form room-act", "data-kind": kind, "data-id": id },
      el("label", { for: fieldId, text: label }),
      textarea,
      el("div", { class: "actions" },
        el("button", { type: "submit", class: "small", text: submitLabel, "data-focus": `q|${id}|${kind}-submit` }),
        button(t("cancel"), "cancel", { "data-focus": `q|${id}|${kind}-cancel` })));
  }

  function setQuestionError(id, text) {
    if (text) { ui.questionErrors.set(id, text); } else { ui.questionErrors.delete(id); }
  }

  async function questionAction(id, action) {
    const q = state.questions.get(id);
    if (!q) { return; }
    if (action === "edit" || action === "answer") {
      ui.editing = { id, kind: action, draft: action === "edit" ? q.text || "" : q.answer || "" };
      renderQuestions();
      const field = $(`q-${id}-${action}-text`);
      if (field) { field.focus(); }
      return;
    }
    if (action === "cancel") {
      const kind = ui.editing && ui.editing.kind;
      ui.editing = null;
      renderQuestions();
      const back = root.querySelector(`[data-focus="q|${id}|${kind}"]`);
      if (back) { back.focus(); }
      return;
    }
    if (action === "withdraw" && !window.confirm(t("confirmWithdraw"))) { return; }
    if (action === "upvote") {
      // Disabled at once, so a second press cannot send a second call while the first is on its way.
      state.myVotes.add(id);
      renderQuestions();
    }
    try {
      if (action === "upvote") {
        await call("Upvote", id);
      } else if (action === "withdraw") {
        await call("WithdrawQuestion", id);
      } else {
        await call("ModerateQuestion", id, action);
      }
      setQuestionError(id, "");
    } catch (err) {
      if (action === "upvote") { state.myVotes.delete(id); }
      const problem = hubError(err);
      setQuestionError(id, problem.text);
      if (problem.code === "not-joined") { join(); }
    }
    renderQuestions();
  }

  async function submitQuestionForm(form) {
    const id = Number(form.getAttribute("data-id"));
    const kind = form.getAttribute("data-kind");
    const text = form.querySelector("textarea").value.trim();
    if (!text) { setQuestionError(id, t("emptyText")); renderQuestions(); return; }
    const problem = await run(form, null, async () => {
      if (kind === "edit") {
        const updated = await call("EditQuestion", id, text);
        if (updated) { mergeQuestion(updated); }
      } else {
        await call("AnswerQuestion", id, text);
      }
    });
    // The error goes into ui, not straight into the page, so that it survives the item being rebuilt.
    if (problem) {
      setQuestionError(id, problem.text);
    } else {
      ui.editing = null;
      setQuestionError(id, "");
    }
    renderQuestions();
  }

  // --- polls ---

  const pollNodes = new Map();

  function pollOrder(a, b) {
    if (a.status !== b.status) { return a.status === "open" ? -1 : 1; }
    return a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : b.id - a.id;
  }

  function renderPolls() {
    const list = $("polls");
    if (!list) { return; }
    const items = [...state.polls.values()].sort(pollOrder);
    keepFocus(() => reconcile(list, items, pollNodes, (p) => p.id, pollSignature, buildPoll));
    setHidden("polls-empty", items.length > 0);
  }

  function pollSignature(p) {
    return JSON.stringify([p, isStaff(), state.myPollVotes.get(p.id) || null, ui.pollErrors.get(p.id) || "", state.session && state.session.status]);
  }

  function buildPoll(p) {
    const staff = isStaff();
    const mine = state.myPollVotes.get(p.id);
    const li = el("li", { class: "room-item poll-item", "data-id": p.id, tabindex: "-1", "data-focus": `p|${p.id}` });
    const headingId = `poll-${p.id}-question`;
    li.append(el("h3", { id: headingId, dir: "auto", text: p.question }));
    const facts = [];
    if (p.multiple) { facts.push(t("severalChoices")); }
    if (staff) { facts.push(p.revealed ? t("resultsShown") : t("resultsHidden")); }
    if (p.voters != null) { facts.push(t("voters", p.voters)); }
    li.append(el("p", { class: "meta" },
      el("span", { class: `tag status-${p.status}`, text: p.status === "open" ? t("pollOpen") : t("pollClosed") }), " ", facts.join(" · ")));

    if (!staff && p.status === "open" && !mine) {
      const draft = ui.pollDrafts.get(p.id) || new Set();
      const fieldset = el("fieldset", { class: "poll-choices" }, el("legend", { class: "visually-hidden", text: p.question }));
      p.options.forEach((option, i) => {
        const input = el("input", {
          type: p.multiple ? "checkbox" : "radio", name: `poll-${p.id}`, value: i, id: `poll-${p.id}-option-${i}`,
          "data-focus": `p|${p.id}|option|${i}`,
        });
        input.checked = draft.has(i);
        fieldset.append(el("label", { class: "option", for: `poll-${p.id}-option-${i}` }, input, " ", el("span", { dir: "auto", text: option })));
      });
      li.append(el("form", { class: "room-form room-act poll-vote", "data-id": p.id, "aria-labelledby": headingId },
        fieldset,
        el("button", { type: "submit", class: "small", text: t("vote"), "data-focus": `p|${p.id}|vote` })));
    }
    if (mine && mine.length) {
      li.append(el("p", { class: "done", dir: "auto", text: t("youVoted", mine.map((i) => p.options[i]).join(", ")) }));
    }
    if (p.counts) {
      const results = el("ul", { class: "poll-results", "aria-label": t("results") });
      const total = p.voters != null ? p.voters : p.counts.reduce((sum, n) => sum + n, 0);
      p.options.forEach((option, i) => {
        const count = p.counts[i] || 0;
        const percent = total > 0 ? Math.round((count * 100) / total) : 0;
        const fill = el("span");
        fill.style.inlineSize = `${percent}%`;
        results.append(el("li", {},
          el("span", { class: "poll-option", dir: "auto", text: option }),
          el("span", { class: "poll-bar", "aria-hidden": "true" }, fill),
          el("span", { class: "meta", text: t("votesPercent", count, percent) })));
      });
      li.append(results);
    } else if (!staff) {
      li.append(el("p", { class: "meta", text: t("resultsLater") }));
    }
    if (staff) {
      const actions = el("div", { class: "actions room-act" });
      if (!p.revealed) { actions.append(button(t("reveal"), "reveal", { "data-focus": `p|${p.id}|reveal` })); }
      if (p.status === "open") { actions.append(button(t("closePoll"), "close", { "data-focus": `p|${p.id}|close` })); }
      if (actions.children.length) { li.append(actions); }
    }
    const error = ui.pollErrors.get(p.id);
    li.append(el("p", { class: "field-error", role: "alert", hidden: !error, text: error || "" }));
    return li;
  }

  function setPollError(id, text) {
    if (text) { ui.pollErrors.set(id, text); } else { ui.pollErrors.delete(id); }
  }

  async function pollAction(id, work, onSuccess) {
    try {
      await work();
      setPollError(id, "");
      if (onSuccess) { onSuccess(); }
    } catch (err) {
      const problem = hubError(err);
      setPollError(id, problem.text);
      if (problem.code === "not-joined") { join(); }
    }
    renderPolls();
  }

  function optionRows() {
    const list = $("poll-options");
    return list ? [...list.children] : [];
  }

  function renumberOptions() {
    const rows = optionRows();
    rows.forEach((row, i) => {
      const input = row.querySelector("input");
      const label = row.querySelector("label");
      const remove = row.querySelector("button");
      input.id = `poll-option-${i + 1}`;
      input.setAttribute("data-focus", `poll-option|${i + 1}`);
      label.setAttribute("for", input.id);
      setText(label, t("option", i + 1));
      if (remove) {
        remove.hidden = rows.length <= 2;
        remove.setAttribute("aria-label", t("removeOption", i + 1));
      }
    });
    const add = $("poll-add-option");
    if (add) { add.disabled = rows.length >= 10; }
  }

  function addOptionRow() {
    const list = $("poll-options");
    if (!list || list.children.length >= 10) { return null; }
    const input = el("input", { type: "text", maxlength: 120, dir: "auto", "aria-describedby": "poll-error" });
    const row = el("li", { class: "poll-option-row" },
      el("label"), input, button("×", "remove-option", { class: "secondary small" }));
    list.append(row);
    renumberOptions();
    return input;
  }

  // --- chat ---

  const chatNodes = new Map();

  function renderChat() {
    const log = $("chat-log");
    if (!log) { return; }
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    keepFocus(() => reconcile(log, state.chat, chatNodes, (m) => m.id, chatSignature, buildChat));
    setHidden("chat-empty", state.chat.length > 0);
    if (atEnd) { log.scrollTop = log.scrollHeight; }
  }

  function chatSignature(m) {
    return JSON.stringify([isStaff(), m.authorId ? ui.mutedUsers.has(m.authorId) : false]);
  }

  function buildChat(m) {
    const li = el("li", { class: "chat-message" + (m.staff ? " is-staff" : ""), "data-id": m.id });
    const meta = el("p", { class: "meta" }, el("strong", { dir: "auto", text: m.author }));
    if (m.staff) { meta.append(" ", el("span", { class: "tag", text: t("staff") })); }
    meta.append(" · ", timeEl(m.sentAt));
    li.append(meta, el("p", { class: "chat-text", dir: "auto", text: m.text }));
    if (isStaff()) {
      const actions = el("div", { class: "actions room-act" },
        button(t("delete"), "delete", { "data-focus": `c|${m.id}|delete`, "aria-label": t("deleteMessageOf", m.author) }));
      if (m.authorId && !m.staff) {
        const muted = ui.mutedUsers.has(m.authorId);
        actions.append(button(muted ? t("unmute") : t("mute"), "mute", {
          "data-user": m.authorId, "data-muted": muted ? "true" : "false", "data-focus": `c|${m.id}|mute`,
          "aria-label": muted ? t("unmuteName", m.author) : t("muteName", m.author),
        }));
      }
      li.append(actions);
    }
    return li;
  }

  function renderChatForm() {
    const form = $("chat-form");
    if (!form) { return; }
    setHidden("chat-muted", !state.muted);
    for (const control of form.querySelectorAll("input, button")) { control.disabled = state.muted; }
  }

  async function setMuted(userId, muted) {
    if (await run(null, $("moderation-error"), () => call("MuteParticipant", userId, muted))) { return; }
    if (muted) { ui.mutedUsers.add(userId); } else { ui.mutedUsers.delete(userId); }
    renderChat();
    renderParticipants();
  }

  // --- participants (staff) ---

  let participantsTimer = null;
  let participantsAt = 0;

  function refreshParticipantsSoon() {
    if (!isStaff() || !$("participants-list") || participantsTimer) { return; }
    const wait = Math.max(0, participantsAt + PARTICIPANTS_EVERY_MS - Date.now());
    participantsTimer = setTimeout(async () => {
      participantsTimer = null;
      participantsAt = Date.now();
      if (connection.state !== signalR.HubConnectionState.Connected) { return; }
      try {
        ui.people = (await call("GetParticipants")) || [];
        // The server knows who is muted, also by another moderator or before this page was opened.
        for (const p of ui.people) { if (p.muted) { ui.mutedUsers.add(p.userId); } else { ui.mutedUsers.delete(p.userId); } }
        showError($("participants-error"), "");
        renderParticipants();
      } catch (err) {
        showError($("participants-error"), hubError(err).text);
      }
    }, wait);
  }

  const roleNames = { trainee: "roleTrainee", lecturer: "roleLecturer", coordinator: "roleCoordinator", admin: "roleAdmin" };

  function renderParticipants() {
    const list = $("participants-list");
    if (!list) { return; }
    const people = ui.people.slice().sort((a, b) =>
      a.handRaised !== b.handRaised ? (a.handRaised ? -1 : 1) : String(a.name).localeCompare(String(b.name), lang));
    keepFocus(() => {
      list.replaceChildren(...people.map((p) => {
        const li = el("li", { class: "room-item participant" + (p.handRaised ? " has-hand" : "") },
          el("span", { dir: "auto", class: "participant-name", text: p.name }), " ",
          el("span", { class: "meta", text: "· " + t(roleNames[p.role] || "roleTrainee") }));
        if (p.handRaised) { li.append(" ", el("span", { class: "tag hand", text: t("handRaised") })); }
        if (p.connections > 1) { li.append(" ", el("span", { class: "meta", text: t("connections", p.connections) })); }
        if (p.role === "trainee") {
          const muted = ui.mutedUsers.has(p.userId);
          li.append(" ", button(muted ? t("unmute") : t("mute"), "mute", {
            class: "secondary small room-act", "data-user": p.userId, "data-muted": muted ? "true" : "false",
            "data-focus": `person|${p.userId}|mute`, "aria-label": muted ? t("unmuteName", p.name) : t("muteName", p.name),
          }));
        }
        return li;
      }));
    });
    setHidden("participants-empty", people.length > 0);
    const hands = people.filter((p) => p.handRaised).length;
    setText($("participants-hands"), t("handsRaised", hands));
  }

  // ---------- wiring ----------

  function readTextOnly() {
    try {
      const saved = localStorage.getItem(TEXT_ONLY_KEY);
      if (saved !== null) { return saved === "1"; }
    } catch (e) { /* storage blocked: fall through */ }
    return !!(navigator.connection && navigator.connection.saveData);
  }

  function on(id, type, handler) {
    const node = $(id);
    if (node) { node.addEventListener(type, handler); }
    return node;
  }

  const textOnly = $("room-text-only");
  if (textOnly) {
    textOnly.checked = ui.textOnly;
    textOnly.addEventListener("change", () => {
      ui.textOnly = textOnly.checked;
      try { localStorage.setItem(TEXT_ONLY_KEY, ui.textOnly ? "1" : "0"); } catch (e) { /* kept for this page only */ }
      renderSlide();
    });
  }

  on("slide-prev", "click", () => browse(-1));
  on("slide-next", "click", () => browse(1));
  on("slide-live", "click", () => {
    ui.viewSlide = null;
    renderSlide();
    // The button hides itself; the slide it went back to is the natural next place for the focus.
    const stage = $("slide-stage");
    if (stage) { stage.focus(); }
  });
  on("slide-goto", "submit", (e) => {
    e.preventDefault();
    const n = Number($("slide-goto-number").value);
    if (!Number.isInteger(n) || n < 1 || n > deck().count) {
      showError($("slide-error"), t("slideRange", deck().count));
      return;
    }
    const form = e.currentTarget;
    run(form, $("slide-error"), () => call("GoToSlide", n)).then((problem) => { if (!problem) { $("slide-goto-number").value = ""; } });
  });

  on("notes-input", "input", () => {
    ui.notesDirty = true;
    setText($("notes-state"), "");
    clearTimeout(notesTimer);
    notesTimer = setTimeout(sendNotes, NOTES_DEBOUNCE_MS);
  });

  on("room-hand", "click", async () => {
    const raised = !ui.hand;
    ui.hand = raised;
    renderHand();
    if (await run(null, $("hand-error"), () => call("RaiseHand", raised))) {
      ui.hand = !raised;
      renderHand();
    }
  });

  on("ask-form", "submit", async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const field = $("ask-text");
    const text = field.value.trim();
    if (!text) { showError($("ask-error"), t("emptyText")); field.focus(); return; }
    await run(form, $("ask-error"), async () => {
      const question = await call("Ask", text, $("ask-anonymous").checked);
      if (question) {
        state.mine.add(question.id);
        mergeQuestion(question);
      }
      field.value = "";
      renderQuestions();
    });
  });

  const questions = $("questions");
  if (questions) {
    questions.addEventListener("click", (e) => {
      const target = e.target.closest("button[data-action]");
      const item = target && target.closest("li[data-id]");
      if (!item) { return; }
      questionAction(Number(item.getAttribute("data-id")), target.getAttribute("data-action"));
    });
    questions.addEventListener("input", (e) => {
      if (ui.editing && e.target.tagName === "TEXTAREA") { ui.editing.draft = e.target.value; }
    });
    questions.addEventListener("submit", (e) => {
      e.preventDefault();
      submitQuestionForm(e.target);
    });
  }

  on("poll-form", "submit", async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const question = $("poll-question").value.trim();
    const options = optionRows().map((row) => row.querySelector("input").value.trim()).filter((o) => o.length > 0);
    if (!question) { showError($("poll-error"), t("pollNeedsQuestion")); $("poll-question").focus(); return; }
    if (options.length < 2 || options.length > 10) { showError($("poll-error"), t("pollNeedsOptions")); return; }
    await run(form, $("poll-error"), async () => {
      const poll = await call("OpenPoll", question, options, $("poll-multiple").checked);
      if (poll) { state.polls.set(poll.id, poll); }
      form.reset();
      while (optionRows().length > 2) { optionRows()[optionRows().length - 1].remove(); }
      renumberOptions();
      renderPolls();
    });
  });
  on("poll-add-option", "click", () => {
    const input = addOptionRow();
    if (input) { input.focus(); }
  });
  on("poll-options", "click", (e) => {
    const remove = e.target.closest("button[data-action=remove-option]");
    if (!remove || optionRows().length <= 2) { return; }
    const row = remove.closest("li");
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumberOptions();
    if (next) { next.querySelector("input").focus(); }
  });
  renumberOptions();

  const polls = $("polls");
  if (polls) {
    polls.addEventListener("change", (e) => {
      const form = e.target.closest("form.poll-vote");
      if (!form) { return; }
      const id = Number(form.getAttribute("data-id"));
      ui.pollDrafts.set(id, new Set([...form.querySelectorAll("input:checked")].map((i) => Number(i.value))));
    });
    polls.addEventListener("submit", (e) => {
      e.preventDefault();
      const form = e.target;
      const id = Number(form.getAttribute("data-id"));
      const choices = [...form.querySelectorAll("input:checked")].map((i) => Number(i.value));
      if (choices.length === 0) { setPollError(id, t("pollChoose")); renderPolls(); return; }
      const submit = form.querySelector("[type=submit]");
      if (submit) { submit.disabled = true; }
      pollAction(id, () => call("VotePoll", id, choices), () => {
        state.myPollVotes.set(id, choices);
        ui.pollDrafts.delete(id);
      }).finally(() => { if (submit && submit.isConnected) { submit.disabled = false; } });
    });
    polls.addEventListener("click", (e) => {
      const target = e.target.closest("button[data-action]");
      const item = target && target.closest("li[data-id]");
      if (!item) { return; }
      const id = Number(item.getAttribute("data-id"));
      const action = target.getAttribute("data-action");
      if (action === "reveal") { pollAction(id, () => call("RevealPoll", id)); }
      if (action === "close") { pollAction(id, () => call("ClosePoll", id)); }
    });
  }

  on("chat-form", "submit", async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const field = $("chat-text");
    const text = field.value.trim();
    if (!text) { field.focus(); return; }
    await run(form, $("chat-error"), async () => {
      const message = await call("SendChat", text);
      field.value = "";
      if (message) { addChat(message); renderChat(); }
      const log = $("chat-log");
      if (log) { log.scrollTop = log.scrollHeight; }
    });
    field.focus();
  });

  function moderationClick(e) {
    const target = e.target.closest("button[data-action]");
    if (!target) { return; }
    const action = target.getAttribute("data-action");
    if (action === "mute") {
      setMuted(target.getAttribute("data-user"), target.getAttribute("data-muted") !== "true");
    } else if (action === "delete") {
      const item = target.closest("li[data-id]");
      if (item) { run(null, $("moderation-error"), () => call("DeleteChat", Number(item.getAttribute("data-id")))); }
    }
  }
  on("chat-log", "click", moderationClick);
  on("participants-list", "click", moderationClick);

  setInterval(sync, SYNC_EVERY_MS);
  window.addEventListener("online", () => {
    if (connection.state === signalR.HubConnectionState.Disconnected) { start(); }
  });
  window.addEventListener("pagehide", (e) => {
    if (e.persisted) { leaving = true; connection.stop(); }
  });
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) { leaving = false; start(); }
  });

  const live = $("room-live");
  if (live) { live.hidden = false; }
  renderHand();
  start();
})();

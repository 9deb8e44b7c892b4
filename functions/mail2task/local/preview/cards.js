// Renders google.apps.card.v1 card JSON as HTML and reads its form values back as event formInputs.

// Glyphs every font has (no emoji fonts, no external icon sets).
const KNOWN_ICONS = {
  AIRPLANE: "✈", BOOKMARK: "⚑", CLOCK: "◷", DESCRIPTION: "☰", DOLLAR: "$", EMAIL: "✉", INVITE: "✉",
  MAP_PIN: "⚲", MULTIPLE_PEOPLE: "☺", PERSON: "☺", PHONE: "☎", STAR: "★", STORE: "⌂", TICKET: "▭",
};
const SAFE_TAGS = new Set(["B", "STRONG", "I", "EM", "U", "S", "STRIKE", "BR", "P", "FONT", "A", "UL", "OL", "LI", "SPAN"]);
export const WIDGET_LIMIT = 100;
export const ITEM_LIMIT = 100;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

// The card "simple HTML" subset, rebuilt node by node: anything else becomes its text.
export function safeHtml(text) {
  const source = new DOMParser().parseFromString(`<body>${text ?? ""}</body>`, "text/html").body;
  const fragment = document.createDocumentFragment();
  const copy = (from, to) => {
    for (const node of from.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) { to.append(node.textContent); continue; }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      if (!SAFE_TAGS.has(node.tagName)) { copy(node, to); continue; }
      const clean = document.createElement(node.tagName === "FONT" ? "span" : node.tagName.toLowerCase());
      if (node.tagName === "FONT" && /^#?[0-9a-zA-Z]+$/.test(node.getAttribute("color") || "")) {
        clean.style.color = node.getAttribute("color");
      }
      if (node.tagName === "A") {
        const href = node.getAttribute("href") || "";
        if (/^(https?:|mailto:)/i.test(href)) { clean.href = href; clean.target = "_blank"; clean.rel = "noopener noreferrer"; }
      }
      copy(node, clean);
      to.append(clean);
    }
  };
  copy(source, fragment);
  return fragment;
}

function colorCss(color) {
  if (!color) return null;
  const channel = (v) => Math.round(255 * Math.max(0, Math.min(1, v ?? 0)));
  return `rgba(${channel(color.red)}, ${channel(color.green)}, ${channel(color.blue)}, ${color.alpha ?? 1})`;
}

function icon(spec) {
  if (!spec) return null;
  const glyph = spec.knownIcon ? KNOWN_ICONS[spec.knownIcon] || "•" : spec.materialIcon ? "◆" : "•";
  return el("span", { class: "icon", title: spec.altText || spec.knownIcon || spec.materialIcon?.name || "icon", text: glyph });
}

// A clickable thing: button, decoratedText row, image. ``handlers.onClick(onClick)`` runs it.
function bindClick(node, onClick, handlers) {
  if (!onClick) return node;
  if (onClick.openLink && node.tagName === "A") return node;
  node.addEventListener("click", (event) => { event.preventDefault(); handlers.onClick(onClick); });
  return node;
}

function button(spec, handlers) {
  const classes = ["button", (spec.type || (spec.color ? "FILLED" : "OUTLINED")).toLowerCase().replace("_", "-")];
  const label = [icon(spec.icon), spec.text ? el("span", { text: spec.text }) : null];
  const link = spec.onClick?.openLink;
  const node = link
    ? el("a", { class: classes.join(" "), href: link.url, target: "_blank", rel: "noopener noreferrer", title: spec.altText }, label)
    : el("button", { type: "button", class: classes.join(" "), disabled: !!spec.disabled, title: spec.altText }, label);
  if (spec.color) { node.style.background = colorCss(spec.color); node.style.color = "#fff"; node.style.borderColor = "transparent"; }
  if (link) node.addEventListener("click", (event) => handlers.onOpenLink(link, event));
  return bindClick(node, spec.onClick, handlers);
}

const WIDGETS = {
  textParagraph(w) {
    return el("div", { class: "w-text" }, safeHtml(w.text));
  },
  decoratedText(w, handlers) {
    const body = el("div", { class: "w-decorated-body" },
      w.topLabel ? el("div", { class: "top-label" }, safeHtml(w.topLabel)) : null,
      el("div", { class: w.wrapText === false ? "decorated-text nowrap" : "decorated-text" }, safeHtml(w.text)),
      w.bottomLabel ? el("div", { class: "bottom-label" }, safeHtml(w.bottomLabel)) : null);
    const row = el("div", { class: "w-decorated" + (w.onClick ? " clickable" : "") }, icon(w.startIcon || w.icon), body);
    if (w.button) row.append(button(w.button, handlers));
    if (w.switchControl) {
      const sw = w.switchControl;
      row.append(el("label", { class: "switch" }, el("input", {
        type: "checkbox", checked: !!sw.selected, "data-name": sw.name, "data-kind": "switch", value: sw.value ?? "",
      })));
    }
    if (w.endIcon) row.append(icon(w.endIcon));
    return bindClick(row, w.onClick, handlers);
  },
  textInput(w) {
    const id = `in-${w.name}`;
    const attrs = { id, name: w.name, value: w.value ?? "", placeholder: w.placeholderText || "", "data-name": w.name, "data-kind": "text" };
    const field = w.type === "MULTIPLE_LINE" ? el("textarea", { ...attrs, rows: 4 }) : el("input", { ...attrs, type: "text" });
    return el("div", { class: "w-input" }, el("label", { for: id, text: w.label || w.name }), field,
      w.hintText ? el("div", { class: "hint", text: w.hintText }) : null);
  },
  selectionInput(w) {
    const items = w.items || [];
    const type = w.type || "CHECK_BOX";
    const wrap = el("fieldset", { class: "w-selection", "data-name": w.name, "data-kind": "selection" }, el("legend", { text: w.label || w.name }));
    if (items.length > ITEM_LIMIT) wrap.append(el("div", { class: "limit", text: `${items.length} items: Gmail allows ${ITEM_LIMIT}` }));
    if (type === "DROPDOWN") {
      const select = el("select", { name: w.name, "aria-label": w.label || w.name });
      for (const item of items) select.append(el("option", { value: item.value, text: item.text, selected: !!item.selected }));
      wrap.append(select);
      return wrap;
    }
    const inputType = type === "RADIO_BUTTON" ? "radio" : "checkbox";
    for (const [i, item] of items.entries()) {
      const id = `in-${w.name}-${i}`;
      wrap.append(el("div", { class: type === "SWITCH" ? "option switch-option" : "option" },
        el("input", { type: inputType, id, name: w.name, value: item.value, checked: !!item.selected }),
        el("label", { for: id, text: item.text }),
        item.bottomText ? el("div", { class: "hint", text: item.bottomText }) : null));
    }
    return wrap;
  },
  dateTimePicker(w) {
    const type = w.type || "DATE_AND_TIME";
    const id = `in-${w.name}`;
    const input = el("input", { id, name: w.name, "data-name": w.name, "data-kind": "datetime", "data-type": type,
      type: type === "DATE_ONLY" ? "date" : type === "TIME_ONLY" ? "time" : "datetime-local" });
    if (w.valueMsEpoch !== undefined && w.valueMsEpoch !== null) {
      const offsetMs = (w.timezoneOffsetDate || 0) * 60000;
      const iso = new Date(Number(w.valueMsEpoch) + offsetMs).toISOString();
      input.value = type === "DATE_ONLY" ? iso.slice(0, 10) : type === "TIME_ONLY" ? iso.slice(11, 16) : iso.slice(0, 16);
    }
    return el("div", { class: "w-input" }, el("label", { for: id, text: w.label || w.name }), input);
  },
  buttonList(w, handlers) {
    return el("div", { class: "w-buttons" }, (w.buttons || []).map((b) => button(b, handlers)));
  },
  divider() {
    return el("hr", { class: "w-divider" });
  },
  image(w, handlers) {
    // External images are not loaded (the preview uses no external resources); the alt text stands in.
    return bindClick(el("div", { class: "w-image", text: `[image: ${w.altText || "no description"}]` }), w.onClick, handlers);
  },
  columns(w, handlers) {
    return el("div", { class: "w-columns" }, (w.columnItems || []).map((column) =>
      el("div", { class: "column" }, (column.widgets || []).map((inner) => widget(inner, handlers)))));
  },
  grid(w, handlers) {
    const grid = el("div", { class: "w-grid" });
    grid.style.gridTemplateColumns = `repeat(${w.columnCount || 2}, 1fr)`;
    for (const item of w.items || []) {
      grid.append(bindClick(el("div", { class: "grid-item" }, el("b", { text: item.title || "" }), el("div", { text: item.subtitle || "" })),
        w.onClick && { ...w.onClick, action: w.onClick.action && { ...w.onClick.action, parameters: [...(w.onClick.action.parameters || []), { key: "grid_item_id", value: item.id || "" }] } }, handlers));
    }
    return el("div", {}, w.title ? el("div", { class: "top-label", text: w.title }) : null, grid);
  },
  chipList(w, handlers) {
    return el("div", { class: "w-buttons" }, (w.chips || []).map((chip) => button({ text: chip.label, onClick: chip.onClick, type: "OUTLINED" }, handlers)));
  },
};

function widget(spec, handlers) {
  const kind = Object.keys(WIDGETS).find((name) => name in spec);
  if (!kind) {
    const names = Object.keys(spec).filter((k) => !["horizontalAlignment", "id", "visibility"].includes(k));
    return el("div", { class: "unsupported", text: `[widget not shown in the preview: ${names.join(", ")}]` });
  }
  const node = WIDGETS[kind](spec[kind], handlers);
  node.dataset.widget = kind;
  return node;
}

export function countWidgets(card) {
  return (card.sections || []).reduce((sum, section) => sum + (section.widgets || []).length, 0);
}

// The card as a DOM tree; ``handlers`` = {onClick(onClick), onOpenLink(openLink, clickEvent)}.
export function renderCard(card, handlers) {
  const root = el("div", { class: "card", "data-card-name": card.name || "" });
  if (card.header) {
    const h = card.header;
    root.append(el("div", { class: "card-header" },
      el("div", { class: "avatar", "aria-hidden": "true", text: (h.title || "?").trim().charAt(0).toUpperCase() }),
      el("div", {}, el("div", { class: "card-title" }, safeHtml(h.title)), h.subtitle ? el("div", { class: "card-subtitle" }, safeHtml(h.subtitle)) : null)));
  }
  if (card.cardActions?.length) {
    root.append(el("div", { class: "card-actions" }, card.cardActions.map((a) =>
      button({ text: a.actionLabel, onClick: a.onClick, type: "BORDERLESS" }, handlers))));
  }
  const widgets = countWidgets(card);
  if (widgets > WIDGET_LIMIT) root.append(el("div", { class: "limit", text: `${widgets} widgets: Gmail allows ${WIDGET_LIMIT} per card` }));
  for (const section of card.sections || []) {
    const node = el("section", { class: "card-section" });
    if (section.header) node.append(el("h3", { class: "section-header" }, safeHtml(section.header)));
    const items = (section.widgets || []).map((w) => widget(w, handlers));
    const visible = section.collapsible ? Math.max(0, section.uncollapsibleWidgetsCount || 0) : items.length;
    items.forEach((item, i) => { if (i >= visible) item.hidden = true; node.append(item); });
    if (visible < items.length) {
      const more = el("button", { type: "button", class: "link-button", text: "Show more" });
      more.addEventListener("click", () => { items.forEach((item) => { item.hidden = false; }); more.remove(); });
      node.append(more);
    }
    root.append(node);
  }
  if (card.fixedFooter) {
    const f = card.fixedFooter;
    root.append(el("div", { class: "card-footer" },
      f.secondaryButton ? button(f.secondaryButton, handlers) : null,
      f.primaryButton ? button({ type: "FILLED", ...f.primaryButton }, handlers) : null));
  }
  return root;
}

// The form values of a rendered card in the event's ``formInputs`` shapes (empty inputs are left out).
export function collectInputs(root) {
  const inputs = {};
  for (const node of root.querySelectorAll("[data-kind=text]")) {
    if (node.value !== "") inputs[node.dataset.name] = { stringInputs: { value: [node.value] } };
  }
  for (const node of root.querySelectorAll("[data-kind=switch]")) {
    if (node.checked) inputs[node.dataset.name] = { stringInputs: { value: [node.value] } };
  }
  for (const group of root.querySelectorAll("[data-kind=selection]")) {
    const select = group.querySelector("select");
    const values = select ? (select.value ? [select.value] : []) : [...group.querySelectorAll("input:checked")].map((i) => i.value);
    if (values.length) inputs[group.dataset.name] = { stringInputs: { value: values } };
  }
  for (const node of root.querySelectorAll("[data-kind=datetime]")) {
    if (!node.value) continue;
    const type = node.dataset.type;
    if (type === "DATE_ONLY") {
      const [y, m, d] = node.value.split("-").map(Number);
      inputs[node.dataset.name] = { dateInput: { msSinceEpoch: String(Date.UTC(y, m - 1, d)) } };
    } else if (type === "TIME_ONLY") {
      const [hours, minutes] = node.value.split(":").map(Number);
      inputs[node.dataset.name] = { timeInput: { hours, minutes } };
    } else {
      inputs[node.dataset.name] = { dateTimeInput: { msSinceEpoch: String(Date.parse(`${node.value}:00Z`)), hasDate: true, hasTime: true } };
    }
  }
  return inputs;
}

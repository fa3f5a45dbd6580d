/**
 * The script of the API reference page (/api/docs/docs.js), embedded as a
 * string so a compiled binary carries it without files. It fetches
 * /api/openapi.json and renders each operation — method, path, summary, who
 * may call it, parameters, request and response schemas — with plain DOM
 * calls (no framework, no inline script: it runs under a strict CSP).
 */

/** The page script's source (an ES module). */
export const API_DOCS_SCRIPT = String
  .raw`// JSScada API reference: renders openapi.json with plain DOM calls.
const METHODS = ["get", "post", "put", "patch", "delete"];
const ACCESS = {
  public: "anyone",
  read: "viewer (or anyone, when anonymous read is on)",
  viewer: "any logged-in user (viewer and up)",
  operator: "operator or admin",
  admin: "admin",
};

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function refName(ref) {
  return ref.split("/").pop();
}

function resolve(doc, schema) {
  let s = schema || {};
  for (let i = 0; s.$ref && i < 20; i++) {
    s = doc.components.schemas[refName(s.$ref)] || {};
  }
  return s;
}

function typeText(schema) {
  if (!schema) return "any";
  if (schema.$ref) return refName(schema.$ref);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const alts = schema.anyOf || schema.oneOf;
  if (alts) return alts.map(typeText).join(" | ");
  let t = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type || "any";
  if (t === "array") t = "array of " + typeText(schema.items);
  return t;
}

function notes(schema) {
  const parts = [];
  if (!schema || schema.$ref) return "";
  if (schema.description) parts.push(schema.description);
  if (schema.minimum !== undefined) parts.push("min " + schema.minimum);
  if (schema.exclusiveMinimum !== undefined) parts.push("> " + schema.exclusiveMinimum);
  if (schema.maximum !== undefined) parts.push("max " + schema.maximum);
  if (schema.minLength !== undefined) parts.push("min length " + schema.minLength);
  if (schema.maxLength !== undefined) parts.push("max length " + schema.maxLength);
  if (schema.pattern) parts.push("pattern " + schema.pattern);
  if (schema.default !== undefined) parts.push("default " + JSON.stringify(schema.default));
  if (schema.example !== undefined) parts.push("e.g. " + JSON.stringify(schema.example));
  return parts.join("; ");
}

function schemaView(doc, schema, seen) {
  if (!schema) return el("span", { class: "muted" }, "no body");
  if (schema.$ref) {
    const name = refName(schema.$ref);
    if (seen.has(name)) return el("code", {}, name);
    const next = new Set(seen).add(name);
    return el("details", {}, el("summary", {}, el("code", {}, name)),
      schemaView(doc, resolve(doc, schema), next));
  }
  if (schema.type === "array") {
    return el("div", {}, "array of ", schemaView(doc, schema.items, seen));
  }
  if (schema.properties) {
    const required = new Set(schema.required || []);
    const rows = Object.entries(schema.properties).map(([name, prop]) =>
      el("tr", {},
        el("td", {}, el("code", {}, name), required.has(name) ? " *" : ""),
        el("td", {}, prop.$ref || prop.items && prop.items.$ref
          ? schemaView(doc, prop, seen) : typeText(prop)),
        el("td", {}, notes(prop)))
    );
    return el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "field"), el("th", {}, "type"),
        el("th", {}, "notes"))),
      el("tbody", {}, rows));
  }
  return el("span", {}, typeText(schema), " ", el("span", { class: "muted" }, notes(schema)));
}

function contentView(doc, content) {
  return Object.entries(content || {}).map(([type, media]) =>
    el("div", { class: "content" }, el("div", { class: "muted" }, type),
      schemaView(doc, media.schema, new Set())));
}

function parametersView(params) {
  if (!params || params.length === 0) return null;
  return el("table", {},
    el("thead", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"),
      el("th", {}, "type"), el("th", {}, "notes"))),
    el("tbody", {}, params.map((p) =>
      el("tr", {},
        el("td", {}, el("code", {}, p.name), p.required ? " *" : ""),
        el("td", {}, p.in),
        el("td", {}, typeText(p.schema)),
        el("td", {}, p.description || notes(p.schema))))));
}

function operationView(doc, path, method, op) {
  const id = op.operationId || method + path;
  const access = op["x-jsscada-access"];
  return el("section", { class: "op", id },
    el("h3", {}, el("span", { class: "method " + method }, method.toUpperCase()), " ",
      el("code", {}, path), " ", el("span", { class: "summary" }, op.summary || "")),
    access ? el("p", { class: "access" }, "Who: " + (ACCESS[access] || access)) : null,
    op.description ? el("p", {}, op.description) : null,
    parametersView(op.parameters),
    op.requestBody ? el("div", {}, el("h4", {}, "Request body"),
      contentView(doc, op.requestBody.content)) : null,
    el("h4", {}, "Responses"),
    Object.entries(op.responses || {}).map(([status, r]) =>
      el("div", { class: "response" },
        el("strong", { class: "status s" + status[0] }, status), " ", r.description || "",
        contentView(doc, r.content))));
}

async function main() {
  const info = document.getElementById("info");
  let doc;
  try {
    const res = await fetch("openapi.json");
    doc = await res.json();
  } catch (e) {
    info.textContent = "Could not load openapi.json: " + e;
    return;
  }
  info.textContent = doc.info.title + " " + doc.info.version + ". " + (doc.info.description || "");
  const groups = new Map((doc.tags || []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || "Other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push([path, method, op]);
    }
  }
  const toc = document.getElementById("toc");
  const main = document.getElementById("operations");
  for (const [tag, ops] of groups) {
    if (ops.length === 0) continue;
    const anchor = "tag-" + tag.replace(/\W+/g, "-");
    toc.append(el("a", { href: "#" + anchor }, tag));
    main.append(el("h2", { id: anchor }, tag),
      ...ops.map(([path, method, op]) => operationView(doc, path, method, op)));
  }
}

main();
`;

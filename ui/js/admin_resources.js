/**
 * What the admin pages know about each plant resource and about users:
 * list columns, filters, sort fields, and form fields (which the server's
 * validation messages are mapped onto by name). The rules themselves are the
 * server's; the forms only offer the choices and show the answers.
 *
 * `refs` resolves ids to codes for the small resources (lines, processes,
 * PLCs, groups) and tag ids to codes on demand.
 */
import { api, getAll } from "./api.js";
import { formatDateTime, formatNumber } from "./dom.js";
import { t } from "./i18n.js";

/** Reference data shared by the admin views, loaded on demand and dropped after changes. */
export class Refs {
  #lists = new Map();
  #tags = new Map();

  /** Loads the named lists (`lines`, `processes`, `plcs`, `groups`, `users`) unless cached. */
  async load(names) {
    await Promise.all(names.map(async (name) => {
      if (this.#lists.has(name)) return;
      this.#lists.set(name, await getAll(name, {}, 5000));
    }));
  }

  /** Forgets a list (after a change to it). */
  invalidate(name) {
    this.#lists.delete(name);
    if (name === "tags") this.#tags.clear();
  }

  /** The cached records of a list. */
  list(name) {
    return this.#lists.get(name) ?? [];
  }

  /** `CODE` for an id of a small resource (or `#id` when unknown). */
  code(name, id) {
    if (id === null || id === undefined) return "";
    const r = this.list(name).find((x) => x.id === id);
    return r ? (r.code ?? r.name) : `#${id}`;
  }

  /** Select options `{ value: id, label: "CODE — name" }` of a small resource. */
  options(name, filter = () => true) {
    return this.list(name).filter(filter)
      .sort((a, b) => String(a.code ?? a.name).localeCompare(String(b.code ?? b.name)))
      .map((r) => ({ value: r.id, label: r.code ? `${r.code} — ${r.name}` : r.name }));
  }

  /** Fetches the codes of these tag ids (GET /tags/{id}, cached). */
  async loadTags(ids) {
    const missing = [...new Set(ids)].filter((id) => id && !this.#tags.has(id));
    await Promise.all(missing.map(async (id) => {
      try {
        this.#tags.set(id, await api.get(`tags/${id}`));
      } catch {
        this.#tags.set(id, { id, code: `#${id}` });
      }
    }));
  }

  /** The code of a tag id loaded with {@link loadTags}. */
  tagCode(id) {
    return this.#tags.get(id)?.code ?? (id ? `#${id}` : "");
  }
}

const bool = (v) => (v ? t("common.yes") : t("common.no"));
const BOOL_OPTIONS = () => [
  { value: "true", label: t("common.yes") },
  { value: "false", label: t("common.no") },
];
const enabledFilter = { name: "enabled", label: "field.enabled", options: BOOL_OPTIONS };
const enabledField = { name: "enabled", label: "field.enabled", type: "checkbox", default: true };
const codeField = (placeholder, hint) => ({
  name: "code",
  label: "field.code",
  required: true,
  code: true,
  placeholder,
  hint,
});
const nameField = { name: "name", label: "field.name", required: true };

export const DATA_TYPES = [
  "BOOL",
  "INT16",
  "UINT16",
  "INT32",
  "UINT32",
  "FLOAT32",
  "FLOAT64",
  "STRING",
];
export const ALARM_KINDS = ["HIHI", "HI", "LO", "LOLO", "ON", "OFF"];

/**
 * The resource definitions. A definition: `path` (under /api/v1), `title`
 * and `one` (i18n keys), `columns` (`{ key, label, sort?, render?, cls? }`),
 * `filters` (`{ name, label, options | type }`), `search` (has `q`),
 * `fields` (see form.js), `refs` (lists to load first), `cascade`
 * (DELETE takes ?cascade=true), `describe(record)` for confirmations,
 * `prepare(items)` to fetch what the columns show.
 */
export function resourceDefs(refs) {
  return {
    lines: {
      path: "lines",
      exportName: "lines",
      title: "res.lines",
      one: "res.line",
      search: true,
      cascade: true,
      refs: [],
      columns: [
        { key: "code", label: "field.code", sort: "code", cls: "code" },
        { key: "name", label: "field.name", sort: "name" },
      ],
      filters: [],
      fields: [codeField("LINE01", "hint.code"), nameField],
      describe: (r) => r.code,
    },
    processes: {
      path: "processes",
      exportName: "processes",
      title: "res.processes",
      one: "res.process",
      search: true,
      cascade: true,
      refs: ["lines"],
      columns: [
        { key: "code", label: "field.code", sort: "code", cls: "code" },
        { key: "name", label: "field.name", sort: "name" },
        {
          key: "lineId",
          label: "field.line",
          sort: "lineId",
          render: (r) => refs.code("lines", r.lineId),
        },
      ],
      filters: [{ name: "lineId", label: "field.line", options: () => refs.options("lines") }],
      fields: [
        codeField("PRESS", "hint.code"),
        nameField,
        {
          name: "lineId",
          label: "field.line",
          type: "select",
          numeric: true,
          required: true,
          options: () => refs.options("lines"),
        },
      ],
      describe: (r) => r.code,
    },
    plcs: {
      path: "plcs",
      exportName: "plcs",
      title: "res.plcs",
      one: "res.plc",
      search: true,
      cascade: true,
      refs: ["processes"],
      columns: [
        { key: "code", label: "field.code", sort: "code", cls: "code" },
        { key: "name", label: "field.name", sort: "name" },
        {
          key: "processId",
          label: "field.process",
          sort: "processId",
          render: (r) => refs.code("processes", r.processId),
        },
        { key: "host", label: "field.host", sort: "host", cls: "code" },
        { key: "port", label: "field.port", sort: "port", cls: "num" },
        { key: "frame", label: "field.frame" },
        { key: "enabled", label: "field.enabled", render: (r) => bool(r.enabled) },
      ],
      filters: [
        { name: "processId", label: "field.process", options: () => refs.options("processes") },
        { name: "frame", label: "field.frame", options: () => ["ascii", "binary"] },
        enabledFilter,
      ],
      fields: [
        codeField("PLCPRESS010001", "hint.plcCode"),
        nameField,
        {
          name: "processId",
          label: "field.process",
          type: "select",
          numeric: true,
          required: true,
          options: () => refs.options("processes"),
        },
        { name: "host", label: "field.host", required: true, placeholder: "192.168.3.39" },
        {
          name: "port",
          label: "field.port",
          type: "number",
          required: true,
          min: 1,
          max: 65535,
          step: 1,
        },
        {
          name: "frame",
          label: "field.frame",
          type: "select",
          required: true,
          default: "binary",
          options: [{ value: "binary", label: "binary" }, { value: "ascii", label: "ascii" }],
        },
        {
          name: "network",
          label: "field.network",
          type: "number",
          default: 0,
          min: 0,
          max: 255,
          step: 1,
        },
        { name: "pc", label: "field.pc", type: "number", default: 255, min: 0, max: 255, step: 1 },
        {
          name: "moduleIo",
          label: "field.moduleIo",
          type: "number",
          default: 1023,
          min: 0,
          max: 65535,
          step: 1,
          hint: "hint.moduleIo",
        },
        {
          name: "station",
          label: "field.station",
          type: "number",
          default: 0,
          min: 0,
          max: 255,
          step: 1,
        },
        {
          name: "timeoutMs",
          label: "field.timeoutMs",
          type: "number",
          default: 1000,
          min: 1,
          step: 1,
        },
        {
          name: "poolSize",
          label: "field.poolSize",
          type: "number",
          default: 5,
          min: 1,
          max: 32,
          step: 1,
        },
        {
          name: "attempts",
          label: "field.attempts",
          type: "number",
          default: 3,
          min: 1,
          max: 10,
          step: 1,
        },
        {
          name: "commAlarmDelayMs",
          label: "field.commAlarmDelayMs",
          type: "number",
          default: 2000,
          min: 0,
          max: 600000,
          step: 1,
        },
        {
          name: "series",
          label: "field.series",
          type: "select",
          required: true,
          default: "Q",
          options: ["Q", "iQ-R", "iQ-F", "FX3"].map((value) => ({ value, label: value })),
          hint: "hint.series",
        },
        {
          name: "frameType",
          label: "field.frameType",
          type: "select",
          default: "3E",
          options: ["3E", "4E"].map((value) => ({ value, label: value })),
          hint: "hint.frameType",
        },
        {
          name: "pipelineDepth",
          label: "field.pipelineDepth",
          type: "number",
          default: 1,
          min: 1,
          max: 8,
          step: 1,
          hint: "hint.pipelineDepth",
        },
        {
          name: "transport",
          label: "field.transport",
          type: "select",
          default: "tcp",
          options: [{ value: "tcp", label: "TCP" }, { value: "udp", label: "UDP" }],
          hint: "hint.transport",
        },
        {
          name: "xyNotation",
          label: "field.xyNotation",
          type: "select",
          default: "octal",
          options: [{ value: "octal", label: "octal" }, { value: "hex", label: "hex" }],
          hint: "hint.xyNotation",
          showIf: (v) => v.series === "iQ-F" && v.frame === "ascii",
        },
        enabledField,
      ],
      describe: (r) => r.code,
    },
    groups: {
      path: "groups",
      exportName: "groups",
      title: "res.groups",
      one: "res.group",
      search: true,
      cascade: true,
      refs: ["plcs"],
      columns: [
        { key: "code", label: "field.code", sort: "code", cls: "code" },
        { key: "name", label: "field.name", sort: "name" },
        {
          key: "plcId",
          label: "field.plc",
          sort: "plcId",
          render: (r) => refs.code("plcs", r.plcId),
        },
        { key: "mode", label: "field.mode", sort: "mode" },
        {
          key: "intervalMs",
          label: "field.intervalMs",
          sort: "intervalMs",
          cls: "num",
          render: (r) => (r.intervalMs === null ? "" : formatNumber(r.intervalMs)),
        },
        { key: "trigger", label: "field.trigger", render: (r) => r.trigger ?? "" },
        { key: "enabled", label: "field.enabled", render: (r) => bool(r.enabled) },
      ],
      filters: [
        { name: "plcId", label: "field.plc", options: () => refs.options("plcs") },
        { name: "mode", label: "field.mode", options: () => ["FIXED", "HANDSHAKE"] },
        enabledFilter,
      ],
      fields: [
        codeField("PRESS_MOTION", "hint.code"),
        nameField,
        {
          name: "plcId",
          label: "field.plc",
          type: "select",
          numeric: true,
          required: true,
          options: () => refs.options("plcs"),
        },
        {
          name: "mode",
          label: "field.mode",
          type: "select",
          required: true,
          default: "FIXED",
          options: ["FIXED", "HANDSHAKE"],
        },
        {
          name: "trigger",
          label: "field.trigger",
          type: "select",
          nullable: true,
          required: true,
          default: "rest",
          options: [
            { value: "rest", label: t("trigger.rest") },
            { value: "plc-bit", label: t("trigger.plc-bit") },
          ],
          showIf: (v) => v.mode === "HANDSHAKE",
        },
        {
          name: "intervalMs",
          label: "field.intervalMs",
          type: "number",
          nullable: true,
          min: 50,
          step: 1,
          hint: "hint.intervalMs",
          showIf: (v) => v.mode === "FIXED" || v.trigger === "plc-bit",
        },
        {
          name: "requestBit",
          label: "field.requestBit",
          nullable: true,
          placeholder: "M3000",
          showIf: (v) => v.mode === "HANDSHAKE" && v.trigger === "plc-bit",
        },
        {
          name: "ackBit",
          label: "field.ackBit",
          nullable: true,
          placeholder: "M3001",
          showIf: (v) => v.mode === "HANDSHAKE" && v.trigger === "plc-bit",
        },
        {
          name: "stepTimeoutMs",
          label: "field.stepTimeoutMs",
          type: "number",
          nullable: true,
          min: 1,
          step: 1,
          showIf: (v) => v.mode === "HANDSHAKE",
        },
        enabledField,
      ],
      describe: (r) => r.code,
    },
    tags: {
      path: "tags",
      exportName: "tags",
      title: "res.tags",
      one: "res.tag",
      search: true,
      cascade: true,
      refs: ["plcs", "groups"],
      columns: [
        { key: "code", label: "field.code", sort: "code", cls: "code" },
        { key: "name", label: "field.name", sort: "name" },
        {
          key: "plcId",
          label: "field.plc",
          sort: "plcId",
          render: (r) => refs.code("plcs", r.plcId),
        },
        {
          key: "groupId",
          label: "field.group",
          sort: "groupId",
          render: (r) => refs.code("groups", r.groupId),
        },
        { key: "address", label: "field.address", sort: "address", cls: "code" },
        { key: "dataType", label: "field.dataType", sort: "dataType" },
        { key: "unit", label: "field.unit" },
        { key: "enabled", label: "field.enabled", render: (r) => bool(r.enabled) },
        { key: "writable", label: "field.writable", render: (r) => bool(r.writable) },
      ],
      filters: [
        { name: "plcId", label: "field.plc", options: () => refs.options("plcs") },
        { name: "groupId", label: "field.group", options: () => refs.options("groups") },
        { name: "dataType", label: "field.dataType", options: () => DATA_TYPES },
        enabledFilter,
      ],
      fields: [
        codeField("PRESS01_POS", "hint.code"),
        nameField,
        {
          name: "description",
          label: "field.description",
          type: "textarea",
          wide: true,
          max: 2000,
          emptyString: true,
        },
        {
          name: "plcId",
          label: "field.plc",
          type: "select",
          numeric: true,
          required: true,
          options: () => refs.options("plcs"),
        },
        {
          name: "groupId",
          label: "field.group",
          type: "select",
          numeric: true,
          required: true,
          hint: "hint.groupOfPlc",
          options: (v) => refs.options("groups", (g) => !v.plcId || g.plcId === v.plcId),
        },
        {
          name: "address",
          label: "field.address",
          required: true,
          code: true,
          placeholder: "D1000",
        },
        {
          name: "dataType",
          label: "field.dataType",
          type: "select",
          required: true,
          options: DATA_TYPES,
        },
        {
          name: "length",
          label: "field.length",
          type: "number",
          nullable: true,
          min: 1,
          max: 960,
          step: 1,
          hint: "hint.length",
          showIf: (v) => v.dataType === "STRING",
        },
        { name: "scale", label: "field.scale", type: "number", default: 1 },
        { name: "offset", label: "field.offset", type: "number", default: 0 },
        { name: "unit", label: "field.unit", emptyString: true },
        {
          name: "deadband",
          label: "field.deadband",
          type: "number",
          nullable: true,
          min: 0,
          hint: "hint.deadband",
        },
        enabledField,
        {
          name: "writable",
          label: "field.writable",
          type: "checkbox",
          default: false,
          hint: "hint.writable",
        },
        {
          name: "writeMin",
          label: "field.writeMin",
          type: "number",
          nullable: true,
          hint: "hint.writeLimits",
          showIf: (v) => v.writable && !["BOOL", "STRING"].includes(v.dataType),
        },
        {
          name: "writeMax",
          label: "field.writeMax",
          type: "number",
          nullable: true,
          showIf: (v) => v.writable && !["BOOL", "STRING"].includes(v.dataType),
        },
        {
          name: "bitWrite",
          label: "field.bitWrite",
          type: "checkbox",
          default: false,
          hint: "hint.bitWrite",
          showIf: (v) => v.writable && v.dataType === "BOOL" && String(v.address).includes("."),
        },
      ],
      describe: (r) => r.code,
    },
    alarmRules: {
      path: "alarm-rules",
      exportName: "alarms",
      title: "res.alarmRules",
      one: "res.alarmRule",
      search: true,
      searchLabel: "field.message",
      cascade: false,
      refs: [],
      columns: [
        {
          key: "tagId",
          label: "field.tag",
          sort: "tag",
          cls: "code",
          render: (r) => refs.tagCode(r.tagId),
        },
        { key: "kind", label: "field.kind", sort: "kind" },
        { key: "limit", label: "field.limit", cls: "num", render: (r) => formatNumber(r.limit) },
        { key: "severity", label: "field.severity", sort: "severity", cls: "num" },
        { key: "message", label: "field.message" },
        { key: "enabled", label: "field.enabled", render: (r) => bool(r.enabled) },
      ],
      filters: [
        { name: "kind", label: "field.kind", options: () => ALARM_KINDS },
        { name: "minSeverity", label: "field.minSeverity", type: "number" },
        enabledFilter,
      ],
      fields: [
        {
          name: "tagId",
          label: "field.tag",
          type: "tag",
          required: true,
          hint: "hint.tag",
          display: (id) => refs.tagCode(id),
        },
        { name: "kind", label: "field.kind", type: "select", required: true, options: ALARM_KINDS },
        {
          name: "limit",
          label: "field.limit",
          type: "number",
          nullable: true,
          showIf: (v) => !["ON", "OFF"].includes(v.kind),
        },
        {
          name: "hysteresis",
          label: "field.hysteresis",
          type: "number",
          default: 0,
          min: 0,
          showIf: (v) => !["ON", "OFF"].includes(v.kind),
        },
        {
          name: "onDelayMs",
          label: "field.onDelayMs",
          type: "number",
          default: 0,
          min: 0,
          step: 1,
        },
        {
          name: "severity",
          label: "field.severity",
          type: "number",
          required: true,
          min: 1,
          max: 1000,
          step: 1,
          default: 500,
          hint: "hint.severity",
        },
        { name: "message", label: "field.message", required: true, wide: true },
        enabledField,
      ],
      prepare: (items) => refs.loadTags(items.map((r) => r.tagId)),
      describe: (r) => `${refs.tagCode(r.tagId)} ${r.kind}`,
    },
    users: {
      path: "users",
      title: "res.users",
      one: "res.user",
      search: true,
      cascade: false,
      refs: [],
      columns: [
        { key: "name", label: "field.userName", sort: "name", cls: "code" },
        { key: "role", label: "field.role", sort: "role", render: (r) => t(`role.${r.role}`) },
        {
          key: "createdAt",
          label: "field.createdAt",
          sort: "createdAt",
          render: (r) => formatDateTime(r.createdAt),
        },
        { key: "updatedAt", label: "field.updatedAt", render: (r) => formatDateTime(r.updatedAt) },
      ],
      filters: [{
        name: "role",
        label: "field.role",
        options: () =>
          ["viewer", "operator", "admin"].map((r) => ({ value: r, label: t(`role.${r}`) })),
      }],
      fields: [
        { name: "name", label: "field.userName", required: true, autocomplete: "off" },
        {
          name: "role",
          label: "field.role",
          type: "select",
          required: true,
          default: "viewer",
          options: ["viewer", "operator", "admin"].map((r) => ({
            value: r,
            label: t(`role.${r}`),
          })),
        },
        {
          name: "password",
          label: "field.password",
          type: "password",
          required: true,
          omitEmptyOnEdit: true,
          hint: "hint.password",
        },
      ],
      describe: (r) => r.name,
    },
  };
}

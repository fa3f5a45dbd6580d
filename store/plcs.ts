/**
 * PLCs: equipment code, how to reach them over the MC protocol (host, port,
 * frame code, 3E route), timeout and socket-pool size. Each belongs to a
 * process and holds polling groups and tags.
 */
import { z } from "@hono/zod-openapi";
import type { PlcConfig } from "../model/config.ts";
import { parseAddressFor } from "../protocol/series.ts";
import type { DataType } from "../protocol/values.ts";
import { checkBitAddress, checkTagAddress, frameProblem } from "./addresses.ts";
import { codeGetter, makeResource, type Resource } from "./config_resource.ts";
import type { Core } from "./core.ts";
import type { Issue } from "./errors.ts";
import { equalsWhere, searchWhere, type Where } from "./table.ts";
import {
  booleanField,
  equipmentCodeField,
  idField,
  intIn,
  optionalText,
  pagingShape,
  queryInt,
  requiredText,
  rule,
} from "./validation.ts";

/** The host rule's message. */
export const HOST_MESSAGE = "must be a host name or IP address";
const HOST = /^[A-Za-z0-9_.:\-\[\]]{1,253}$/;

/** PLC series the store accepts (see {@link seriesProblems} for what each supports). */
export const PLC_SERIES = ["Q", "iQ-R", "iQ-F", "FX3"] as const;
/** Frame types JSScada speaks. */
export const FRAME_TYPES = ["3E", "4E"] as const;
/** Transports JSScada speaks. */
export const TRANSPORTS = ["tcp", "udp"] as const;
/** iQ-F ASCII X/Y notations (GX Works3 "ASCII code (X, Y OCT)" / "(X, Y HEX)"). */
export const XY_NOTATIONS = ["octal", "hex"] as const;

const fields = {
  code: equipmentCodeField(),
  name: requiredText(200).openapi({ example: "Press line PLC" }),
  processId: idField("a process"),
  host: z.string(rule(HOST_MESSAGE)).regex(HOST, HOST_MESSAGE).openapi({ example: "192.168.3.39" }),
  port: intIn(1, 65535).openapi({ example: 5001 }),
  frame: z.enum(["ascii", "binary"], rule("must be ascii or binary")),
  network: intIn(0, 255),
  pc: intIn(0, 255),
  moduleIo: intIn(0, 65535).openapi({ description: "module I/O number, 1023 (0x3FF) for the CPU" }),
  station: intIn(0, 255),
  timeoutMs: intIn(1, 600_000, " ms"),
  poolSize: intIn(1, 32),
  attempts: intIn(1, 10).openapi({
    description: "consecutive failed requests before the PLC is declared failed (tags bad-comm)",
  }),
  commAlarmDelayMs: intIn(0, 600_000, " ms").openapi({
    description: 'how long the PLC stays failed before the "PLC not answering" alarm, ms',
  }),
  series: z.enum(PLC_SERIES, rule(`must be one of ${PLC_SERIES.join(", ")}`)).openapi({
    description: "CPU series: Q (also L), iQ-R, iQ-F or FX3; sets frames, devices and numbering",
  }),
  frameType: z.enum(FRAME_TYPES, rule(`must be one of ${FRAME_TYPES.join(", ")}`)).openapi({
    description: "MC protocol frame: 3E, or 4E (serial numbers; allows pipelining)",
  }),
  transport: z.enum(TRANSPORTS, rule(`must be one of ${TRANSPORTS.join(", ")}`)).openapi({
    description: "tcp, or udp (one datagram per frame; a lost answer is retried twice)",
  }),
  pipelineDepth: intIn(1, 8).openapi({
    description: "requests in flight per socket (4E only; 1 = one at a time)",
  }),
  xyNotation: z.enum(XY_NOTATIONS, rule(`must be one of ${XY_NOTATIONS.join(", ")}`)).openapi({
    description: "iQ-F with ASCII frames: X/Y numbers on the wire as octal digits (GX Works3 " +
      '"ASCII code (X, Y OCT)") or hexadecimal ("(X, Y HEX)"); the CPU\'s setting, not ' +
      "discoverable from the wire. Ignored for other series and binary frames",
  }),
  enabled: booleanField(),
};

/** What a series or frame does not support, as issues naming the field. */
export function seriesProblems(plc: {
  series?: string;
  frameType?: string;
  pipelineDepth?: number;
}): Issue[] {
  const issues: Issue[] = [];
  if (plc.series === "FX3") issues.push(...fx3Problems(plc));
  if ((plc.pipelineDepth ?? 1) > 1 && plc.frameType !== "4E" && plc.series !== "FX3") {
    issues.push({
      path: "pipelineDepth",
      message: "pipelining needs 4E frames: 3E answers carry no serial number to match them",
    });
  }
  return issues;
}

/** What 1E frames (FX3) cannot do: 4E frames, pipelining. */
function fx3Problems(plc: { frameType?: string; pipelineDepth?: number }): Issue[] {
  const issues: Issue[] = [];
  if (plc.frameType === "4E") {
    issues.push({
      path: "frameType",
      message: "FX3 CPUs (FX3U-ENET) speak 1E frames, which have no 4E form; leave frameType 3E",
    });
  }
  if ((plc.pipelineDepth ?? 1) > 1) {
    issues.push({
      path: "pipelineDepth",
      message: "1E frames (FX3) carry no serial number: one request at a time, pipelineDepth 1",
    });
  }
  return issues;
}

/** A PLC in API responses. */
export const PlcSchema = z.object({ id: z.number().int(), ...fields, enabled: z.boolean() })
  .openapi("Plc");
/**
 * The body that creates a PLC; route, timeout (1,000 ms), pool size (5),
 * attempts (3), comm alarm delay (2,000 ms), series (Q), frame type (3E),
 * transport (tcp), pipelining depth (1), X/Y notation (octal) and enabled
 * have defaults.
 */
export const PlcCreateSchema = z.strictObject({
  ...fields,
  frame: fields.frame.default("binary"),
  network: fields.network.default(0),
  pc: fields.pc.default(255),
  moduleIo: fields.moduleIo.default(1023),
  station: fields.station.default(0),
  timeoutMs: fields.timeoutMs.default(1000),
  poolSize: fields.poolSize.default(5),
  attempts: fields.attempts.default(3),
  commAlarmDelayMs: fields.commAlarmDelayMs.default(2000),
  series: fields.series.default("Q"),
  frameType: fields.frameType.default("3E"),
  transport: fields.transport.default("tcp"),
  pipelineDepth: fields.pipelineDepth.default(1),
  xyNotation: fields.xyNotation.default("octal"),
  enabled: fields.enabled.default(true),
}).openapi("PlcCreate");
/** The body of a PATCH: any subset of the fields. */
export const PlcPatchSchema = z.strictObject(fields).partial().openapi("PlcPatch");
/** List filters: by process, frame, enabled; `q` searches code, name and host. */
export const PlcListQuerySchema = z.object({
  ...pagingShape(["id", "code", "name", "host", "port", "processId"] as const, "code"),
  processId: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  frame: z.enum(["ascii", "binary"]).optional(),
  enabled: booleanField().optional(),
  q: optionalText(200).optional(),
}).openapi("PlcListQuery");

/** The fields a PLC is created with. */
export type PlcCreate = z.input<typeof PlcCreateSchema>;
/** A partial change to a PLC. */
export type PlcPatch = z.input<typeof PlcPatchSchema>;
/** What `plcs.list` accepts. */
export type PlcListQuery = z.input<typeof PlcListQuerySchema>;

/** The PLCs resource. */
export type PlcsResource = Resource<PlcConfig, PlcCreate, PlcPatch, PlcListQuery> & {
  /** One PLC by equipment code; NotFoundError if none. */
  getByCode(code: string): PlcConfig;
};

/**
 * Addresses of a PLC's tags and handshake bits that its frame code or series
 * cannot reach: device numbers above 999999 in ASCII frames, and on iQ-F the
 * X/Y numbers that are not octal, DX/DY and the iQ-R devices.
 */
function unreachable(core: Core, plc: PlcConfig): Issue[] {
  const rows = core.db.all<{ what: string; address: string }>(
    `SELECT 'tag ' || code AS what, address FROM tags WHERE plc_id = ?1
     UNION ALL SELECT 'group ' || code, request_bit FROM polling_groups
       WHERE plc_id = ?1 AND request_bit IS NOT NULL
     UNION ALL SELECT 'group ' || code, ack_bit FROM polling_groups
       WHERE plc_id = ?1 AND ack_bit IS NOT NULL`,
    plc.id,
  );
  const bad: string[] = [];
  for (const r of rows) {
    try {
      if (frameProblem(parseAddressFor(plc.series, r.address), r.address, plc.frame)) {
        bad.push(`${r.what} (${r.address})`);
      }
    } catch {
      // An address the series cannot read is seriesMisfits' business, not this rule's.
    }
  }
  if (!bad.length) return [];
  const more = bad.length > 3 ? ` and ${bad.length - 3} more` : "";
  return [{
    path: "frame",
    message: `ASCII frames cannot reach device numbers above 999999, used by ${
      bad.slice(0, 3).join(", ")
    }${more}; keep binary frames or move those addresses`,
  }];
}

/**
 * Tags and handshake bits that the PLC's new series cannot address (a change
 * of series changes the device set, the X/Y numbering and the ranges: FX3
 * and iQ-F number X/Y in octal, iQ-F has no DX/DY, FX3 has its own devices).
 */
function seriesMisfits(core: Core, plc: PlcConfig): Issue[] {
  const tags = core.db.all<{ code: string; address: string; type: string; length: number | null }>(
    "SELECT code, address, data_type AS type, length FROM tags WHERE plc_id = ?",
    plc.id,
  );
  const bits = core.db.all<{ code: string; address: string }>(
    `SELECT code, request_bit AS address FROM polling_groups
       WHERE plc_id = ?1 AND request_bit IS NOT NULL
     UNION ALL SELECT code, ack_bit FROM polling_groups WHERE plc_id = ?1 AND ack_bit IS NOT NULL`,
    plc.id,
  );
  const bad: string[] = [];
  for (const t of tags) {
    const [issue] = checkTagAddress(t.address, t.type as DataType, t.length, plc.frame, plc.series);
    if (issue) bad.push(`tag ${t.code} (${issue.message})`);
  }
  for (const g of bits) {
    const [issue] = checkBitAddress(g.address, "bit", plc.frame, plc.series);
    if (issue) bad.push(`group ${g.code} (${issue.message})`);
  }
  if (!bad.length) return [];
  const more = bad.length > 3 ? ` and ${bad.length - 3} more` : "";
  return [{
    path: "series",
    message: `series ${plc.series ?? "Q"} cannot address ${bad.slice(0, 3).join(", ")}${more}; ` +
      "change or delete those first",
  }];
}

/** Creates the PLCs resource of a store. */
export function createPlcs(core: Core): PlcsResource {
  const table = core.tables.plcs;
  const resource = makeResource(core, {
    resource: "plcs",
    label: "PLC",
    table,
    createSchema: PlcCreateSchema,
    patchSchema: PlcPatchSchema,
    listQuerySchema: PlcListQuerySchema,
    filters: (q) => {
      const where: Where[] = [];
      if (q.processId !== undefined) where.push(equalsWhere("processId", q.processId));
      if (q.frame !== undefined) where.push(equalsWhere("frame", q.frame));
      if (q.enabled !== undefined) where.push(equalsWhere("enabled", q.enabled));
      if (q.q) where.push(searchWhere(["code", "name", "host"], q.q));
      return where;
    },
    describe: (r) => `PLC ${r.code}`,
    duplicate: (data) => {
      const record = table.findBy("code", data.code);
      return record && { record, path: "code" };
    },
    check: (data, lookup) => [
      ...(lookup.process(data.processId)
        ? []
        : [{ path: "processId", message: `no process with id ${data.processId}` }]),
      ...seriesProblems(data),
    ],
    checkDependents: (before, after) => [
      ...(after.frame !== before.frame && after.frame === "ascii" ? unreachable(core, after) : []),
      ...((before.series ?? "Q") !== (after.series ?? "Q") ? seriesMisfits(core, after) : []),
    ],
    dependents: [
      { resource: "tags", label: ["tag", "tags"], sql: "SELECT id FROM tags WHERE plc_id = ?" },
      {
        resource: "groups",
        label: ["polling group", "polling groups"],
        sql: "SELECT id FROM polling_groups WHERE plc_id = ?",
      },
    ],
  });
  return { ...resource, getByCode: codeGetter(table, "PLC") };
}

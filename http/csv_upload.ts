/**
 * Reading CSV files out of an import request, as bytes (the import check
 * decodes them off the main thread): a `text/csv` body (one file),
 * or `multipart/form-data` with file fields — `file` (or the resource's name)
 * for one resource; `lines`, `processes`, `plcs`, `groups`, `tags`, `alarms`
 * (or files named so) for several. Files must be UTF-8; problems are
 * ConfigErrors naming the field, so the client gets a 400 with issues.
 */
import type { Context } from "hono";
import {
  ConfigError,
  CSV_RESOURCES,
  csvFileName,
  type CsvResource,
  csvResourceOf,
  type Issue,
} from "../store/mod.ts";
import { joinChunks } from "../store/csv_check.ts";
import type { AppEnv } from "./context.ts";
import { HttpError } from "./errors.ts";
import { describeInvalidUtf8, findInvalidUtf8 } from "./utf8.ts";

/** CSV texts by resource. */
export type CsvFiles = Partial<Record<CsvResource, string>>;

const TEXT_TYPES = new Set(["text/csv", "application/csv", "text/plain"]);
const decoder = new TextDecoder("utf-8", { fatal: true });

function mediaType(c: Context<AppEnv>): string {
  return c.req.header("Content-Type")?.split(";")[0].trim().toLowerCase() ?? "";
}

/** A form value's or body's text, or an issue when it is not UTF-8. */
async function decode(value: File | string | ArrayBuffer, path: string): Promise<string | Issue> {
  if (typeof value === "string") return value;
  const bytes = value instanceof ArrayBuffer ? value : await value.arrayBuffer();
  try {
    return decoder.decode(bytes);
  } catch {
    const bad = findInvalidUtf8(new Uint8Array(bytes));
    return {
      path,
      message: `${bad ? describeInvalidUtf8(bad) : "is not UTF-8"}; ` +
        'save the file as "CSV UTF-8" (Excel) or convert it to UTF-8',
    };
  }
}

async function form(c: Context<AppEnv>): Promise<FormData> {
  try {
    return await c.req.formData();
  } catch (e) {
    throw ConfigError.of("body", `the multipart body cannot be read: ${(e as Error).message}`);
  }
}

function unsupported(c: Context<AppEnv>, accepted: string): HttpError {
  const type = c.req.header("Content-Type") ?? "none";
  return new HttpError(415, `send ${accepted}, not Content-Type ${type}`);
}

/** CSV files by resource as uploaded bytes (not yet decoded), in the chunks they arrived in. */
export type CsvUploads = Partial<Record<CsvResource, ArrayBuffer[]>>;

/** A form value's bytes. */
async function bytesOf(value: File | string): Promise<ArrayBuffer[]> {
  return [
    typeof value === "string"
      ? new TextEncoder().encode(value).buffer as ArrayBuffer
      : await value.arrayBuffer(),
  ];
}

/**
 * A body's chunks as they arrive, each in a buffer of its own (transferable
 * to a worker). A 32 MB body is never joined into one buffer on this thread:
 * that one copy held the event loop for about 100 ms.
 */
async function chunksOf(body: ReadableStream<Uint8Array> | null): Promise<ArrayBuffer[]> {
  const chunks: ArrayBuffer[] = [];
  if (!body) return chunks;
  for await (const chunk of body) {
    const whole = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength &&
      chunk.buffer instanceof ArrayBuffer;
    chunks.push(whole ? chunk.buffer as ArrayBuffer : chunk.slice().buffer as ArrayBuffer);
  }
  return chunks;
}

/**
 * Decodes uploads (UTF-8, strict); ConfigError naming the field (`fieldOf`)
 * and the byte offset otherwise.
 */
export async function decodeUploads(
  uploads: CsvUploads,
  fieldOf: (resource: CsvResource) => string = (r) => r,
): Promise<CsvFiles> {
  const files: CsvFiles = {};
  const issues: Issue[] = [];
  for (const [resource, chunks] of Object.entries(uploads) as [CsvResource, ArrayBuffer[]][]) {
    const text = await decode(joinChunks(chunks), fieldOf(resource));
    if (typeof text === "string") files[resource] = text;
    else issues.push(text);
  }
  if (issues.length) throw new ConfigError(issues);
  return files;
}

/** The one CSV file of a single-resource import, as bytes (chunks). */
export async function readOneCsvBytes(
  c: Context<AppEnv>,
  resource: CsvResource,
): Promise<ArrayBuffer[]> {
  const type = mediaType(c);
  if (TEXT_TYPES.has(type)) return await chunksOf(c.req.raw.body);
  return await bytesOf(await oneFormFile(c, resource));
}

/** Media types a GX Works export may be sent as (the whole body is the file). */
const GX_TYPES = new Set([
  ...TEXT_TYPES,
  "text/tab-separated-values",
  "application/octet-stream",
]);

/**
 * A GX Works export as bytes (any encoding: the converter reads the BOM) and
 * its file name when the client sent one: the body itself, or a multipart
 * field named file.
 */
export async function readGxUpload(
  c: Context<AppEnv>,
): Promise<{ bytes: ArrayBuffer[]; name: string | undefined }> {
  const type = mediaType(c);
  if (GX_TYPES.has(type)) return { bytes: await chunksOf(c.req.raw.body), name: undefined };
  if (type !== "multipart/form-data") {
    throw unsupported(
      c,
      "the export as the body (text/csv, text/plain, text/tab-separated-values or " +
        "application/octet-stream), or multipart/form-data with a field named file",
    );
  }
  const values = (await form(c)).getAll("file");
  if (values.length !== 1) {
    throw ConfigError.of("file", "is required: send the GX Works export as one field named file");
  }
  const value = values[0];
  return { bytes: await bytesOf(value), name: typeof value === "string" ? undefined : value.name };
}

/** The CSV files of a multi-file import, as bytes. */
export async function readCsvFilesBytes(c: Context<AppEnv>): Promise<CsvUploads> {
  const values = await formFiles(c);
  const uploads: CsvUploads = {};
  for (const [resource, value] of Object.entries(values) as [CsvResource, File | string][]) {
    uploads[resource] = await bytesOf(value);
  }
  return uploads;
}

/** The form value holding a single-resource import's file. */
async function oneFormFile(c: Context<AppEnv>, resource: CsvResource): Promise<File | string> {
  const type = mediaType(c);
  if (type !== "multipart/form-data") {
    throw unsupported(c, "the CSV as text/csv, or multipart/form-data with a field named file");
  }
  const data = await form(c);
  const names = [...new Set(data.keys())];
  const field = names.includes("file")
    ? "file"
    : names.includes(resource)
    ? resource
    : names.length === 1
    ? names[0]
    : undefined;
  if (field === undefined) {
    throw ConfigError.of(
      "file",
      `is required: send ${csvFileName(resource)} as a multipart field named file`,
    );
  }
  const values = data.getAll(field);
  if (values.length !== 1) throw ConfigError.of(field, "must hold exactly one file");
  return values[0];
}

/** The form values of a multi-file import, by resource; ConfigError for unknown or doubled fields. */
async function formFiles(c: Context<AppEnv>): Promise<Partial<Record<CsvResource, File | string>>> {
  if (mediaType(c) !== "multipart/form-data") {
    throw unsupported(c, "multipart/form-data with one field per file (lines, processes, …)");
  }
  const data = await form(c);
  const files: Partial<Record<CsvResource, File | string>> = {};
  const issues: Issue[] = [];
  for (const [field, value] of data.entries()) {
    const resource = csvResourceOf(field) ??
      (typeof value === "string" ? undefined : csvResourceOf(value.name));
    if (!resource) {
      issues.push({
        path: field,
        message: `is not a CSV file of the plant; name fields ${CSV_RESOURCES.join(", ")}`,
      });
      continue;
    }
    if (files[resource] !== undefined) {
      issues.push({ path: field, message: `is a second ${csvFileName(resource)}` });
      continue;
    }
    files[resource] = value;
  }
  if (issues.length) throw new ConfigError(issues);
  if (Object.keys(files).length === 0) {
    throw ConfigError.of("body", `holds no CSV file; send fields ${CSV_RESOURCES.join(", ")}`);
  }
  return files;
}

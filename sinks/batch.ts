/**
 * Checks on a batch before any sink touches its database, and the (tag, ts)
 * dedupe that sinks whose upsert cannot see the same key twice in one
 * statement need (PostgreSQL's ON CONFLICT DO UPDATE).
 */
import type { Sample } from "../model/sample.ts";
import { QUALITIES } from "../model/sample.ts";

/** Largest tag id every sink can store (PostgreSQL `integer`, Oracle NUMBER(10)). */
export const MAX_TAG_ID = 2_147_483_647;
/** Latest timestamp any sink stores: 9999-12-31T23:59:59.999Z. */
export const MAX_TS = 253_402_300_799_999;

const KNOWN_QUALITIES: ReadonlySet<string> = new Set(QUALITIES);

/**
 * Throws a RangeError naming the first sample that no sink could store: a tag
 * id that is not an integer in [0, MAX_TAG_ID], a timestamp that is not an
 * integer in [0, MAX_TS], an unknown quality, or a value that is not null, a
 * number, a boolean or a string. Checked up front so that a bad sample fails
 * the batch before a transaction starts.
 */
export function validateBatch(batch: readonly Sample[]): void {
  for (let i = 0; i < batch.length; i++) {
    const s = batch[i];
    if (!Number.isInteger(s.tagId) || s.tagId < 0 || s.tagId > MAX_TAG_ID) {
      throw new RangeError(`sample ${i}: tagId ${s.tagId} is not an integer in [0, ${MAX_TAG_ID}]`);
    }
    if (!Number.isInteger(s.ts) || s.ts < 0 || s.ts > MAX_TS) {
      throw new RangeError(`sample ${i}: ts ${s.ts} is not an integer ms time in [0, ${MAX_TS}]`);
    }
    if (!KNOWN_QUALITIES.has(s.quality)) {
      throw new RangeError(`sample ${i}: unknown quality ${JSON.stringify(s.quality)}`);
    }
    const t = typeof s.value;
    if (s.value !== null && t !== "number" && t !== "boolean" && t !== "string") {
      throw new RangeError(`sample ${i}: a value must be null, a number, a boolean or a string`);
    }
  }
}

/**
 * The batch sorted by (tagId, ts) with one sample per key, the last one of
 * the batch winning (as if the samples were written one after another).
 * Sorting also makes concurrent upserts lock keys in one order, so two
 * overlapping batches wait for each other instead of deadlocking.
 */
export function sortDedupe(batch: readonly Sample[]): Sample[] {
  const order = batch.map((_, i) => i);
  order.sort((a, b) => batch[a].tagId - batch[b].tagId || batch[a].ts - batch[b].ts || a - b);
  const out: Sample[] = [];
  for (let k = 0; k < order.length; k++) {
    const s = batch[order[k]];
    const next = k + 1 < order.length ? batch[order[k + 1]] : undefined;
    if (next !== undefined && next.tagId === s.tagId && next.ts === s.ts) continue;
    out.push(s);
  }
  return out;
}

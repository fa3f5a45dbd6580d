/**
 * The write port of the Sparkplug publisher: a DCMD on a tag metric writes
 * the PLC through the same path as an operator's write — the tag's writable
 * flag and bitWrite rule, its writeMin/writeMax and type checks, the write
 * ahead of the PLC's queued reads in the worker that owns it, a read-back —
 * and every attempt is an audit entry with the principal `sparkplug`. A
 * refused or failed write is an outcome with its reason, never a throw.
 */
import { checkWriteValue, needsBitWrite, writeItem } from "../actors/plc_write.ts";
import type { WriteRequest, WriteResult } from "../actors/plc_write.ts";
import type { TagConfig } from "../model/config.ts";
import type { TagValue } from "../protocol/values.ts";
import type { WriteItem, WriteOutcome, WritePort } from "../sparkplug/commands.ts";
import type { Store } from "../store/store.ts";

/** The principal of Sparkplug writes in the audit log. */
export const SPARKPLUG_PRINCIPAL = "sparkplug";

/** What the port needs of the gateway. */
export interface SparkplugWriteDeps {
  readonly store: Pick<Store, "tags" | "audit">;
  /** Runs one PLC's write (DataPlane.write). */
  write(request: WriteRequest): Promise<WriteResult>;
  /** The tag's value now, for the audit entry's before. */
  current(tagId: number): TagValue | null;
}

/** Builds the port. */
export function sparkplugWritePort(deps: SparkplugWriteDeps): WritePort {
  return async (items: WriteItem[]): Promise<WriteOutcome[]> => {
    const outcomes: WriteOutcome[] = new Array(items.length);
    const byPlc = new Map<number, { index: number; tag: TagConfig; value: TagValue }[]>();
    const audit = (tag: TagConfig, value: unknown, after: Record<string, unknown>) =>
      deps.store.audit.record({
        user: SPARKPLUG_PRINCIPAL,
        action: "write",
        resource: "tags",
        resourceId: tag.code,
        before: { value: deps.current(tag.id) },
        after: { value, ...after },
      });
    for (const [index, item] of items.entries()) {
      let tag: TagConfig;
      try {
        tag = deps.store.tags.get(item.tagId);
      } catch {
        outcomes[index] = { tagId: item.tagId, ok: false, reason: "no such tag" };
        continue;
      }
      const refusal = !tag.writable
        ? `tag ${tag.code} is not writable`
        : needsBitWrite(tag)
        ? `tag ${tag.code} is a bit of a word and needs bitWrite`
        : checkWriteValue(tag, item.value);
      if (refusal) {
        audit(tag, item.value, { outcome: "refused", error: refusal });
        outcomes[index] = { tagId: item.tagId, ok: false, reason: refusal };
        continue;
      }
      const list = byPlc.get(tag.plcId) ?? [];
      list.push({ index, tag, value: item.value });
      byPlc.set(tag.plcId, list);
    }
    await Promise.all([...byPlc].map(async ([plcId, list]) => {
      const result = await deps.write({
        plcId,
        items: list.map((x) => writeItem(x.tag, x.value)),
      });
      for (const [k, x] of list.entries()) {
        const r = result.items[k]?.tagId === x.tag.id
          ? result.items[k]
          : result.items.find((i) => i.tagId === x.tag.id);
        const outcome = r?.outcome ?? result.outcome;
        audit(x.tag, x.value, {
          outcome,
          readBack: r?.readBack ?? null,
          ...(r?.error ?? result.error ? { error: r?.error ?? result.error } : {}),
        });
        outcomes[x.index] = outcome === "written"
          ? { tagId: x.tag.id, ok: true }
          : { tagId: x.tag.id, ok: false, reason: r?.error ?? result.error ?? outcome };
      }
    }));
    return items.map((i, k) => outcomes[k] ?? { tagId: i.tagId, ok: false, reason: "not written" });
  };
}

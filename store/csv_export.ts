/**
 * CSV export of the plant: the same files and columns the importer reads
 * (csv_format.ts), rows in id order (the order records were created, so a
 * file imported into an empty store exports back byte-identical), written
 * with csv-stringify as the sample plant's files are.
 */
import { stringify } from "csv-stringify/sync";
import type { PlantConfig } from "../model/config.ts";
import {
  cellText,
  type CodeResource,
  CSV_COLUMNS,
  CSV_RESOURCES,
  csvFileName,
  type CsvResource,
} from "./csv_format.ts";
import type { Store } from "./store.ts";

const RECORDS: Record<CsvResource, keyof PlantConfig> = {
  lines: "lines",
  processes: "processes",
  plcs: "plcs",
  groups: "groups",
  tags: "tags",
  alarms: "alarmRules",
};

/** One file of a plant snapshot as CSV text (header included, `\n` line ends). */
export function plantCsv(plant: PlantConfig, resource: CsvResource): string {
  const codes = new Map<CodeResource, Map<number, string>>(
    (["lines", "processes", "plcs", "groups", "tags"] as const).map((r) => [
      r,
      new Map(plant[r].map((x) => [x.id, x.code])),
    ]),
  );
  const records = plant[RECORDS[resource]] as unknown as Record<string, unknown>[];
  const columns = CSV_COLUMNS[resource].filter((c) =>
    !c.optional || records.some((r) => r[c.field] !== ("default" in c ? c.default : true))
  );
  const rows = records.map((r) =>
    columns.map((c) => {
      if (c.blank?.(r)) return "";
      const value = r[c.field];
      return cellText(c.kind === "ref" ? codes.get(c.ref!)!.get(value as number) : value);
    })
  );
  return stringify(rows, {
    header: true,
    columns: columns.map((c) => c.name),
    record_delimiter: "unix",
  });
}

/** One resource of the store as CSV text. */
export function exportCsv(store: Store, resource: CsvResource): string {
  return plantCsv(store.loadPlant(), resource);
}

/** Every resource of the store, from one snapshot: file name (`tags.csv`) → CSV text. */
export function exportAllCsv(store: Store): Record<string, string> {
  const plant = store.loadPlant();
  return Object.fromEntries(CSV_RESOURCES.map((r) => [csvFileName(r), plantCsv(plant, r)]));
}

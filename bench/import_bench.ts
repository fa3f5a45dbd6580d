/**
 * CSV import and export of the sample plant (2 lines, 4 processes, 4 PLCs, 10
 * groups, 3,491 tags, 19 alarm rules): into an empty in-memory store, into a
 * file store (WAL), a re-import that changes nothing, a dry run, and the
 * export. The target for docs/benchmarks.md: the whole plant in under 1 s.
 */
import { exportAllCsv } from "../store/csv_export.ts";
import { importCsv } from "../store/csv_import.ts";
import { samplePlantFiles } from "../store/startup.ts";
import { openStore } from "../store/store.ts";

const files = samplePlantFiles();

function importInto(path: string): void {
  const store = openStore(path);
  try {
    const report = importCsv(store, files);
    if (!report.ok) throw new Error(report.issues[0].message);
  } finally {
    store.close();
  }
}

Deno.bench("import the sample plant (3,491 tags) into an empty in-memory store", {
  group: "import",
  baseline: true,
}, () => importInto(":memory:"));

const dir = Deno.makeTempDirSync();
let n = 0;
Deno.bench(
  "import the sample plant into an empty config.db file (WAL)",
  { group: "import" },
  () => importInto(`${dir}/config-${n++}.db`),
);

const loaded = openStore(":memory:");
importCsv(loaded, files);

Deno.bench(
  "re-import the sample plant unchanged (merge, every row compared)",
  { group: "import" },
  () => {
    importCsv(loaded, files);
  },
);

Deno.bench("dry run of the sample plant (validate all, roll back)", { group: "import" }, () => {
  importCsv(loaded, files, { dryRun: true, mode: "replace" });
});

Deno.bench("export the sample plant to six CSV texts", () => {
  exportAllCsv(loaded);
});

globalThis.addEventListener("unload", () => {
  loaded.close();
  Deno.removeSync(dir, { recursive: true });
});

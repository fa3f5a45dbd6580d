import assert from "node:assert/strict";
import { parseByteSize, readJournalSettings } from "./journal_settings.ts";

const read = (
  flags: { maxBytes?: string; minFreeBytes?: string },
  env: Record<string, string> = {},
) => readJournalSettings(flags, (n) => env[n]);

Deno.test("the journal keeps 1 GiB at most and leaves 256 MiB free by default", () => {
  assert.deepEqual(read({}), { journalMaxBytes: 1024 ** 3, journalMinFreeBytes: 256 * 1024 ** 2 });
});

Deno.test("journal sizes come from flags first, the environment second, with units", () => {
  const env = { JSSCADA_JOURNAL_MAX_BYTES: "4GiB", JSSCADA_JOURNAL_MIN_FREE_BYTES: "0" };
  assert.deepEqual(read({}, env), { journalMaxBytes: 4 * 1024 ** 3, journalMinFreeBytes: 0 });
  assert.deepEqual(read({ maxBytes: "512M", minFreeBytes: "1GB" }, env), {
    journalMaxBytes: 512 * 1024 ** 2,
    journalMinFreeBytes: 1_000_000_000,
  });
});

Deno.test("a bad journal size is refused with a sentence naming the flag", () => {
  assert.throws(() => read({ maxBytes: "lots" }), /--journal-max-bytes must be a size.*not "lots"/);
  assert.throws(() => read({ maxBytes: "1000" }), /at least 1048576/);
  assert.throws(
    () => read({}, { JSSCADA_JOURNAL_MIN_FREE_BYTES: "-5" }),
    /--journal-min-free-bytes/,
  );
});

Deno.test("sizes read bytes and binary or decimal units", () => {
  assert.equal(parseByteSize("1073741824"), 1024 ** 3);
  assert.equal(parseByteSize("1.5 GiB"), 1.5 * 1024 ** 3);
  assert.equal(parseByteSize("256mb"), 256_000_000);
  assert.equal(parseByteSize("256m"), 256 * 1024 ** 2);
  assert.equal(parseByteSize("12 parsecs"), undefined);
  assert.equal(parseByteSize(""), undefined);
});

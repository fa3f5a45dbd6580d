/**
 * Does publishing Sparkplug B cost the pollers or the historian anything?
 * Runs `serve --demo` (sample plant, fixture PLCs in their worker) for a
 * window without and then with `--mqtt-url` to a local mosquitto, and
 * compares, from /metrics: values stored per second, FIXED ticks due and
 * skipped, and (with Sparkplug) values published per second.
 *
 *   deno run -A bench/sparkplug_gateway_bench.ts [seconds per window, default 30]
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { REPO_ROOT, ServeProcess, sleep } from "../e2e/testing.ts";
import { haveMosquitto, Mosquitto } from "../sparkplug/testing.ts";

const SECONDS = Number(Deno.args[0] ?? 30);
const SERVING = /JSScada is serving (\S+)/;

interface Family {
  name: string;
  metrics: { labels?: Record<string, string>; value?: string }[];
}

async function counters(base: string) {
  const families = parsePrometheusTextFormat(
    await (await fetch(`${base}/metrics`)).text(),
  ) as Family[];
  const sum = (name: string) =>
    families.find((f) => f.name === name)?.metrics.reduce((a, m) => a + Number(m.value), 0) ?? 0;
  return {
    at: performance.now(),
    written: sum("jsscada_writer_written_samples_total"),
    cycles: sum("jsscada_group_cycles_total"),
    overruns: sum("jsscada_group_overruns_total"),
    published: sum("jsscada_sparkplug_published_values_total"),
  };
}

async function window(extra: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "jsscada_spb_gw_" });
  const serve = new ServeProcess([
    ...["--demo", "--fixture-ports", "any", "--port", "0", "--data-dir", dir, "--quiet"],
    ...extra,
  ]);
  try {
    const base = (await serve.waitForOutput(SERVING, 60_000))[1].replace("localhost", "127.0.0.1");
    await sleep(5_000);
    const a = await counters(base);
    await sleep(SECONDS * 1000);
    const b = await counters(base);
    const s = (b.at - a.at) / 1000;
    const cycles = b.cycles - a.cycles, overruns = b.overruns - a.overruns;
    return `${Math.round((b.written - a.written) / s)} values/s stored, ` +
      `${overruns} of ${cycles + overruns} ticks skipped, ` +
      `${Math.round((b.published - a.published) / s)} values/s published`;
  } finally {
    await serve.stop("SIGTERM");
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  if (!haveMosquitto()) Deno.exit(0);
  console.log(`repository ${REPO_ROOT}, ${SECONDS} s per window`);
  console.log(`without Sparkplug: ${await window([])}`);
  const broker = await Mosquitto.start();
  try {
    console.log(`with Sparkplug:    ${await window(["--mqtt-url", broker.url])}`);
  } finally {
    await broker.stop();
  }
}

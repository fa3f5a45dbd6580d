/**
 * Operators' writes and the ISA-101 overview in the browser, end to end:
 * Debian's headless Chromium (playwright-core) against a gateway that polls
 * the sample plant's fixture PLCs, with ten writable setpoints added, five
 * on the paint PLC and five on the weld PLC.
 *
 * - an operator opens a setpoint's faceplate from the dense tag table,
 *   types a value, sees the confirmation old → new, confirms, and the value
 *   reaches the fixture PLC's memory and comes back in the faceplate (time
 *   from Confirm to the read-back shown is measured);
 * - a value past the tag's limit is refused with the message beside the
 *   field: once by the page's own check, once by the server (the limit
 *   tightened after the faceplate opened);
 * - a recipe of 10 tags over two PLCs (POST /api/v1/writes) lands in both
 *   fixture PLCs with one audit entry per tag;
 * - a viewer's faceplate has no write control;
 * - a fixture PLC that refuses connections is the one PLC tile in alarm
 *   colour;
 * - screenshots at 1366×768, 1920×1080 and 1024×768, and no console error
 *   or CSP violation (the expected 422 of the server-side refusal aside).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Browser, Page } from "playwright-core";
import type { Gateway } from "../gateway/gateway.ts";
import { type HttpServer, startHttpServer } from "../gateway/http_server.ts";
import { openDataDirStore } from "../store/store.ts";
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  launchChromium,
  PageWatch,
  screenshot,
} from "./browser_testing.ts";
import {
  E2E_ENV,
  prepareDataDir,
  startE2eGateway,
  startPlant,
  waitConnected,
  waitFor,
} from "./testing.ts";

const HAVE_CHROMIUM = chromiumAvailable();
if (!HAVE_CHROMIUM) {
  console.warn(`\n!!! ${CHROMIUM_PATH} is missing: the browser write tests are SKIPPED.\n`);
}

const PASSWORD = "e2e operator battery staple";
const PAINT = "PLCPAINT010001";
const WELD = "PLCWELD0100001";
/** Free words of both fixture PLCs (no signal drives them). */
const BASE_WORD = 4000;

/** The writable tags: E2E_SP0–4 on the paint PLC, E2E_SP5–9 on the weld PLC (INT16, ×0.1 °C). */
const SETPOINTS = Array.from({ length: 10 }, (_, i) => ({
  code: `E2E_SP${i}`,
  plc: i < 5 ? PAINT : WELD,
  group: i < 5 ? "PAINT_BOOTH" : "WELD_PROCESS",
  address: `D${BASE_WORD + (i % 5)}`,
}));

/** Adds the writable setpoints and an operator and a viewer to the data directory's store. */
async function addWritesSetup(dataDir: string): Promise<void> {
  const store = openDataDirStore(dataDir);
  try {
    for (const sp of SETPOINTS) {
      store.tags.create({
        code: sp.code,
        name: `E2E setpoint ${sp.code.slice(-1)}`,
        plcId: store.plcs.getByCode(sp.plc).id,
        groupId: store.groups.getByCode(sp.group).id,
        address: sp.address,
        dataType: "INT16",
        scale: 0.1,
        unit: "°C",
        writable: true,
        writeMin: 0,
        writeMax: 100,
      });
    }
    store.tags.create({
      code: "E2E_CMD",
      name: "E2E command bit",
      plcId: store.plcs.getByCode(PAINT).id,
      groupId: store.groups.getByCode("PAINT_BOOTH").id,
      address: "M7000",
      dataType: "BOOL",
      writable: true,
    });
    await store.users.create({ name: "op", role: "operator", password: PASSWORD });
    await store.users.create({ name: "viewer", role: "viewer", password: PASSWORD });
  } finally {
    store.close();
  }
}

Deno.test({
  name: "browser writes: faceplate setpoint with confirmation reaches the PLC and reads back, " +
    "limit refusals beside the field, recipe of 10 tags over two PLCs, no write control for " +
    "viewers, one failed PLC in alarm colour, screenshots, no console error or CSP violation",
  ignore: !HAVE_CHROMIUM,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "jsscada-e2e-writes-" });
    const plant = await startPlant();
    let gw: Gateway | undefined;
    let http: HttpServer | undefined;
    let browser: Browser | undefined;
    const report: string[] = [];
    const shots: string[] = [];
    try {
      prepareDataDir(dataDir, plant);
      await addWritesSetup(dataDir);
      gw = await startE2eGateway(dataDir);
      http = await startHttpServer(gw, {
        hostname: "127.0.0.1",
        port: 0,
        tls: undefined,
        anonymousRead: false,
        rateLimitPerMinute: 0,
      });
      const base = `http://127.0.0.1:${http.port}`;
      await waitConnected(gw, 10_000);
      browser = await launchChromium();
      const watches: PageWatch[] = [];
      const open = async (user: string, password: string, width = 1366, height = 768) => {
        const context = await browser!.newContext({
          baseURL: base,
          viewport: { width, height },
          locale: "en-US",
          reducedMotion: "reduce",
        });
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        watches.push(await PageWatch.attach(page));
        await page.goto("/login?next=%2Fmonitor");
        await page.getByTestId("login-name").fill(user);
        await page.getByTestId("login-password").fill(password);
        await page.getByTestId("login-submit").click();
        await page.waitForURL((u) => u.pathname === "/monitor");
        await page.locator("body[data-ready=true]").waitFor();
        await page.locator("[data-testid=conn-state][data-state=open]").waitFor();
        return { context, page };
      };
      const shot = async (p: Page, name: string) => void shots.push(await screenshot(p, name));
      const fixtureValue = (plc: string, address: string) =>
        plant.plc(plc).getValue(address, "INT16") as number;

      const { context: opContext, page } = await open("op", PASSWORD);

      await t.step("at least 20 tag rows are in view at 1366×768", async () => {
        const visible = await visibleRows(page);
        report.push(`tag rows visible at 1366×768: ${visible}`);
        assert.ok(visible >= 20, `only ${visible} rows in view`);
        // The time column is the last change of the value (REST's ts is the poll time): it says so.
        const time = page.locator("#tag-table th.c-time button");
        assert.equal((await time.textContent())?.trim(), "Changed");
        assert.match((await time.getAttribute("title"))!, /last change/);
        await shot(page, "writes-1366x768-monitor");
      });

      await t.step(
        "an operator writes a setpoint through the faceplate, confirmed old → new",
        async () => {
          await page.getByTestId("tag-search").fill("E2E_SP0");
          await page.locator('#tag-rows tr[data-tag-code="E2E_SP0"] td[data-col=name]').click();
          const fp = page.getByTestId("faceplate");
          await fp.waitFor();
          await fp.getByTestId("faceplate-setpoint").fill("42.5");
          await fp.getByTestId("faceplate-write").click();
          const change = fp.getByTestId("faceplate-change");
          await change.waitFor();
          assert.match((await change.textContent())!, /→\s*42\.5 °C/);
          assert.equal(fixtureValue(PAINT, "D4000"), 0, "nothing is written before Confirm");
          await shot(page, "writes-1366x768-faceplate-confirm");
          const t0 = performance.now();
          await fp.getByTestId("faceplate-confirm").click();
          const result = fp.getByTestId("faceplate-result");
          await result.waitFor();
          const confirmToReadBack = performance.now() - t0;
          report.push(
            `Confirm → read-back shown in the faceplate: ${confirmToReadBack.toFixed(0)} ms`,
          );
          assert.equal(await result.getAttribute("data-read-back"), "42.5");
          assert.equal(fixtureValue(PAINT, "D4000"), 425, "raw 425 = 42.5 °C / 0.1 in the PLC");
          assert.equal((await fp.getByTestId("faceplate-value").textContent())?.trim(), "42.5");
          await shot(page, "writes-1366x768-faceplate-written");
        },
      );

      await t.step(
        "a value past the limit is refused with the message beside the field",
        async () => {
          const fp = page.getByTestId("faceplate");
          const error = fp.getByTestId("faceplate-error");
          await fp.getByTestId("faceplate-setpoint").fill("150");
          await fp.getByTestId("faceplate-write").click();
          await error.waitFor();
          assert.match(
            (await error.textContent())!,
            /150 °C is above the highest value allowed, 100 °C/,
          );
          // The server's own check: the limit tightened after the faceplate opened.
          const store = openDataDirStore(dataDir);
          try {
            store.tags.update(store.tags.getByCode("E2E_SP0").id, { writeMax: 50 });
          } finally {
            store.close();
          }
          await fp.getByTestId("faceplate-setpoint").fill("60");
          await fp.getByTestId("faceplate-write").click();
          await fp.getByTestId("faceplate-confirm").click();
          await error.filter({ hasText: /writeMax: 60 °C is above/ }).waitFor();
          assert.equal(
            fixtureValue(PAINT, "D4000"),
            425,
            "the refused value never reached the PLC",
          );
          await shot(page, "writes-1366x768-faceplate-refused");
          await fp.getByTestId("faceplate-close").click();
          await fp.waitFor({ state: "detached" });
        },
      );

      await t.step(
        "an operator switches a command bit ON and OFF (bit units), each confirmed",
        async () => {
          await page.getByTestId("tag-search").fill("E2E_CMD");
          await page.locator('#tag-rows tr[data-tag-code="E2E_CMD"] td[data-col=name]').click();
          const fp = page.getByTestId("faceplate");
          for (
            const [button, want] of [["faceplate-on", true], ["faceplate-off", false]] as const
          ) {
            await fp.getByTestId(button).click();
            await fp.getByTestId("faceplate-change").waitFor();
            await fp.getByTestId("faceplate-confirm").click();
            await fp.locator(`[data-testid=faceplate-result][data-read-back="${want}"]`).waitFor();
            assert.equal(plant.plc(PAINT).getValue("M7000", "BOOL"), want);
          }
          await shot(page, "writes-1366x768-faceplate-bool");
          await fp.getByTestId("faceplate-close").click();
          await fp.waitFor({ state: "detached" });
        },
      );

      await t.step(
        "a recipe of 10 tags over two PLCs lands in both, one audit entry per tag",
        async () => {
          const items = SETPOINTS.map((sp, i) => ({ tag: sp.code, value: 10 + i }));
          const t0 = performance.now();
          const res = await opContext.request.post(`${base}/api/v1/writes`, {
            data: { items, comment: "e2e recipe" },
            headers: { "X-Requested-With": "jsscada" },
          });
          const took = performance.now() - t0;
          const body = await res.json();
          assert.equal(res.status(), 200, JSON.stringify(body));
          assert.equal(body.outcome, "written");
          assert.deepEqual(
            body.items.map((i: { readBack: number }) => i.readBack),
            items.map((i) => i.value),
          );
          assert.deepEqual(
            body.plcs.map((p: { plc: string; requests: number }) => [p.plc, p.requests]).sort(),
            [[PAINT, 1], [WELD, 1]],
            "five adjacent words per PLC: one block write each",
          );
          for (const [i, sp] of SETPOINTS.entries()) {
            assert.equal(fixtureValue(sp.plc, sp.address), (10 + i) * 10, sp.code);
          }
          report.push(
            `recipe of 10 tags over 2 PLCs: ${took.toFixed(0)} ms (server ${body.ms} ms)`,
          );
          const store = openDataDirStore(dataDir);
          try {
            const audit = store.audit.list({ action: "write", limit: 100 }).items;
            const recipe = audit.filter((e) => (e.after as { recipe?: boolean }).recipe);
            assert.equal(recipe.length, 10);
            assert.ok(recipe.every((e) => e.user === "op"));
          } finally {
            store.close();
          }
        },
      );

      await t.step(
        "admin at 1366 px: runtime rows on one line with every column in view; CSV numbers under their headers",
        async () => {
          const { page: admin } = await open("admin", E2E_ENV.JSSCADA_ADMIN_PASSWORD);
          await admin.goto("/admin#runtime");
          await admin.locator("[data-testid=runtime-groups] tbody tr").first().waitFor();
          const fit = await admin.evaluate<{ overflow: number; tallest: number }>(`(() => {
          const table = document.querySelector("[data-testid=runtime-groups]");
          const rows = [...table.querySelectorAll("tbody tr")];
          return {
            overflow: table.getBoundingClientRect().right - document.documentElement.clientWidth,
            tallest: Math.max(...rows.map((r) => r.getBoundingClientRect().height)),
          };
        })()`);
          report.push(
            `admin runtime at 1366 px: table overflow ${fit.overflow.toFixed(0)} px, ` +
              `tallest row ${fit.tallest.toFixed(0)} px`,
          );
          await shot(admin, "writes-1366x768-admin-runtime");
          assert.ok(fit.overflow <= 0, `the runtime table runs ${fit.overflow} px off-screen`);
          assert.ok(fit.tallest <= 60, `a runtime row is ${fit.tallest} px tall`);
          await admin.goto("/admin#csv");
          await admin.getByTestId("view-csv").waitFor();
          await admin.getByTestId("csv-resource").selectOption("tags");
          await admin.getByTestId("csv-file").setInputFiles({
            name: "tags.csv",
            mimeType: "text/csv",
            buffer: Buffer.from(
              "code,name,description,plc,group,address,data_type,length,scale,offset,unit,deadband,enabled\n" +
                "E2E_CSV_T,CSV tag,,PLCPAINT010001,PAINT_BOOTH,D4100,INT16,,1,0,,,true\n",
            ),
          });
          await admin.getByTestId("csv-check").click();
          await admin.locator("[data-testid=csv-counts] tbody tr").first().waitFor();
          // A right-aligned number under a left-aligned header reads as the next column's.
          const misplaced = await admin.evaluate<string[]>(`(() => {
          const table = document.querySelector("[data-testid=csv-counts]");
          const heads = [...table.querySelectorAll("thead th")];
          const out = [];
          for (const tr of table.querySelectorAll("tbody tr")) {
            [...tr.cells].forEach((td, i) => {
              const a = getComputedStyle(td).textAlign, b = getComputedStyle(heads[i]).textAlign;
              if (a !== b) out.push(heads[i].textContent + ": " + a + " under " + b);
            });
          }
          return out;
        })()`);
          assert.deepEqual(misplaced, [], "each count sits under its own header");
          await shot(admin, "writes-1366x768-admin-csv-check");
          await admin.setViewportSize({ width: 1024, height: 768 });
          await admin.goto("/admin#runtime");
          await admin.locator("[data-testid=runtime-groups] tbody tr").first().waitFor();
          await shot(admin, "writes-1024x768-admin-runtime");
          await admin.context().close();
        },
      );

      await t.step("a viewer's faceplate has no write control", async () => {
        const { page: viewer } = await open("viewer", PASSWORD);
        await viewer.getByTestId("tag-search").fill("E2E_SP1");
        await viewer.locator('#tag-rows tr[data-tag-code="E2E_SP1"] td[data-col=name]').click();
        const fp = viewer.getByTestId("faceplate");
        await fp.getByTestId("faceplate-value").waitFor();
        assert.equal(await fp.getByTestId("faceplate-setpoint").count(), 0);
        assert.equal(await fp.getByTestId("faceplate-write").count(), 0);
        assert.equal(await fp.locator("button:not([data-testid=faceplate-close])").count(), 0);
        await shot(viewer, "writes-1366x768-viewer-faceplate");
        await viewer.context().close();
      });

      await t.step("a failed PLC is the only tile in alarm colour", async () => {
        await page.getByTestId("tag-search").fill("");
        plant.plc("PLCASSY0100001").faults.set({ kind: "refuse" });
        const failed = page.locator('[data-plc-code="PLCASSY0100001"][data-level="bad"]');
        await failed.waitFor({ timeout: 20_000 });
        const levels = await page.evaluate<[string, string][]>(
          `[...document.querySelectorAll("li[data-plc-code]")]
            .map((e) => [e.dataset.plcCode, e.dataset.level])`,
        );
        assert.deepEqual(
          levels.filter(([, l]) => l === "bad").map(([c]) => c),
          ["PLCASSY0100001"],
          JSON.stringify(levels),
        );
        const borders = await page.evaluate<string[]>(
          `[...document.querySelectorAll("li[data-plc-code]")]
            .map((e) => getComputedStyle(e).borderTopColor)`,
        );
        const red = "rgb(179, 38, 30)";
        // Fold every PLC's groups: the four tiles fit the sidebar at 1366×768.
        const unfolded = page.locator("li[data-plc-code] .fold[aria-expanded=true]");
        while (await unfolded.count() > 0) await unfolded.first().click();
        await failed.scrollIntoViewIfNeeded();
        assert.ok(await failed.isVisible());
        assert.equal(borders.filter((b) => b === red).length, 1, JSON.stringify(borders));
        // Its error says when it happened, in red while it is what is wrong now.
        const error = failed.locator(":scope > [data-field=error][data-kind=current]");
        await error.waitFor();
        assert.match((await error.textContent())!, /^\d\d:\d\d:\d\d \S/);
        await shot(page, "writes-1366x768-overview-failed-plc");
        for (const [w, h] of [[1920, 1080], [1024, 768]]) {
          await page.setViewportSize({ width: w, height: h });
          await page.waitForTimeout(300);
          await shot(page, `writes-${w}x${h}-overview-failed-plc`);
        }
        await page.locator('#tag-rows tr[data-tag-code="E2E_SP0"]').count();
        await page.getByTestId("tag-search").fill("E2E_SP");
        await page.locator('#tag-rows tr[data-tag-code="E2E_SP0"] td[data-col=name]').click();
        await page.getByTestId("faceplate").waitFor();
        await shot(page, "writes-1024x768-faceplate");
        await page.getByTestId("faceplate-close").click();
        await page.setViewportSize({ width: 1920, height: 1080 });
        await page.locator('#tag-rows tr[data-tag-code="E2E_SP0"] td[data-col=name]').click();
        await page.getByTestId("faceplate").waitFor();
        await shot(page, "writes-1920x1080-faceplate");
        await page.getByTestId("faceplate-close").click();
        plant.plc("PLCASSY0100001").faults.clear();
        await waitFor(
          "PLCASSY0100001 to reconnect",
          () => gw!.runtime.status().plcs.every((p) => p.status?.state === "connected"),
          20_000,
        );
        // After recovery: no alarm colour, and a muted "last error at hh:mm:ss".
        const tile = page.locator('li[data-plc-code="PLCASSY0100001"]');
        await tile.locator(":scope > [data-field=error][data-kind=past]", {
          hasText: /^last error at \d\d:\d\d:\d\d$/,
        })
          .waitFor({ timeout: 15_000 });
        assert.notEqual(await tile.getAttribute("data-level"), "bad");
        await shot(page, "writes-1920x1080-overview-recovered");
      });

      await t.step(
        "the trend of two setpoints draws on the 24-hour clock, fitted to the data",
        async () => {
          await page.setViewportSize({ width: 1366, height: 768 });
          await page.getByTestId("tag-search").fill("E2E_SP");
          for (const code of ["E2E_SP0", "E2E_SP5"]) {
            await page.locator(`#tag-rows tr[data-tag-code="${code}"] button[data-trend]`).click();
          }
          await page.getByTestId("tab-trend").click();
          await page.locator('#trend-ranges button[data-range="1h"]').click();
          await page.locator("#trend-chart:not([aria-busy]) .uplot canvas").waitFor();
          await shot(page, "writes-1366x768-trend");
        },
      );

      await t.step("no page logged a console error, threw, or violated the CSP", () => {
        // The server-side refusal above is a 422 on purpose; the browser logs it as a failed load.
        const expected = /Failed to load resource: .* 422 .*\/api\/v1\/tags\/E2E_SP0\/write/;
        const all = watches.map((w) => w.report()).join("\n");
        for (const w of watches) {
          assert.deepEqual(w.csp, [], `CSP violations\n${all}`);
          assert.deepEqual(w.errors.filter((e) => !expected.test(e)), [], `console errors\n${all}`);
        }
        return Promise.resolve();
      });
    } finally {
      await browser?.close();
      await http?.shutdown();
      await gw?.stop();
      await plant.close();
      await Deno.remove(dataDir, { recursive: true });
      console.log([...report, `screenshots (${shots.length}):`, ...shots.map((s) => `  ${s}`)]
        .join("\n"));
    }
  },
});

/** Tag rows whose whole height lies inside the table's scrolling box. */
function visibleRows(page: Page): Promise<number> {
  return page.evaluate<number>(`(() => {
    const box = document.getElementById("tag-scroller").getBoundingClientRect();
    const head = document.querySelector("#tag-table thead").getBoundingClientRect();
    const top = Math.max(box.top, head.bottom);
    return [...document.querySelectorAll("#tag-rows tr.row:not([hidden])")]
      .filter((tr) => {
        const r = tr.getBoundingClientRect();
        return r.top >= top - 1 && r.bottom <= box.bottom + 1;
      }).length;
  })()`);
}

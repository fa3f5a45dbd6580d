/**
 * The browser UI end to end: Debian's headless Chromium, driven by
 * playwright-core, against a gateway that polls the sample plant's fixture
 * PLCs. An admin logs in through the login page; a tag's value changes live
 * over the WebSocket; OVEN01_TEMP's HI alarm, raised by the fixture's sine,
 * is acknowledged with a comment and then clears by itself; a tags CSV with
 * one bad row is checked (the error shown by row and column), fixed and
 * applied; a GX Works3 label export is imported as tags of the paint PLC;
 * PAINT_BOOTH's interval is edited and the runtime follows. Every
 * page and admin tab is saved as a screenshot under artifacts/screenshots/,
 * and no page may log a console error, throw, or violate the
 * Content-Security-Policy.
 *
 * One gateway and one browser serve all the steps, in order: each step
 * starts where the one before it left the page.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Gateway } from "../gateway/gateway.ts";
import { type HttpServer, startHttpServer } from "../gateway/http_server.ts";
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  clearScreenshots,
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
  console.warn(
    `\n!!!!!!!!\n!!! ${CHROMIUM_PATH} is missing: the browser tests are SKIPPED.\n` +
      `!!! Install Debian's Chromium: apt-get install -y chromium\n!!!!!!!!\n`,
  );
}

/** OVEN01_TEMP (PLCPAINT010001 D3000): 180 ± 15 °C sine over 20 s from the fixture's start. */
const OVEN_PERIOD_MS = 20_000;
/** Its HI alarm's message (alarms.csv). */
const OVEN_HI = "Oven zone 1 temperature high";
/** The comment given with the acknowledgement. */
const ACK_COMMENT = "e2e: oven checked, door seal ok";

const CSV_HEADER =
  "code,name,description,plc,group,address,data_type,length,scale,offset,unit,deadband,enabled";
/** Two new tags on free words of the paint PLC; the second has a data type that does not exist. */
const CSV_BAD = [
  CSV_HEADER,
  "E2E_OVEN_AUX,Oven auxiliary temperature,,PLCPAINT010001,PAINT_BOOTH,D3500,FLOAT32,,1,0,°C,,true",
  "E2E_OVEN_FAN,Oven auxiliary fan speed,,PLCPAINT010001,PAINT_BOOTH,D3502,FLOAT33,,0.1,0,%,,true",
  "",
].join("\n");
const CSV_FIXED = CSV_BAD.replace("FLOAT33", "INT16");

interface GroupView {
  code: string;
  intervalMs: number | null;
  running: boolean;
  cycles: number;
  state: string;
}

Deno.test({
  name: "browser: log in, live value, alarm acknowledged and cleared, CSV import with a bad row, " +
    "group interval edit, screenshots, and no console error or CSP violation on any page",
  ignore: !HAVE_CHROMIUM,
  async fn(t) {
    const started = performance.now();
    const dataDir = await Deno.makeTempDir({ prefix: "jsscada-e2e-browser-" });
    const plant = await startPlant();
    let gw: Gateway | undefined;
    let http: HttpServer | undefined;
    let browser: Browser | undefined;
    const timings: string[] = [];
    const shots: string[] = [];
    try {
      prepareDataDir(dataDir, plant);
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
      await clearScreenshots();
      browser = await launchChromium();
      const context = await browser.newContext({
        baseURL: base,
        viewport: { width: 1366, height: 768 },
        locale: "en-US",
        reducedMotion: "reduce",
      });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const watch = await PageWatch.attach(page);
      const watches = [watch];
      const shot = async (p: Page, name: string) => void shots.push(await screenshot(p, name));
      const get = <T>(path: string) => apiGet<T>(context, `${base}/api/v1/${path}`);
      const paintBooth = async () =>
        (await get<{ groups: GroupView[] }>("runtime")).groups.find((g) =>
          g.code === "PAINT_BOOTH"
        )!;

      /** Runs a step, timing it; a failing step leaves a screenshot of where it stopped. */
      const step = async (name: string, fn: () => Promise<void>) => {
        const t0 = performance.now();
        const ok = await t.step(name, async () => {
          try {
            await fn();
          } catch (e) {
            await shot(page, `failed-${name.replace(/\W+/g, "-")}`).catch(() => {});
            throw e;
          }
        });
        timings.push(`${ok ? "ok    " : "FAILED"} ${ms(performance.now() - t0)}  ${name}`);
      };

      await step("an admin logs in through the login page", async () => {
        await page.goto("/monitor");
        // No session: the server sends the browser to the login page, which returns to the monitor.
        await page.waitForURL((u) => u.pathname === "/login" && u.search === "?next=%2Fmonitor");
        await page.getByTestId("login-name").fill("admin");
        await page.getByTestId("login-password").fill(E2E_ENV.JSSCADA_ADMIN_PASSWORD);
        await shot(page, "01-login");
        await page.getByTestId("login-submit").click();
        await page.waitForURL((u) => u.pathname === "/monitor");
        await page.locator("body[data-ready=true]").waitFor();
        assert.equal(await page.getByTestId("user-name").textContent(), "admin");
        assert.equal(await page.getByTestId("user-role").getAttribute("data-role"), "admin");
      });

      await step("a login's ?next= cannot send the browser to another site", async () => {
        // "/\t/evil.example": a URL parser drops the tab and reads "//evil.example".
        await page.goto("/login?next=%2F%09%2Fevil.example");
        await page.getByTestId("login-name").fill("admin");
        await page.getByTestId("login-password").fill(E2E_ENV.JSSCADA_ADMIN_PASSWORD);
        await page.getByTestId("login-submit").click();
        await page.waitForURL((u) => u.origin === base && u.pathname === "/monitor");
        await page.locator("body[data-ready=true]").waitFor();
        assert.equal(new URL(page.url()).origin, base);
      });

      await step("the monitor shows a tag's value changing live over the WebSocket", async () => {
        await page.locator("[data-testid=conn-state][data-state=open]").waitFor();
        await page.getByTestId("tag-search").fill("PRESS01_POS");
        const row = page.locator('#tag-rows tr[data-tag-code="PRESS01_POS"]');
        await row.waitFor();
        const value = row.locator("td[data-col=value]");
        const time = row.locator("td[data-col=time]");
        // PRESS01_POS ramps 0–600 mm every 4.25 s and is polled every 100 ms.
        const restBefore = valueRequests(watch).length;
        const values = new Set([await value.textContent()]);
        const times = new Set([await time.textContent()]);
        await waitFor(
          "PRESS01_POS to show 4 different values",
          async () => {
            values.add(await value.textContent());
            times.add(await time.textContent());
            return values.size >= 4;
          },
          5000,
          25,
        );
        // The time cell shows seconds: it changes too, within a second or so.
        await waitFor(
          "PRESS01_POS's time to change",
          async () => {
            times.add(await time.textContent());
            return times.size >= 2;
          },
          3000,
          25,
        );
        for (const v of values) assert.match(v ?? "", /^-?[\d,]+(\.\d+)?$/, "a number is shown");
        assert.deepEqual(
          valueRequests(watch).slice(restBefore),
          [],
          "the values came over the WebSocket, not by polling REST",
        );
        assert.equal(await page.getByTestId("conn-state").getAttribute("data-state"), "open");
        // Into the trend, then the whole table for the screenshot.
        await row.locator("button[data-trend]").click();
        await page.getByTestId("tag-search").fill("");
        await page.getByTestId("tag-count").filter({ hasText: /^([\d,]+) of \1 tags$/ }).waitFor();
        await shot(page, "02-monitor-tags");
        await page.getByTestId("tab-trend").click();
        await page.locator('#trend-ranges button[data-range="10m"]').click();
        await page.locator("#trend-chart:not([aria-busy]) .uplot canvas").waitFor();
        await page.locator('#trend-tags [data-tag-code="PRESS01_POS"]').waitFor();
        assert.match(await page.getByTestId("trend-status").textContent() ?? "", / – /);
        await shot(page, "03-monitor-trend");
      });

      await step(
        "OVEN01_TEMP's HI alarm is raised by the signal, acknowledged, then cleared",
        async () => {
          const paint = plant.plc("PLCPAINT010001");
          const phase = () => (Date.now() - paint.startedAt) % OVEN_PERIOD_MS;
          await page.getByTestId("alarm-banner").click();
          await page.locator("#panel-alarms").waitFor({ state: "visible" });
          const row = page.locator("#alarm-rows tr.alarm-row", { hasText: OVEN_HI });
          // The sine passes 190 °C 2.3 s into each period and falls below 188 °C at 8.2 s
          // (PAINT_BOOTH reads it every second): wait for a raise with time left to acknowledge.
          const t0 = Date.now();
          const raisedPhase = await waitFor(
            "OVEN01_TEMP HI active and unacknowledged, at least 2 s before it clears",
            async () => {
              const p = phase();
              return p >= 2000 && p < 6000 && await row.count() === 1 &&
                  (await row.getAttribute("data-state")) === "active-unacknowledged"
                ? p
                : 0;
            },
            OVEN_PERIOD_MS + 5000,
            50,
          );
          const banner = page.getByTestId("alarm-banner");
          assert.ok(Number(await banner.getAttribute("data-unacked")) >= 1, "the banner counts it");
          assert.match(await row.textContent() ?? "", /OVEN01_TEMP/);
          const waited = Date.now() - t0;

          await row.locator('button[data-action="acknowledge"]').click();
          const dialog = page.getByTestId("acknowledge-dialog");
          await dialog.locator('textarea[data-field="comment"]').fill(ACK_COMMENT);
          await dialog.getByTestId("dialog-acknowledge").click();
          await dialog.waitFor({ state: "detached" });
          await page.locator('#alarm-rows tr.alarm-row[data-state="active-acknowledged"]', {
            hasText: OVEN_HI,
          }).waitFor({ timeout: 3000 });
          const ackPhase = phase();
          const text = await row.textContent() ?? "";
          assert.match(text, /admin/, "who acknowledged it is shown");
          assert.ok(text.includes(ACK_COMMENT), `the comment is shown: ${text}`);
          await shot(page, "04-monitor-alarms");

          // Cleared by the signal (below 188 °C from 8.2 s on): acknowledged, so it leaves the list.
          await row.waitFor({ state: "detached", timeout: OVEN_PERIOD_MS });
          const clearPhase = phase();
          assert.ok(
            clearPhase >= 8000 && clearPhase < 12_000,
            `cleared at ${clearPhase} ms into the period, when the sine fell below 188 °C`,
          );
          const journal = await get<{ items: Transition[] }>(
            "alarms/history?tag=OVEN01_TEMP&limit=100",
          );
          const mine = journal.items.filter((e) => e.message === OVEN_HI);
          const ack = mine.find((e) => e.action === "acknowledge" && e.comment === ACK_COMMENT);
          assert.ok(ack, `acknowledge in the journal: ${JSON.stringify(mine)}`);
          assert.equal(ack.user, "admin");
          assert.equal(ack.to, "active-acknowledged");
          const clear = mine.find((e) => e.action === "clear" && e.ts > ack.ts);
          assert.equal(
            clear?.to,
            "normal",
            `clear to normal in the journal: ${JSON.stringify(mine)}`,
          );
          console.log(
            `alarm: waited ${ms(waited)} for a raise (seen ${raisedPhase} ms into the period), ` +
              `acknowledged at ${ackPhase} ms, cleared at ${clearPhase} ms`,
          );
        },
      );

      await step(
        "a tags CSV with a bad row: the error by row and column, then fixed and applied",
        async () => {
          await page.goto("/admin#csv");
          await page.locator("body[data-ready=true]").waitFor();
          await page.getByTestId("view-csv").waitFor();
          await page.getByTestId("csv-resource").selectOption("tags");
          await page.getByTestId("csv-mode").selectOption("merge");
          const file = page.getByTestId("csv-file");
          const status = page.getByTestId("csv-status");
          const apply = page.getByTestId("csv-apply");
          await file.setInputFiles(csvFile(CSV_BAD));
          await page.getByTestId("csv-check").click();
          const issues = page.locator("[data-testid=csv-issues] tbody tr");
          await issues.first().waitFor();
          assert.equal(await issues.count(), 1, "one problem");
          const issue = issues.first();
          assert.equal(await issue.getAttribute("data-row"), "2");
          assert.equal(await issue.getAttribute("data-column"), "data_type");
          const cells = await issue.locator("td").allTextContents();
          assert.equal(cells[0], "tags.csv");
          assert.equal(cells[1], "2");
          assert.equal(cells[2], "3", "line 3 of the file (after the header)");
          assert.equal(cells[3], "data_type");
          assert.match(await status.textContent() ?? "", /1 problems?/);
          assert.ok(await apply.isDisabled(), "Apply needs a clean check");
          await shot(page, "05-admin-csv-check-errors");
          const none = await get<{ total: number }>("tags?q=E2E_OVEN");
          assert.equal(none.total, 0, "the dry run wrote nothing");

          await file.setInputFiles(csvFile(CSV_FIXED));
          assert.ok(await apply.isDisabled(), "a new file needs a new check");
          await page.getByTestId("csv-check").click();
          await page.locator("[data-testid=csv-status]:not(.error-text)", {
            hasText: "No problems found",
          }).waitFor();
          assert.equal(await issues.count(), 0);
          assert.ok(await apply.isEnabled());
          await apply.click();
          await page.locator("[data-testid=csv-status]", { hasText: "Imported." }).waitFor();
          const counts = await page.locator("[data-testid=csv-counts] tbody tr td")
            .allTextContents();
          assert.deepEqual(counts.slice(0, 3), ["tags", "2", "2"], "2 rows, 2 created");
          await shot(page, "06-admin-csv-applied");

          const tags = await get<{ items: { code: string; address: string; dataType: string }[] }>(
            "tags?q=E2E_OVEN&sort=code",
          );
          assert.deepEqual(
            tags.items.map((x) => [x.code, x.address, x.dataType]),
            [["E2E_OVEN_AUX", "D3500", "FLOAT32"], ["E2E_OVEN_FAN", "D3502", "INT16"]],
          );
          // The runtime picked the new tags up: PAINT_BOOTH reads them.
          await waitFor(
            "live values of the imported tags",
            async () => {
              const v = await get<{ items: { code: string; quality: string | null }[] }>(
                "values?tags=E2E_OVEN_AUX,E2E_OVEN_FAN",
              );
              return v.items.length === 2 && v.items.every((x) => x.quality === "good");
            },
            5000,
            100,
          );
        },
      );

      await step(
        "GX Works3 Unicode labels: checked with the PLC and group, then applied as tags",
        async () => {
          await page.getByTestId("csv-resource").selectOption("gxworks3-labels");
          assert.ok(await page.getByTestId("csv-mode").isHidden(), "a GX import only merges");
          assert.ok(await page.getByTestId("gx-word-type").isHidden(), "labels carry types");
          await page.getByTestId("gx-plc").fill("PLCPAINT010001");
          await page.getByTestId("gx-group").fill("PAINT_BOOTH");
          await page.getByTestId("gx-prefix").fill("E2E_GX_");
          await page.getByTestId("csv-file").setInputFiles({
            name: "GlobalLabel.txt",
            mimeType: "text/plain",
            buffer: Buffer.from(
              Deno.readFileSync(
                new URL("../fixtures/gxworks/gxworks3_labels_unicode.txt", import.meta.url),
              ),
            ),
          });
          await page.getByTestId("csv-check").click();
          await page.locator("[data-testid=csv-status]:not(.error-text)", {
            hasText: "No problems found",
          }).waitFor();
          await page.getByTestId("csv-apply").click();
          await page.locator("[data-testid=csv-status]", { hasText: "Imported." }).waitFor();
          const counts = await page.locator("[data-testid=csv-counts] tbody tr td")
            .allTextContents();
          assert.deepEqual(counts.slice(0, 3), ["tags", "4", "4"], "4 rows, 4 created");
          await shot(page, "06b-admin-gxworks-applied");
          const tags = await get<{ items: { code: string; address: string; dataType: string }[] }>(
            "tags?codePrefix=E2E_GX_&sort=code",
          );
          assert.deepEqual(tags.items.map((x) => [x.code, x.address, x.dataType]), [
            ["E2E_GX_CONVEYOR_ON", "M500", "BOOL"],
            ["E2E_GX_PUMP_HOURS", "R500", "UINT32"],
            ["E2E_GX_SETPOINT", "D1002", "FLOAT32"],
            ["E2E_GX_TANK_LEVEL", "D1000", "INT16"],
          ]);
        },
      );

      await step(
        "PAINT_BOOTH's interval edited from 1000 to 500 ms: the runtime follows",
        async () => {
          // A second tab keeps the monitor open, to see its overview follow the change.
          const monitor = await context.newPage();
          watches.push(await PageWatch.attach(monitor));
          await monitor.goto("/monitor");
          await monitor.locator("body[data-ready=true]").waitFor();
          const overviewCycle = monitor.locator(
            '[data-group-code="PAINT_BOOTH"] [data-field="cycle"]',
          );
          await overviewCycle.filter({ hasText: "every 1,000 ms" }).waitFor();
          const before = await paintBooth();
          assert.equal(before.intervalMs, 1000);

          await page.getByTestId("tab-groups").click();
          const table = page.getByTestId("table-groups");
          const row = table.locator("tbody tr", {
            has: page.locator("td", { hasText: /^PAINT_BOOTH$/ }),
          });
          await row.waitFor();
          await row.getByTestId("edit").click();
          const form = page.getByTestId("form-groups");
          const interval = form.locator('input[data-field="intervalMs"]');
          assert.equal(await interval.inputValue(), "1000");
          await interval.fill("500");
          await shot(page, "07-admin-group-edit");
          const saved = Date.now();
          await form.getByTestId("dialog-save").click();
          await form.waitFor({ state: "detached" });
          await row.locator("td", { hasText: /^500$/ }).waitFor();

          // The runtime restarted the group's poller with the new interval …
          const after = await waitFor(
            "GET /runtime to show PAINT_BOOTH every 500 ms",
            async () => {
              const g = await paintBooth();
              return g.intervalMs === 500 && g.running && g.cycles > 0 ? g : null;
            },
            5000,
            50,
          );
          const followedMs = Date.now() - saved;
          // … and polls twice a second: 6 cycles take 2.5–3 s (at 1000 ms they would take 5–6 s).
          const t0 = Date.now();
          await waitFor(
            "6 more PAINT_BOOTH cycles",
            async () => (await paintBooth()).cycles >= after.cycles + 6,
            4500,
            50,
          );
          const perCycle = (Date.now() - t0) / 6;
          assert.ok(perCycle < 700, `${perCycle} ms per cycle`);

          // The admin's runtime view shows it …
          await page.getByTestId("tab-runtime").click();
          const runtimeRow = page.locator(
            '[data-testid=runtime-groups] tr[data-group-code="PAINT_BOOTH"][data-running=true]',
          );
          await runtimeRow.locator("td[data-col=intervalMs]", { hasText: /^500$/ }).waitFor();
          await shot(page, "08-admin-runtime");
          // … and so does the open monitor's overview (it refreshes GET /runtime every 10 s).
          await overviewCycle.filter({ hasText: "every 500 ms" }).waitFor({ timeout: 12_000 });
          console.log(
            `interval: runtime followed ${ms(followedMs)} after Save; ` +
              `${perCycle.toFixed(0)} ms per cycle afterwards`,
          );
          await monitor.close();
        },
      );

      await step("screenshots of every admin section", async () => {
        const sections = [
          ["lines", "view-lines"],
          ["processes", "view-processes"],
          ["plcs", "view-plcs"],
          ["groups", "view-groups"],
          ["tags", "view-tags"],
          ["alarm-rules", "view-alarmRules"],
          ["csv", "view-csv"],
          ["runtime", "view-runtime"],
          ["tokens", null],
          ["users", "view-users"],
          ["audit", null],
        ] as const;
        let n = 9;
        for (const [tab, view] of sections) {
          await page.getByTestId(`tab-${tab}`).click();
          const panel = page.locator(`#panel-${tab}`);
          await panel.waitFor({ state: "visible" });
          if (view) await page.getByTestId(view).waitFor();
          // Loaded: the panel has content and no request of it is pending.
          await page.locator(`#panel-${tab}:not([aria-busy]) > *`).first().waitFor();
          await page.locator(`#panel-${tab} [aria-busy=true]`).waitFor({ state: "detached" });
          await shot(page, `${String(n++).padStart(2, "0")}-admin-${tab}`);
        }
      });

      await step("no page logged a console error, threw, or violated the CSP", () => {
        const all = watches.map((w) => w.report()).join("\n");
        for (const w of watches) {
          assert.deepEqual(w.csp, [], `CSP violations\n${all}`);
          assert.deepEqual(w.errors, [], `console errors\n${all}`);
        }
        return Promise.resolve();
      });
    } finally {
      await browser?.close();
      await http?.shutdown();
      const stopped = await gw?.stop();
      await plant.close();
      await Deno.remove(dataDir, { recursive: true });
      console.log(
        [
          "steps:",
          ...timings.map((l) => `  ${l}`),
          `screenshots (${shots.length}):`,
          ...shots.map((s) => `  ${s}`),
          `total ${ms(performance.now() - started)}` +
          (stopped ? `, gateway stopped in ${ms(stopped.ms)}` : ""),
        ].join("\n"),
      );
    }
  },
});

/** One alarm journal entry (GET /alarms/history). */
interface Transition {
  action: string;
  to: string;
  ts: number;
  user: string | null;
  comment: string | null;
  message: string;
}

/** GET with the browser's session cookie; asserts 200 and answers the JSON. */
async function apiGet<T>(context: BrowserContext, url: string): Promise<T> {
  const res = await context.request.get(url);
  assert.equal(res.status(), 200, `GET ${url}: ${res.status()} ${await res.text()}`);
  return await res.json() as T;
}

/** A file for an `<input type=file>`: tags.csv with this text. */
function csvFile(text: string) {
  return { name: "tags.csv", mimeType: "text/csv", buffer: Buffer.from(text, "utf8") };
}

/** The page's requests of GET /api/v1/values (the REST fallback of the live table). */
function valueRequests(watch: PageWatch): string[] {
  return watch.requests.filter((u) => new URL(u).pathname === "/api/v1/values");
}

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`;
}

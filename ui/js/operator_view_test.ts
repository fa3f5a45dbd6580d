import assert from "node:assert/strict";

// The monitor's pure helpers, in Deno (no DOM needed).
const { errorView, PAST_ERROR_MS } = await import("./plant_overview.js");
const { pastLimit } = await import("./tag_table.js");
const { sparkPoints } = await import("./sparkline.js");
const { checkNumber } = await import("./faceplate.js");

Deno.test("an error is red with its time while failing, a muted 'last error at' after recovery, gone later", () => {
  const at = new Date(2026, 0, 1, 14, 5, 9).getTime();
  const now = at + 60_000;
  const current = errorView("timeout", at, true, now);
  assert.equal(current.kind, "current");
  assert.equal(current.text, "14:05:09 timeout");
  const past = errorView("timeout", at, false, now);
  assert.equal(past.kind, "past");
  assert.equal(past.text, "last error at 14:05:09");
  assert.equal(past.title, "timeout");
  assert.equal(errorView("timeout", at, false, at + PAST_ERROR_MS + 1).kind, "gone");
  assert.equal(errorView(null, at, true, now).kind, "gone");
});

Deno.test("values past a HI/HIHI or LO/LOLO limit are marked; others and non-numbers are not", () => {
  const limits = [{ kind: "HI", value: 90 }, { kind: "LO", value: 10 }];
  assert.equal(pastLimit(95, limits), "hi");
  assert.equal(pastLimit(90, limits), "hi");
  assert.equal(pastLimit(5, limits), "lo");
  assert.equal(pastLimit(50, limits), "");
  assert.equal(pastLimit(true, limits), "");
  assert.equal(pastLimit(95, undefined), "");
});

Deno.test("a sparkline spans its box and keeps its limits in view", () => {
  const { points, yOf } = sparkPoints([[0, 0], [10, 10]], 100, 20, [20]);
  assert.equal(points, "2.0,18.0 98.0,10.0");
  assert.equal(yOf(20).toFixed(1), "2.0");
  assert.equal(sparkPoints([], 100, 20).points, "");
});

Deno.test("the faceplate checks a setpoint like the server: number, writeMin, writeMax, whole numbers", () => {
  const tag = { dataType: "INT16", scale: 1, offset: 0, unit: "°C", writeMin: 0, writeMax: 100 };
  assert.equal(checkNumber("50", tag), undefined);
  assert.match(checkNumber("abc", tag), /Enter a number/);
  assert.match(checkNumber("", tag), /Enter a number/);
  assert.match(checkNumber("101", tag), /101 °C is above the highest value allowed, 100 °C/);
  assert.match(checkNumber("-1", tag), /below the lowest value allowed, 0 °C/);
  assert.match(checkNumber("1.5", tag), /whole numbers/);
  assert.equal(checkNumber("1.5", { ...tag, scale: 0.1 }), undefined);
});

Deno.test("trend: 24-hour time labels; a fresh start's data is not squeezed against the right edge; a chosen range stays", async () => {
  const { timeLabels, fitRange } = await import("./trend.js");
  const at = (h: number, m: number, s = 0) => new Date(2026, 0, 1, h, m, s).getTime();
  assert.deepEqual(timeLabels([at(14, 5, 9)], 5 * 60_000), ["14:05:09"]);
  assert.deepEqual(timeLabels([at(14, 5), at(0, 0)], 3_600_000), ["14:05", "01-01 00:00"]);
  assert.deepEqual(timeLabels([at(23, 30)], 7 * 86_400_000), ["01-01 23:30"]);
  const hour = { from: at(13, 0), to: at(14, 0) };
  const fresh = fitRange(hour, at(13, 58), true);
  assert.ok(
    fresh.from > at(13, 57) && fresh.from < at(13, 58),
    "narrowed to the 2 minutes of data",
  );
  assert.equal(fresh.to, hour.to);
  assert.deepEqual(fitRange(hour, at(13, 5), true), hour, "data from the start: the whole hour");
  assert.deepEqual(fitRange(hour, at(13, 58), false), hour, "a from–to range is drawn as chosen");
  assert.deepEqual(fitRange(hour, null, true), hour);
});

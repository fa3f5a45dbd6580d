/**
 * Random and mutated iQ-F frames (octal or hexadecimal ASCII X/Y numbers,
 * FX5 batch limits, no DX/DY) through the response decoder and the PLC
 * side's request decoder as an iQ-F CPU: nothing but PlcError.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeResponse, encodeRequest, type McRequest } from "./commands.ts";
import type { XyNotation } from "./devices.ts";
import { DEFAULT_ROUTE, type FrameCode, type FrameOptions } from "./frame.ts";
import { decodeRequest, encodeResponse } from "./server_codec.ts";
import { request, responseFor } from "./testing_arbitraries.ts";
import { mutate, mutationArb, onlyPlcError } from "./testing_fuzz.ts";

const mutation = mutationArb();

/** The request encoded for an iQ-F CPU, or undefined when iQ-F refuses it (DX, X past 1777…). */
function encodeIqf(req: McRequest, options: FrameOptions): Uint8Array | undefined {
  try {
    return encodeRequest(req, options);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

const exchange = fc.tuple(
  fc.constantFrom<FrameCode>("ascii", "binary"),
  fc.constantFrom<XyNotation>("octal", "hex"),
  fc.boolean(),
).chain(([frame, xyNotation, four]) =>
  request(frame).chain((req) =>
    fc.tuple(
      fc.constant<FrameOptions>({
        frame,
        type: four ? "4E" : "3E",
        series: "iQ-F",
        xyNotation,
      }),
      fc.constant(req),
      responseFor(req).map((res) =>
        encodeResponse(frame, DEFAULT_ROUTE, res, four ? "4E" : "3E", 0)
      ),
    )
  )
);

Deno.test("40,000 mutated iQ-F requests and responses yield only PlcError, in both X/Y notations", () => {
  fc.assert(
    fc.property(exchange, fc.array(mutation, { minLength: 1, maxLength: 4 }), (
      [options, req, res],
      ms,
    ) => {
      const wire = encodeIqf(req, options);
      fc.pre(wire !== undefined);
      const decode = { series: "iQ-F" as const, xyNotation: options.xyNotation };
      const clean = decodeRequest(wire!, decode);
      assert.ok(clean.ok || clean.endCode > 0);
      onlyPlcError(() => decodeRequest(mutate(wire!, ms), decode));
      onlyPlcError(() => decodeResponse(mutate(res, ms), req, options));
    }),
    { numRuns: 20_000 },
  );
});

Deno.test("60,000 random ASCII bodies behind an iQ-F batch read header yield only PlcError", () => {
  // A consistent data length, so the body reaches the device decoder (X/Y digits in octal or hex).
  const frame = (body: Uint8Array) => {
    const length = (12 + body.length).toString(16).toUpperCase().padStart(4, "0");
    const head = `500000FF03FF00${length}001004010001`;
    return Uint8Array.from([...new TextEncoder().encode(head), ...body]);
  };
  const body = fc.uint8Array({ maxLength: 24 }).map((b) =>
    b.map((x) => "0123456789ABCDEF*XYDM"[x % 21].charCodeAt(0))
  );
  fc.assert(
    fc.property(body, fc.constantFrom<XyNotation>("octal", "hex"), (bytes, xyNotation) => {
      onlyPlcError(() => decodeRequest(frame(bytes), { series: "iQ-F", xyNotation }));
    }),
    { numRuns: 60_000 },
  );
});

/**
 * Property tests of the codec: every command, device and frame code round
 * trips through the client side and the PLC side of the codec.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeResponse, encodeRequest, type McRequest } from "./commands.ts";
import type { FrameCode } from "./frame.ts";
import { decodeRequest, encodeResponse } from "./server_codec.ts";
import { request, responseFor, route } from "./testing_arbitraries.ts";

const FRAMES: FrameCode[] = ["ascii", "binary"];

/** Plain objects and arrays (fast-check builds records without a prototype). */
function normalize(req: McRequest): unknown {
  if (req.command === "writeWords") {
    return structuredClone({ ...req, words: Array.from(req.words) });
  }
  if (req.command === "writeBits") return structuredClone({ ...req, bits: Array.from(req.bits) });
  return structuredClone(req);
}

for (const frame of FRAMES) {
  Deno.test(`${frame}: every request round trips through the PLC side of the codec`, () => {
    fc.assert(
      fc.property(request(frame), route, fc.integer({ min: 0, max: 0xffff }), (req, r, timer) => {
        const decoded = decodeRequest(
          encodeRequest(req, { frame, route: r, monitoringTimer: timer }),
        );
        assert.ok(decoded.ok, decoded.ok ? "" : decoded.message);
        assert.equal(decoded.frame, frame);
        assert.deepEqual(decoded.route, structuredClone(r));
        assert.equal(decoded.monitoringTimer, timer);
        assert.deepEqual(normalize(decoded.request), normalize(req));
      }),
      { numRuns: 300 },
    );
  });

  Deno.test(`${frame}: every response round trips back to the client side`, () => {
    fc.assert(
      fc.property(
        request(frame).chain((req) => fc.tuple(fc.constant(req), responseFor(req), route)),
        ([req, res, r]) => {
          const decoded = decodeResponse(encodeResponse(frame, r, res), req, { frame, route: r });
          assert.deepEqual(decoded, structuredClone(res));
        },
      ),
      { numRuns: 300 },
    );
  });
}

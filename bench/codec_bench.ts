/**
 * Codec throughput: encoding and decoding 960-word frames (the largest batch
 * read) in both codes. Targets (one core): decode ≥ 200,000 binary and
 * ≥ 50,000 ASCII frames/s.
 */
import { decodeResponse, encodeRequest, type ReadWordsRequest } from "../protocol/commands.ts";
import { DEFAULT_ROUTE } from "../protocol/frame.ts";
import { encodeResponse } from "../protocol/server_codec.ts";

const req: ReadWordsRequest = {
  command: "readWords",
  head: { device: "D", address: 0 },
  points: 960,
};
const words = Uint16Array.from({ length: 960 }, (_, i) => (i * 2654435761) & 0xffff);
const binary = encodeResponse("binary", DEFAULT_ROUTE, { command: "readWords", words });
const ascii = encodeResponse("ascii", DEFAULT_ROUTE, { command: "readWords", words });

Deno.bench("decode 960-word response, binary", { group: "decode", baseline: true }, () => {
  decodeResponse(binary, req, { frame: "binary" });
});
Deno.bench("decode 960-word response, ascii", { group: "decode" }, () => {
  decodeResponse(ascii, req, { frame: "ascii" });
});
Deno.bench("encode 960-word response, binary", { group: "encode" }, () => {
  encodeResponse("binary", DEFAULT_ROUTE, { command: "readWords", words });
});
Deno.bench("encode 960-word response, ascii", { group: "encode" }, () => {
  encodeResponse("ascii", DEFAULT_ROUTE, { command: "readWords", words });
});
Deno.bench("encode 960-word write request, binary", { group: "encode" }, () => {
  encodeRequest({ command: "writeWords", head: { device: "D", address: 0 }, words }, {
    frame: "binary",
  });
});
Deno.bench("encode 960-word write request, ascii", { group: "encode" }, () => {
  encodeRequest({ command: "writeWords", head: { device: "D", address: 0 }, words }, {
    frame: "ascii",
  });
});

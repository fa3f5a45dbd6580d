/**
 * The `plc read|write|info` command against a fixture PLC: every data type
 * both ways, bits of bit devices and of words, long reads split at the
 * protocol's 960-word limit, and the sentence and exit status of each failure.
 */
import assert from "node:assert/strict";
import { type FixturePlc, startFixturePlc } from "../fixtures/plc_server.ts";
import { withPlc } from "../fixtures/test_client.ts";
import { plcJson, runPlc } from "./plc_testing.ts";

/** Runs the command and expects success. */
async function ok(args: string[]): Promise<void> {
  const r = await runPlc(args);
  assert.equal(r.status, 0, r.stderr.join("\n"));
}

const at = (plc: FixturePlc) => `127.0.0.1:${plc.port}`;

/** A port with nothing listening: bound, then released. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

for (const frame of ["binary", "ascii"] as const) {
  Deno.test(`plc read gives words as int16 by default and in every --type (${frame})`, async () => {
    await withPlc({}, async (plc) => {
      plc.memory.setWords("D", 100, [1, 0xffff, 0x8000, 0x7fff, 0x1234]);
      plc.setValue("D200", "INT32", -100_000);
      plc.setValue("D202", "UINT32", 0xfedc_ba98);
      plc.setValue("D210", "FLOAT32", 1.5);
      plc.setValue("D212", "FLOAT32", -0.25);
      plc.setValue("D220", "FLOAT64", Math.PI);
      plc.setValue("D300", "STRING", "HELLO", 4);
      const f = ["--frame", frame];
      assert.deepEqual(await plcJson(["read", at(plc), "D100", "5", ...f]), [
        1,
        -1,
        -32768,
        32767,
        0x1234,
      ]);
      assert.deepEqual(await plcJson(["read", at(plc), "D100", ...f]), [1]);
      assert.deepEqual(await plcJson(["read", at(plc), "D100", "5", "--type", "uint16", ...f]), [
        1,
        65535,
        32768,
        32767,
        0x1234,
      ]);
      assert.deepEqual(await plcJson(["read", at(plc), "D200", "--type", "int32", ...f]), [
        -100_000,
      ]);
      assert.deepEqual(await plcJson(["read", at(plc), "D202", "--type", "uint32", ...f]), [
        0xfedc_ba98,
      ]);
      assert.deepEqual(await plcJson(["read", at(plc), "D210", "2", "--type", "float32", ...f]), [
        1.5,
        -0.25,
      ]);
      assert.deepEqual(await plcJson(["read", at(plc), "D220", "--type", "FLOAT64", ...f]), [
        Math.PI,
      ]);
      assert.deepEqual(await plcJson(["read", at(plc), "D300", "4", "--type", "string", ...f]), [
        "HELLO",
      ]);
    });
  });

  Deno.test(`plc read gives bits of bit devices and of words across a word boundary (${frame})`, async () => {
    await withPlc({}, async (plc) => {
      plc.memory.setBits("M", 10, [true, false, true, true, false]);
      plc.memory.setBits("X", 0x1a0, [false, true, true]);
      // D100.E, D100.F, D101.0, D101.1 = 1, 0, 0, 1
      plc.memory.setWords("D", 100, [0x4000, 0x0002]);
      const f = ["--frame", frame];
      assert.deepEqual(await plcJson(["read", at(plc), "M10", "5", ...f]), [
        true,
        false,
        true,
        true,
        false,
      ]);
      assert.deepEqual(await plcJson(["read", at(plc), "X1A0", "3", ...f]), [false, true, true]);
      assert.deepEqual(await plcJson(["read", at(plc), "D100.E", "4", ...f]), [
        true,
        false,
        false,
        true,
      ]);
      assert.deepEqual(await plcJson(["read", at(plc), "D101.1", ...f]), [true]);
      // Bits of a bit device read in word units: M16..M31 packed with M16 in bit 0.
      plc.memory.setBits("M", 16, [true, true]);
      assert.deepEqual(await plcJson(["read", at(plc), "M16", "--type", "uint16", ...f]), [3]);
    });
  });

  Deno.test(`plc write then read gives back every type (${frame})`, async () => {
    await withPlc({}, async (plc) => {
      const f = ["--frame", frame];
      const cases: [string, string, string, unknown[]][] = [
        ["D100", "int16", "-1,0,32767,-32768", [-1, 0, 32767, -32768]],
        ["D110", "uint16", "0,65535,0x10", [0, 65535, 16]],
        ["D120", "int32", "-2147483648,2147483647", [-2147483648, 2147483647]],
        ["D130", "uint32", "4294967295,1", [4294967295, 1]],
        ["D140", "float32", "1.5,-0.25", [1.5, -0.25]],
        ["D150", "float64", `${Math.E},-1e300`, [Math.E, -1e300]],
        ["M20", "bool", "1,0,true,off,on", [true, false, true, false, true]],
        ["Y1F", "bool", "true,true", [true, true]],
      ];
      for (const [address, type, values, expected] of cases) {
        await ok(["write", at(plc), address, values, "--type", type, ...f]);
        const count = String(expected.length);
        assert.deepEqual(
          await plcJson(["read", at(plc), address, count, "--type", type, ...f]),
          expected,
          `${address} ${type}`,
        );
      }
      assert.equal(plc.getValue("D120", "INT32"), -2147483648);
      assert.equal(plc.getValue("D150", "FLOAT64"), Math.E);
      assert.deepEqual(plc.memory.getBits("Y", 0x1f, 2), [true, true]);
    });
  });

  Deno.test(`plc write of a string ends it with NUL and reads back (${frame})`, async () => {
    await withPlc({}, async (plc) => {
      plc.memory.setWords("D", 300, [0xffff, 0xffff, 0xffff, 0xffff]);
      const f = ["--frame", frame];
      await ok(["write", at(plc), "D300", "HELLO", "--type", "string", ...f]);
      // Three words "HE" "LL" "O\0"; D303 is not touched.
      assert.deepEqual(
        [...plc.memory.getWords("D", 300, 4)],
        [0x4548, 0x4c4c, 0x004f, 0xffff],
      );
      assert.deepEqual(await plcJson(["read", at(plc), "D300", "3", "--type", "string", ...f]), [
        "HELLO",
      ]);
      // An even length gets a whole NUL word; the words after it are not read as text.
      await ok(["write", at(plc), "D310", "two", "words", "--type", "string", ...f]);
      assert.equal(plc.getValue("D310", "STRING", 6), "two words");
      await ok(["write", at(plc), "D320", "ABCD", "--type", "string", ...f]);
      assert.deepEqual([...plc.memory.getWords("D", 320, 3)], [0x4241, 0x4443, 0]);
      assert.deepEqual(await plcJson(["read", at(plc), "D320", "8", "--type", "string", ...f]), [
        "ABCD",
      ]);
    });
  });

  Deno.test(`plc write of D100.5-style bits leaves the word's other bits alone (${frame})`, async () => {
    await withPlc({}, async (plc) => {
      plc.memory.setWords("D", 100, [0x8001, 0xffff]);
      const f = ["--frame", frame];
      await ok(["write", at(plc), "D100.5", "1", ...f]);
      assert.equal(plc.memory.getWords("D", 100, 1)[0], 0x8021);
      // D100.E, D100.F, D101.0 := 1, 0, 0 across the word boundary.
      await ok(["write", at(plc), "D100.E", "1,0,0", ...f]);
      assert.deepEqual([...plc.memory.getWords("D", 100, 2)], [0x4021, 0xfffe]);
      assert.deepEqual(await plcJson(["read", at(plc), "D100.E", "3", ...f]), [true, false, false]);
      assert.equal(plc.getValue("D100.5", "BOOL"), true);
    });
  });
}

Deno.test("plc read of more than 960 words splits into several batch reads", async () => {
  await withPlc({}, async (plc) => {
    const words = Array.from({ length: 2000 }, (_, i) => (i * 7) & 0x7fff);
    plc.memory.setWords("D", 1000, words);
    plc.resetStats();
    assert.deepEqual(await plcJson(["read", at(plc), "D1000", "2000"]), words);
    assert.equal(plc.stats.requests.readWords, 3); // 960 + 960 + 80
    plc.resetStats();
    // 500 FLOAT32 = 1000 words: 960 + 40, and a value may straddle the split.
    const floats = Array.from({ length: 500 }, (_, i) => i + 0.5);
    floats.forEach((v, i) => plc.setValue(`D${4000 + 2 * i}`, "FLOAT32", v));
    plc.resetStats();
    assert.deepEqual(
      await plcJson(["read", at(plc), "D4000", "500", "--type", "float32", "--frame", "ascii"]),
      floats,
    );
    assert.equal(plc.stats.requests.readWords, 2);
  });
});

Deno.test("plc write of more than 960 words splits into several batch writes", async () => {
  await withPlc({}, async (plc) => {
    const words = Array.from({ length: 1000 }, (_, i) => i - 500);
    await ok(["write", at(plc), "D2000", words.join(",")]);
    assert.equal(plc.stats.requests.writeWords, 2);
    assert.deepEqual(
      [...plc.memory.getWords("D", 2000, 1000)],
      words.map((w) => w & 0xffff),
    );
  });
});

Deno.test("plc write of more bits than one ASCII batch holds splits them", async () => {
  await withPlc({}, async (plc) => {
    const bits = Array.from({ length: 4000 }, (_, i) => i % 3 === 0);
    await ok(["write", at(plc), "M0", bits.map(Number).join(","), "--frame", "ascii"]);
    assert.equal(plc.stats.requests.writeBits, 2); // 3584 + 416
    assert.deepEqual(plc.memory.getBits("M", 0, 4000), bits);
    assert.deepEqual(await plcJson(["read", at(plc), "M0", "4000", "--frame", "ascii"]), bits);
  });
});

Deno.test("plc info prints the CPU model and its code", async () => {
  await withPlc({ cpuModel: "Q02UCPU" }, async (plc) => {
    assert.deepEqual(await plcJson(["info", at(plc)]), { model: "Q02UCPU", modelCode: "0x0263" });
    assert.deepEqual(await plcJson(["info", at(plc), "--frame", "ascii"]), {
      model: "Q02UCPU",
      modelCode: "0x0263",
    });
  });
  await withPlc({}, async (plc) => {
    assert.deepEqual(await plcJson(["info", at(plc)]), {
      model: "Q06UDEHCPU",
      modelCode: "0x026A",
    });
  });
});

Deno.test("plc read past the device's end prints the C056 sentence and exits 1", async () => {
  await withPlc({}, async (plc) => {
    for (const frame of ["binary", "ascii"]) {
      const r = await runPlc(["read", at(plc), "D32767", "5", "--frame", frame]);
      assert.equal(r.status, 1);
      assert.deepEqual(r.stdout, []);
      assert.equal(r.stderr.length, 1);
      assert.match(r.stderr[0], /^C056: the request exceeds the device's maximum address/);
    }
  });
});

Deno.test("plc against a port with nothing listening exits 1 and says it was refused", async () => {
  const port = freePort();
  const r = await runPlc(["read", `127.0.0.1:${port}`, "D100", "--timeout", "1000"]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.stdout, []);
  assert.equal(
    r.stderr[0],
    `127.0.0.1:${port} refused the connection; is the PLC's MC protocol port open on that port?`,
  );
});

Deno.test("plc against a stalled PLC times out after --timeout and exits 1", async () => {
  await withPlc({ fault: { kind: "stall" } }, async (plc) => {
    const started = performance.now();
    const r = await runPlc(["read", at(plc), "D100", "--timeout", "150"]);
    const took = performance.now() - started;
    assert.equal(r.status, 1);
    assert.deepEqual(r.stdout, []);
    assert.match(r.stderr[0], new RegExp(`^${at(plc)} did not answer in time .*check the port`));
    assert.ok(took >= 140 && took < 1500, `took ${took} ms`);
  });
});

Deno.test("plc usage mistakes exit 2 and name the problem", async () => {
  const plc = startFixturePlc({ port: 0 });
  try {
    const target = at(plc);
    const cases: [string[], RegExp][] = [
      [["read", target, "Q100"], /"Q100" does not start with a known device name/],
      [["read", target, "D1A"], /"D1A": D device numbers are decimal/],
      [["read", target, "M5.1"], /only allowed on word devices/],
      [["read", target, "D100.16"], /the bit number must be 0 to 15/],
      [["read", target, "D40000"], /past the end of device D/],
      [["read", target, "D100", "--frame", "hex"], /--frame must be ascii or binary, not "hex"/],
      [["read", "127.0.0.1", "D100"], /"127.0.0.1" is not <host>:<port>/],
      [["read"], /"" is not <host>:<port>/],
      [["read", "127.0.0.1:70000", "D100"], /port must be an integer from 1 to 65535/],
      [["read", target], /read needs an address/],
      [["read", target, "D100", "0"], /count must be an integer from 1/],
      [["read", target, "D100", "--type", "int8"], /unknown --type "int8"/],
      [["read", target, "D100.5", "--type", "int16"], /D100\.5 is a bit; use --type bool/],
      [["read", target, "D100", "--timeout", "soon"], /--timeout must be an integer/],
      [["read", target, "D100", "--bogus"], /Unknown option '--bogus'/],
      [["write", target, "D100"], /write needs values/],
      [["write", target, "D100", "1,x"], /value 2 \("x"\) is not a number/],
      [["write", target, "D100", "70000"], /value 1: 70000 is not a INT16/],
      [["write", target, "M0", "1,maybe"], /value 2 \("maybe"\) is not a bit/],
      [["write", target, "D100", "Grüße€", "--type", "string"], /not a single-byte character/],
      [["info", target, "D100"], /info takes no further arguments/],
      [["erase", target], /unknown command "erase"/],
      [[], /^usage:/],
    ];
    for (const [args, message] of cases) {
      const r = await runPlc(args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr.join("\n")}`);
      assert.deepEqual(r.stdout, []);
      assert.match(r.stderr.join("\n"), message, args.join(" "));
      assert.match(r.stderr.join("\n"), /usage:/);
    }
    // None of them reached the PLC.
    assert.equal(plc.stats.connectionsTotal, 0);
    const help = await runPlc(["--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout[0], /^usage:/);
  } finally {
    await plc.close();
  }
});

Deno.test("jsscada plc read works end to end as a subprocess, JSON on stdout", async () => {
  await withPlc({}, async (plc) => {
    plc.memory.setWords("D", 100, [10, 0xfffe, 30]);
    const cmd = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "plc", "read", at(plc), "D100", "3", "--frame", "ascii"],
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "piped",
    });
    const out = await cmd.output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    assert.equal(out.code, 0, text(out.stderr));
    assert.deepEqual(JSON.parse(text(out.stdout)), [10, -2, 30]);

    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "plc", "read", at(plc), "D100", "--frame", "hex"],
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 2);
    assert.equal(text(bad.stdout), "");
    assert.match(text(bad.stderr), /--frame must be ascii or binary/);
  });
});

Deno.test("plc run|stop|pause|latch-clear|reset need --yes and change the fixture's CPU state", async () => {
  await withPlc({}, async (plc) => {
    const at = `127.0.0.1:${plc.port}`;
    const refused = await runPlc(["stop", at]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr[0], /add --yes/);
    assert.equal(plc.cpuState, "RUN");
    assert.deepEqual(await plcJson(["stop", at, "--yes"]), { ok: true, done: "remoteStop" });
    assert.equal(plc.cpuState, "STOP");
    assert.deepEqual(await plcJson(["read", at, "SD203"]), [1]);
    await ok(["latch-clear", at, "--yes", "--frame", "ascii"]);
    await ok(["pause", at, "--yes", "--force"]);
    assert.equal(plc.cpuState, "PAUSE");
    await ok(["run", at, "--yes", "--clear", "none", "--frame-type", "4E"]);
    assert.equal(plc.cpuState, "RUN");
    await ok(["reset", at, "--yes"]);
    assert.deepEqual(await plcJson(["echo", at, "--data", "1a2b"]), { ok: true, echoed: "1A2B" });
  });
});

Deno.test("plc unlock|lock take the password from --password or JSSCADA_PLC_PASSWORD", async () => {
  await withPlc({ remotePassword: "PASS1234" }, async (plc) => {
    const at = `127.0.0.1:${plc.port}`;
    const locked = await runPlc(["read", at, "D0"]);
    assert.equal(locked.status, 1);
    assert.match(locked.stderr[0], /C201/);
    const wrong = await runPlc(["unlock", at, "--password", "NOPE1234"]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr[0], /C200/);
    Deno.env.set("JSSCADA_PLC_PASSWORD", "PASS1234");
    try {
      await ok(["unlock", at]);
    } finally {
      Deno.env.delete("JSSCADA_PLC_PASSWORD");
    }
    assert.deepEqual(await plcJson(["read", at, "D0"]), [0]);
    await ok(["lock", at, "--password", "PASS1234"]);
    assert.equal(plc.locked, true);
  });
});

Deno.test("plc --series iQ-R reads long timers; --series FX3 reads 1E with octal X/Y; --udp works", async () => {
  await withPlc({ series: "iQ-R", udp: true }, async (plc) => {
    await plc.settled();
    const at = `127.0.0.1:${plc.port}`;
    plc.setValue("D100", "INT16", -5);
    assert.deepEqual(await plcJson(["read", at, "D100", "--series", "iQ-R"]), [-5]);
    assert.deepEqual(
      await plcJson(["read", at, "D100", "--series", "iQ-R", "--udp", "--frame", "ascii"]),
      [-5],
    );
    const q = await runPlc(["read", at, "D100"]); // a Q request to an iQ-R CPU: still served
    assert.equal(q.status, 0);
    await ok(["write", at, "LTN10", "100000,7", "--series", "iQ-R", "--frame", "ascii"]);
    assert.equal(plc.getValue("LTN11", "UINT32"), 7);
    assert.deepEqual(await plcJson(["read", at, "LTN10", "2", "--series", "iQ-R"]), [100000, 7]);
    const long = await runPlc(["read", at, "LTN10", "--series", "iQ-R", "--type", "int16"]);
    assert.equal(long.status, 2);
    assert.match(long.stderr[0], /double words/);
  });
  await withPlc({ series: "FX3" }, async (plc) => {
    const at = `127.0.0.1:${plc.port}`;
    await ok(["write", at, "D10", "1,2,3", "--series", "FX3"]);
    assert.deepEqual(
      await plcJson(["read", at, "D10", "3", "--series", "FX3", "--frame", "ascii"]),
      [
        1,
        2,
        3,
      ],
    );
    await ok(["write", at, "Y17", "true", "--series", "FX3"]);
    assert.equal(plc.memory.getBits("Y", 15, 1)[0], true); // Y17 is octal: point 15
    assert.deepEqual(await plcJson(["read", at, "Y17", "--series", "FX3"]), [true]);
    const bad = await runPlc(["read", at, "X8", "--series", "FX3"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr[0], /octal/);
  });
});

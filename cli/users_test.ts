import assert from "node:assert/strict";
import { ensureAdmin } from "../store/startup.ts";
import { openDataDirStore } from "../store/store.ts";
import { NEW_PASSWORD_ENV, runUsers } from "./users.ts";

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) },
    out,
    err,
  };
}

/** A data directory whose config.db has an admin (cheap scrypt) and a viewer. */
async function withDataDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const store = openDataDirStore(dir, { scrypt: { N: 1024, r: 8, p: 1 } });
    try {
      await ensureAdmin(store, { JSSCADA_ADMIN_PASSWORD: "first-password" });
      await store.users.create({ name: "viewer1", role: "viewer", password: "viewer-pass" });
    } finally {
      store.close();
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function verify(dir: string, name: string, password: string): Promise<boolean> {
  const store = openDataDirStore(dir);
  try {
    return (await store.users.verifyPassword(name, password)) !== null;
  } finally {
    store.close();
  }
}

Deno.test("users reset-password prints a new random password once and the old one stops working", async () => {
  await withDataDir(async (dir) => {
    const { io, out, err } = captureIo();
    const status = await runUsers(
      ["reset-password", "ADMIN", "--data-dir", dir],
      io,
      () => undefined,
    );
    assert.equal(status, 0, err.join("\n"));
    assert.equal(out.length, 1);
    const password = out[0].match(/^new password of user "admin": ([\w-]{24}) \(shown once/)?.[1];
    assert.ok(password, out[0]);
    assert.ok(await verify(dir, "admin", password));
    assert.equal(await verify(dir, "admin", "first-password"), false);
  });
});

Deno.test("users reset-password takes the password from JSSCADA_NEW_PASSWORD and never prints it", async () => {
  await withDataDir(async (dir) => {
    const { io, out, err } = captureIo();
    const env = (name: string) =>
      name === NEW_PASSWORD_ENV ? "chosen-password" : name === "JSSCADA_DATA_DIR" ? dir : undefined;
    assert.equal(await runUsers(["reset-password", "admin"], io, env), 0, err.join("\n"));
    assert.ok(!out.join("\n").includes("chosen-password"));
    assert.match(out[0], /from JSSCADA_NEW_PASSWORD/);
    assert.ok(await verify(dir, "admin", "chosen-password"));
  });
});

Deno.test("users: unknown user, short password, missing store and bad usage fail with a reason", async () => {
  await withDataDir(async (dir) => {
    const none = () => undefined;
    let c = captureIo();
    assert.equal(await runUsers(["reset-password", "nobody", "--data-dir", dir], c.io, none), 1);
    assert.match(c.err[0], /no user named nobody; "jsscada users list" shows the users/);
    c = captureIo();
    const short = (n: string) => n === NEW_PASSWORD_ENV ? "short" : undefined;
    assert.equal(await runUsers(["reset-password", "admin", "--data-dir", dir], c.io, short), 1);
    assert.match(c.err[0], /the new password is refused: .*at least 8 characters/);
    assert.ok(await verify(dir, "admin", "first-password"), "nothing changed");
    c = captureIo();
    assert.equal(
      await runUsers(["reset-password", "admin", "--data-dir", `${dir}/nope`], c.io, none),
      1,
    );
    assert.match(c.err[0], /no configuration database at .*nope/);
    assert.equal((await Array.fromAsync(Deno.readDir(dir))).some((e) => e.name === "nope"), false);
    c = captureIo();
    assert.equal(await runUsers(["reset-password"], c.io, none), 2);
    assert.match(c.err[0], /give one user name/);
    assert.equal(await runUsers(["rename"], c.io, none), 2);
    assert.equal(await runUsers(["--help"], c.io, none), 0);
  });
});

Deno.test("users list shows every user with their role", async () => {
  await withDataDir(async (dir) => {
    const { io, out } = captureIo();
    assert.equal(await runUsers(["list", "--data-dir", dir], io, () => undefined), 0);
    assert.deepEqual(out, ["admin\tadmin", "viewer1\tviewer"]);
  });
});

/**
 * A throwaway PostgreSQL server for tests, e2e scenarios and benchmarks: a
 * temporary data directory (initdb -A trust -U postgres), a free loopback
 * port, a Unix socket in the same temporary directory, and stop()/start() on
 * the same port and data so that a test can stage a database outage.
 *
 * PostgreSQL refuses to run as root. When this process is root, initdb,
 * pg_ctl and the server run as the `postgres` system user that Debian's
 * package creates (or `nobody` when there is none) through `runuser -u`, and
 * the temporary directory is handed to that user first. Every binary is found
 * by absolute path (runuser in /usr/sbin or /sbin), so a PATH without the
 * sbin directories (a non-login shell, CI) still runs the tests; when a
 * binary cannot be found at all the tests skip with POSTGRES_MISSING.
 */
import postgres from "postgres";

/** Printed when the binaries are missing, so that a skipped suite says why. */
export const POSTGRES_MISSING =
  "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: the PostgreSQL " +
  "tests are SKIPPED. Install them with `apt-get install postgresql` (Debian/Ubuntu), " +
  "or point JSSCADA_PG_BIN at the directory that holds them. (As root the server runs " +
  "through runuser, looked for in /usr/sbin, /sbin and PATH.)";

/** A running (or stopped) test server. */
export interface TestPostgres {
  /** Loopback port the server listens on (kept across stop/start). */
  readonly port: number;
  /** URL of the `postgres` database as superuser `postgres` (trust auth). */
  readonly url: string;
  /** Is the server running? */
  readonly running: boolean;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: open sessions are cut, data kept). */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the server if running and removes its directory; idempotent. */
  cleanup(): Promise<void>;
  /** cleanup() for places that cannot wait (an `unload` handler). */
  cleanupSync(): void;
}

/** Options of `startTestPostgres`. */
export interface TestPostgresOptions {
  /**
   * Keep PostgreSQL's durability settings (fsync, full_page_writes) as a
   * production server has them; default false, which makes tests faster and
   * loses nothing unless the machine itself crashes.
   */
  readonly durable?: boolean;
}

/**
 * The directory holding initdb, pg_ctl and postgres: JSSCADA_PG_BIN, else the
 * newest /usr/lib/postgresql/<version>/bin, else PATH; undefined when absent,
 * and undefined as well when this process is root and `runuser` (needed to
 * drop to the postgres user) cannot be found, so callers skip instead of fail.
 */
export function findPostgresBin(): string | undefined {
  if (Deno.uid() === 0 && findRunuser() === undefined) return undefined;
  const has = (dir: string) => ["initdb", "pg_ctl", "postgres"].every((b) => isFile(`${dir}/${b}`));
  const fromEnv = Deno.env.get("JSSCADA_PG_BIN");
  if (fromEnv !== undefined) return has(fromEnv) ? fromEnv : undefined;
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")]
      .map((e) => e.name)
      .filter((n) => /^\d+$/.test(n))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      if (has(`/usr/lib/postgresql/${v}/bin`)) return `/usr/lib/postgresql/${v}/bin`;
    }
  } catch {
    // no Debian layout
  }
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir !== "" && has(dir)) return dir;
  }
  return undefined;
}

/** Starts a fresh server; throws (with POSTGRES_MISSING) when the binaries are absent. */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (bin === undefined) throw new Error(POSTGRES_MISSING);
  const runAs = Deno.uid() === 0 ? serviceUser() : undefined;
  const runuser = runAs ? findRunuser() : undefined;
  if (runAs && runuser === undefined) throw new Error(POSTGRES_MISSING);
  const dir = await Deno.makeTempDir({ prefix: "jsscada_pg_" });
  const data = `${dir}/data`;
  let running = false;
  let cleaned = false;
  const port = freePort();
  const command = (tool: string, args: string[]) =>
    new Deno.Command(runuser ?? `${bin}/${tool}`, {
      args: runAs ? ["-u", runAs.name, "--", `${bin}/${tool}`, ...args] : args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
  const run = async (tool: string, args: string[]) => {
    const out = await command(tool, args).output();
    if (!out.success) {
      const log = await Deno.readTextFile(`${dir}/server.log`).catch(() => "");
      const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
      throw new Error(`${tool} failed (exit ${out.code}): ${text.trim()}\n${log.slice(-2000)}`);
    }
  };
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=50",
    ...(options.durable ? [] : ["-c fsync=off", "-c full_page_writes=off"]),
  ].join(" ");
  const server: TestPostgres = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    get running() {
      return running;
    },
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`bad database name ${name}`);
      const sql = postgres(server.url, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`CREATE DATABASE ${name}`);
      } finally {
        await sql.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (!running) return;
      await run("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "30", "stop"]);
      running = false;
    },
    async start() {
      if (running) return;
      await run("pg_ctl", [
        "-D",
        data,
        "-l",
        `${dir}/server.log`,
        "-o",
        settings,
        "-w",
        "-t",
        "30",
        "start",
      ]);
      running = true;
    },
    cleanupSync() {
      if (cleaned) return;
      cleaned = true;
      if (running) command("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).outputSync();
      running = false;
      Deno.removeSync(dir, { recursive: true });
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      try {
        if (running) await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"]);
      } finally {
        running = false;
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
  try {
    if (runAs) await Deno.chown(dir, runAs.uid, runAs.gid);
    await run("initdb", [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
    await server.start();
  } catch (error) {
    await server.cleanup().catch(() => {});
    throw error;
  }
  return server;
}

/**
 * Absolute path of `runuser` (util-linux): /usr/sbin and /sbin first, because
 * a non-login root shell or a CI runner often has no sbin directory on PATH.
 */
export function findRunuser(): string | undefined {
  const path = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d !== "");
  for (const dir of ["/usr/sbin", "/sbin", ...path]) {
    if (isFile(`${dir}/runuser`)) return `${dir}/runuser`;
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks; released before the server binds it). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** The unprivileged account to run the server as when we are root. */
function serviceUser(): { name: string; uid: number; gid: number } {
  const passwd = Deno.readTextFileSync("/etc/passwd").split("\n").map((l) => l.split(":"));
  for (const name of ["postgres", "nobody"]) {
    const entry = passwd.find((f) => f[0] === name);
    if (entry) return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  throw new Error("running as root and neither a `postgres` nor a `nobody` user exists");
}

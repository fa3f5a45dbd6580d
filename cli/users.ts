/**
 * `jsscada users`: user accounts from the command line, for the one case the
 * browser cannot help with — nobody can log in. `users reset-password NAME`
 * sets a new password on the data directory's config.db (a random one that
 * it prints, or the one in JSSCADA_NEW_PASSWORD) and ends the user's
 * sessions; `users list` shows who exists. Works while the server runs.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, formatIssues, NotFoundError } from "../store/errors.ts";
import { resetPassword } from "../store/startup.ts";
import { configDbPath, openDataDirStore, type Store } from "../store/store.ts";
import type { CommandIo } from "./plc.ts";

/** The variable `users reset-password` takes a chosen password from. */
export const NEW_PASSWORD_ENV = "JSSCADA_NEW_PASSWORD";

/** The usage text of `jsscada users`. */
export const USERS_USAGE = `usage: jsscada users <command> [options]
  reset-password NAME   set a new password for user NAME and end their sessions:
                        the password in ${NEW_PASSWORD_ENV} when set, else a random
                        one that is printed once
  list                  the users and their roles
options:
  --data-dir DIR        the data directory holding config.db
                        [JSSCADA_DATA_DIR, default ./data]`;

class UsageError extends Error {}

/** Reads one environment variable (injected for tests). */
export type EnvReader = (name: string) => string | undefined;

/** Runs `users …`; the exit status: 0 done, 1 failed (unknown user, no store), 2 usage. */
export async function runUsers(
  args: string[],
  io: CommandIo,
  env: EnvReader = (name) => Deno.env.get(name),
): Promise<number> {
  let store: Store | undefined;
  try {
    const { values: o, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        "data-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (o.help) {
      io.stdout(USERS_USAGE);
      return 0;
    }
    const [command, ...rest] = positionals;
    const dataDir = o["data-dir"] ?? env("JSSCADA_DATA_DIR") ?? "data";
    const open = () => {
      const path = configDbPath(dataDir);
      if (!existsSync(path)) {
        throw new Error(`no configuration database at ${path}; give --data-dir of the server`);
      }
      return store = openDataDirStore(dataDir);
    };
    switch (command) {
      case "reset-password": {
        if (rest.length !== 1) throw new UsageError("give one user name");
        const given = env(NEW_PASSWORD_ENV) || undefined;
        const result = await resetPassword(open(), rest[0], given, "cli");
        io.stdout(
          result.generatedPassword === undefined
            ? `set the password of user "${result.name}" from ${NEW_PASSWORD_ENV}; ` +
              "their sessions have ended"
            : `new password of user "${result.name}": ${result.generatedPassword} ` +
              "(shown once; their sessions have ended)",
        );
        return 0;
      }
      case "list": {
        if (rest.length !== 0) throw new UsageError("list takes no arguments");
        const users = open().users;
        for (let offset = 0;;) {
          const page = users.list({ limit: 100, offset, sort: "name" });
          for (const u of page.items) io.stdout(`${u.name}\t${u.role}`);
          offset += page.items.length;
          if (page.items.length === 0 || offset >= page.total) break;
        }
        return 0;
      }
      case undefined:
        throw new UsageError("give a command");
      default:
        throw new UsageError(`unknown users command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`${(e as Error).message}\n${USERS_USAGE}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      io.stderr(`the new password is refused: ${formatIssues(e.issues)}`);
      return 1;
    }
    if (e instanceof NotFoundError) {
      io.stderr(`${e.message}; "jsscada users list" shows the users`);
      return 1;
    }
    io.stderr(e instanceof Error ? e.message : String(e));
    return 1;
  } finally {
    store?.close();
  }
}

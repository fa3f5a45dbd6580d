/**
 * JSScada's command line. `serve` (the default) runs the gateway; the other
 * commands are tools for commissioning and testing:
 *
 *   serve                 run the gateway (default)
 *   plc read|write|info   talk to a PLC over the MC protocol
 *   import, export        configuration as CSV files
 *   users                 reset a user's password, list users
 *   fixture-plc           run fixture PLCs (MC protocol servers) for tests and demos
 */
import { runBackup, runRestore } from "./cli/backup.ts";
import { runHealth } from "./cli/health.ts";
import { runExport, runImport } from "./cli/import_export.ts";
import { runPlcCommand } from "./cli/plc.ts";
import { runServe } from "./cli/serve.ts";
import { runUsers } from "./cli/users.ts";
import { runFixturePlcCli } from "./fixtures/cli.ts";

const USAGE = `usage: jsscada [command] [options]

commands:
  serve                  run the gateway (default); see --help of serve
  plc read|write|info    read, write or identify a PLC over the MC protocol
  import <file|dir>      import configuration from CSV (dry run, merge or replace)
  export                 export configuration as CSV
  users reset-password NAME
                         set a new password (printed, or from JSSCADA_NEW_PASSWORD)
  users list             the users and their roles
  fixture-plc            run fixture PLCs (MC protocol servers) for tests and demos
  health [--ready]       ask a running gateway whether it is alive (or ready)
  backup                 copy config, history and journal while the gateway runs
  restore FOLDER         put a backup back into a data directory (gateway stopped)
  help                   this text

Run "jsscada <command> --help" for a command's options.`;

/** Runs one command line; resolves to the exit status. */
export async function main(args: string[]): Promise<number> {
  const [command = "serve", ...rest] = args;
  const io = { stdout: (l: string) => console.log(l), stderr: (l: string) => console.error(l) };
  switch (command) {
    case "serve":
      return await runServe(rest, io);
    case "plc":
      return await runPlcCommand(rest, io);
    case "import":
      return await runImport(rest, io);
    case "export":
      return await runExport(rest, io);
    case "health":
      return await runHealth(rest, io);
    case "backup":
      return await runBackup(rest, io);
    case "restore":
      return await runRestore(rest, io);
    case "users":
      return await runUsers(rest, io);
    case "fixture-plc":
      return await runFixturePlcCli(rest);
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      if (command.startsWith("-")) return await runServe(args, io);
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));

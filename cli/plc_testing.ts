/**
 * Test support for the `plc` command: one run with its output captured, and
 * a run that must succeed and print one JSON value.
 */
import assert from "node:assert/strict";
import { runPlcCommand } from "./plc.ts";

/** What one run of the command printed, and its exit status. */
export interface PlcRun {
  status: number;
  stdout: string[];
  stderr: string[];
}

/** Runs `jsscada plc …` in-process with its output captured. */
export async function runPlc(args: string[]): Promise<PlcRun> {
  const stdout: string[] = [], stderr: string[] = [];
  const status = await runPlcCommand(args, {
    stdout: (l) => stdout.push(l),
    stderr: (l) => stderr.push(l),
  });
  return { status, stdout, stderr };
}

/** Runs the command, expects success and one JSON value on stdout, and returns it. */
export async function plcJson(args: string[]): Promise<unknown> {
  const r = await runPlc(args);
  assert.equal(r.status, 0, r.stderr.join("\n"));
  assert.equal(r.stdout.length, 1);
  return JSON.parse(r.stdout[0]);
}

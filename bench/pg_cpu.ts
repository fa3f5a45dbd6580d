/**
 * CPU time used by a PostgreSQL server (the postmaster and all its backends
 * and helpers), read from /proc, so that a sink benchmark on a machine that
 * other work shares can report CPU-seconds per value — a figure the other
 * load hardly moves — beside its wall-clock values/s.
 */
import type postgres from "postgres";

/** Seconds of CPU (user + system) used so far by one PostgreSQL server's processes. */
export type ServerCpu = () => number;

/**
 * A reader of the server's CPU seconds, found through `data_directory` and
 * its postmaster.pid; undefined when /proc or that file cannot be read (not
 * Linux, or another user's server without root).
 */
export async function serverCpu(sql: postgres.Sql): Promise<ServerCpu | undefined> {
  try {
    const [{ dir }] = await sql`select current_setting('data_directory') as dir`;
    const postmaster = Number((await Deno.readTextFile(`${dir}/postmaster.pid`)).split("\n")[0]);
    if (!Number.isInteger(postmaster)) return undefined;
    const ticks = 100; // USER_HZ on Linux
    return () => {
      let seconds = 0;
      for (const entry of Deno.readDirSync("/proc")) {
        if (!/^\d+$/.test(entry.name)) continue;
        try {
          const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
          const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          // f[1] is the parent pid, f[11] and f[12] utime and stime in ticks.
          if (Number(entry.name) === postmaster || Number(f[1]) === postmaster) {
            seconds += (Number(f[11]) + Number(f[12])) / ticks;
          }
        } catch {
          // the process ended while we read
        }
      }
      return seconds;
    };
  } catch {
    return undefined;
  }
}

/** Seconds of CPU (user + system) this Deno process has used so far, all threads. */
export function ownCpu(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

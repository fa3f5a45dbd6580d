/**
 * The demo's fixture PLCs in their own worker (fixtures/fixture_worker.ts),
 * as the gateway sees them: their codes and ports, and close. If the thread
 * crashes it is started again on the same ports, as a restarted PLC would be.
 */
import type { FixtureEndpoint, ToFixture } from "../fixtures/fixture_worker.ts";
import type { FixtureProfile } from "../fixtures/profile.ts";
import { WorkerLink } from "./worker_link.ts";
import type { Reply } from "./worker_messages.ts";

const START_TIMEOUT_MS = 15_000;

/** Running fixture PLCs in a worker. */
export interface FixtureThread {
  readonly plcs: readonly FixtureEndpoint[];
  close(): Promise<void>;
}

/** Starts the profile's fixture PLCs in a worker; `ports` as in startFixturePlant. */
export async function startFixtureThread(
  profile: FixtureProfile,
  ports: number | undefined,
  onCrash: (error: string) => void = () => {},
): Promise<FixtureThread> {
  let closed = false;
  let link: WorkerLink<ToFixture, Reply>;
  let plcs: FixtureEndpoint[] = [];
  const open = async (p: number | Readonly<Record<string, number>> | undefined) => {
    link = new WorkerLink<ToFixture, Reply>(
      new URL("../fixtures/fixture_worker.ts", import.meta.url),
      "fixture",
      () => {},
      (error) => {
        onCrash(error);
        if (!closed) {
          setTimeout(() => {
            if (!closed) open(Object.fromEntries(plcs.map((x) => [x.code, x.port]))).catch(onCrash);
          }, 1_000);
        }
      },
    );
    try {
      plcs = await link.request<FixtureEndpoint[]>(
        (id) => ({ type: "start", id, profile, ...(p === undefined ? {} : { ports: p }) }),
        START_TIMEOUT_MS,
      );
    } catch (e) {
      link.terminate();
      throw e;
    }
  };
  await open(ports);
  return {
    get plcs() {
      return plcs;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await link.request((id) => ({ type: "stop", id }), 2_000);
      } catch { /* terminated below either way */ }
      link.terminate();
    },
  };
}

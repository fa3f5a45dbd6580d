/**
 * Workers as supervised actors. A data-plane thread (acquisition, historian,
 * fixture PLCs) is opened by an injected function; {@link workerLogic} turns
 * its crash into an actor error, so the supervisor (supervisor.ts) restarts
 * it with backoff inside the restart budget while the other workers keep
 * their schedule. {@link workersMachine} is the main thread's root of them.
 */
import {
  type ActorRefFrom,
  type AnyEventObject,
  enqueueActions,
  fromCallback,
  setup,
  type SnapshotFrom,
} from "xstate";
import type { Clock } from "./clock.ts";
import type { Report } from "./events.ts";
import {
  type RestartPolicy,
  supervise,
  supervision,
  type SupervisionStatus,
} from "./supervisor.ts";

/** An open worker thread, as its actor sees it. */
export interface OpenWorker {
  /** Stops the thread at once (graceful stops happen before, by message). */
  close(): void;
}

/** What a worker actor is started with. */
export interface WorkerActorInput {
  /** Opens the thread; `crashed` is to be called once if it dies of an error. */
  readonly open: (crashed: (error: string) => void) => OpenWorker;
}

/** Runs one worker thread; its crash is this actor's error. */
export const workerLogic = fromCallback<AnyEventObject, WorkerActorInput>(
  ({ input, self, receive }) => {
    let crashed = false;
    const worker = input.open((error) => {
      if (crashed) return;
      crashed = true;
      self.send({ type: "worker.crashed", error });
    });
    receive((e) => {
      if (e.type === "worker.crashed") throw new Error(String(e.error));
    });
    return () => worker.close();
  },
);

/** The supervised worker logic. */
export const supervisedWorker = supervise(workerLogic);

/** One worker of the root. */
export interface WorkerSpec {
  /** Actor id, e.g. `historian`, `acquisition:0`, `fixture`. */
  readonly id: string;
  readonly input: WorkerActorInput;
}

/** The root's input. */
export interface WorkersInput {
  readonly clock: Clock;
  readonly report: Report;
  readonly policy?: Partial<RestartPolicy>;
}

/** Events of the root: start one more supervised worker, or stop one. */
export type WorkersEvent =
  | { readonly type: "worker.add"; readonly spec: WorkerSpec }
  | { readonly type: "worker.remove"; readonly id: string };

/** The main thread's root actor of the data-plane workers. */
export const workersMachine = setup({
  types: {
    input: {} as WorkersInput,
    context: {} as WorkersInput,
    events: {} as WorkersEvent,
  },
  actors: { worker: supervisedWorker },
}).createMachine({
  id: "workers",
  context: ({ input }) => input,
  on: {
    "worker.add": {
      actions: enqueueActions(({ context, event, enqueue }) => {
        enqueue.spawnChild("worker", {
          id: event.spec.id,
          input: {
            id: event.spec.id,
            input: event.spec.input,
            clock: context.clock,
            report: context.report,
            ...(context.policy ? { policy: context.policy } : {}),
          },
        });
      }),
    },
    "worker.remove": {
      actions: enqueueActions(({ event, enqueue }) => enqueue.stopChild(event.id)),
    },
  },
});

/** The root actor. */
export type WorkersActor = ActorRefFrom<typeof workersMachine>;

/** Supervision status of the root's worker `id`, if it exists. */
export function workerSupervision(
  root: WorkersActor,
  id: string,
): SupervisionStatus | undefined {
  const child = (root.getSnapshot().children as Record<string, unknown>)[id] as
    | { getSnapshot(): SnapshotFrom<typeof supervisedWorker> }
    | undefined;
  if (!child) return undefined;
  const { child: _, ...s } = supervision(child.getSnapshot());
  return s;
}

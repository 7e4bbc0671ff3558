/**
 * The benchmark's helper processes (simulators, probe, bare Fastify route) run apart from the
 * load generator, so each one's CPU is measured on its own. They are forked with tsx and answer
 * calls over the IPC channel: `serveRpc` on the child side, `forkChild` on the parent side.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// `never`: any handler, whatever its argument type, is one (the caller passes what it expects).
type Handlers = Record<string, (args: never) => unknown>;

interface CallMessage {
  id: number;
  method: string;
  args: unknown;
}

interface ReplyMessage {
  id: number;
  result?: unknown;
  error?: string;
}

export interface ChildHandle {
  name: string;
  process: ChildProcess;
  pid: number;
  call<T = unknown>(method: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Forks `bench/children/<file>` and waits for its `ready` message (carrying what it listens on). */
export async function forkChild<Ready = unknown>(
  name: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { logFile?: NodeJS.WritableStream } = {},
): Promise<{ child: ChildHandle; ready: Ready }> {
  const path = fileURLToPath(new URL(`../children/${file}`, import.meta.url));
  const child = fork(path, [], { execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  if (options.logFile) {
    child.stdout?.pipe(options.logFile, { end: false });
    child.stderr?.pipe(options.logFile, { end: false });
  } else {
    child.stdout?.resume();
    child.stderr?.pipe(process.stderr);
  }
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  const ready = await new Promise<Ready>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${name} exited (${code}) before it was ready`));
    child.once('exit', onExit);
    child.on('message', (message: { ready?: Ready } & ReplyMessage) => {
      if ('ready' in message) {
        child.off('exit', onExit);
        resolve(message.ready as Ready);
        return;
      }
      const call = waiting.get(message.id);
      if (!call) return;
      waiting.delete(message.id);
      if (message.error !== undefined) call.reject(new Error(`${name}: ${message.error}`));
      else call.resolve(message.result);
    });
  });
  child.on('exit', (code) => {
    for (const call of waiting.values()) call.reject(new Error(`${name} exited (${code})`));
    waiting.clear();
  });
  const handle: ChildHandle = {
    name,
    process: child,
    pid: child.pid ?? 0,
    call<T>(method: string, args?: unknown) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, method, args } satisfies CallMessage);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return { child: handle, ready };
}

/** Child side: answers calls with `handlers` once `ready` is sent. */
export function serveRpc(handlers: Handlers, ready: unknown, onStop: () => Promise<void>): void {
  process.on('message', (message: CallMessage) => {
    const handler = handlers[message.method];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no method ${message.method}`);
        return handler(message.args as never);
      })
      .then(
        (result) => process.send?.({ id: message.id, result } satisfies ReplyMessage),
        (err: unknown) =>
          process.send?.({ id: message.id, error: err instanceof Error ? err.message : String(err) } satisfies ReplyMessage),
      );
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    onStop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.send?.({ ready });
}

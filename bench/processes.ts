/**
 * Every process the bench starts is tracked here, so stopAll() can stop each
 * one by PID however a row ended.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();

/** Tracks `child` until it exits; resolves at its exit. */
export function track(child: ChildProcess): Promise<void> {
  children.add(child);
  return new Promise((resolve) => {
    const done = (): void => {
      children.delete(child);
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', done);
  });
}

/** Stops every tracked process (by PID) and waits for them to exit. */
export async function stopAll(): Promise<void> {
  const exits = [...children].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
}

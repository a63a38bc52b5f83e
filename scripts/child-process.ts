/**
 * Stopping a child process the way an orchestrator would: SIGTERM, then SIGKILL after a grace period.
 * Shared by the end-to-end tests and the bench, which both run the built apps as children.
 */
import type { ChildProcess } from 'node:child_process';

/** Resolves once the child has exited (at once when it already has). */
export function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * What a node adds for status: the tracker that keeps its status from the
 * event bus, and the endpoint on 127.0.0.1 that serves it. node.ts creates it
 * once, right after its sessions, and stops it first when stopping.
 */
import type { IndexEntry } from '../index/types.js';
import type { EventBus } from './events.js';
import { startStatusServer, type StatusServer } from './server.js';
import { StatusTracker, type StatusSources } from './tracker.js';

export interface NodeStatusOptions {
  stateDir: string;
  /** --gui-port; 0 = any free port. */
  guiPort: number;
  bus: EventBus;
  sources: StatusSources;
}

export interface NodeStatusHandle {
  readonly tracker: StatusTracker;
  readonly server: StatusServer;
  stop(): Promise<void>;
}

export async function startNodeStatus(options: NodeStatusOptions): Promise<NodeStatusHandle> {
  const tracker = new StatusTracker(options.bus, options.sources);
  const server = await startStatusServer({ stateDir: options.stateDir, port: options.guiPort, bus: options.bus, tracker });
  return { tracker, server, stop: () => server.stop() };
}

/** A scan recorded these entries as changed in the share. */
export function reportLocalChanges(bus: EventBus, changed: readonly IndexEntry[]): void {
  for (const entry of changed) bus.emit('local.changed', { path: entry.path, kind: entry.type, deleted: entry.deleted });
}

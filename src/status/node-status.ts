/**
 * What a node adds for status: the tracker that keeps its status from the
 * event bus (created before the first scan, so it sees every event), and the
 * endpoint on 127.0.0.1 that serves it (started last, once the node is up).
 */
import type { IndexEntry } from '../model/entries.js';
import type { EventBus } from './events.js';
import { startStatusServer, type StatusServer } from './server.js';
import { StatusTracker, type StatusSources } from './tracker.js';

export class NodeStatus {
  readonly tracker: StatusTracker;
  private server: StatusServer | null = null;

  constructor(
    private readonly bus: EventBus,
    sources: StatusSources,
  ) {
    this.tracker = new StatusTracker(bus, sources);
  }

  /** Serves the status; `guiPort` 0 = any free port (written to the state folder). */
  async listen(stateDir: string, guiPort: number): Promise<StatusServer> {
    this.server = await startStatusServer({ stateDir, port: guiPort, bus: this.bus, tracker: this.tracker });
    return this.server;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

/** A scan recorded these entries as changed in the share. */
export function reportLocalChanges(bus: EventBus, changed: readonly IndexEntry[]): void {
  for (const entry of changed) bus.emit('local.changed', { path: entry.path, kind: entry.type, deleted: entry.deleted });
}

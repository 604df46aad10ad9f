/**
 * The soak: three real leftsync processes, every pair linked through two TCP
 * relays (one per dialing direction), random operations on every peer's folder,
 * random SIGKILLs and restarts of any peer, random link black-holes and resets.
 * Peer A starts with a share of a few dozen entries, which the others receive
 * while the operations already run.
 * At the end every link is healed and every peer runs; the three trees must
 * become equal (bounded wait) and match the ShareModel: nothing lost, nothing
 * come back (see test/helpers/share-model.ts for the exact rule).
 *
 * A seed fixes every random decision. Which entries an operation can pick
 * depends on what sync has already done to the folder, so a replay with the same
 * seed takes the same decisions for as long as the timing matches, not forever.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanupNodes, removeTempDirs, type LogEvent, type NodeProcess } from '../helpers/node-process.js';
import { Relay } from '../helpers/relay.js';
import { Seeded } from '../helpers/seeded.js';
import { ShareModel, isConflictPath } from '../helpers/share-model.js';
import { PortRange, newShare, startSyncNode } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees, type Tree } from '../helpers/tree.js';
import { OPERATIONS, initialShare, listing, randomOperation, type Operation } from './ops.js';

export interface SoakOptions {
  seed: number;
  seconds: number;
  /** Three ports from here on are the peers' own; the relays take free ports. */
  ports: PortRange;
  /** Bound of the final wait for equal trees. */
  convergeTimeoutMs?: number;
  /** Progress lines (the npm script prints them; the test keeps them quiet). */
  progress?: (line: string) => void;
  /**
   * Never swap a folder for a file, to tell a failure apart from the one that swap
   * once caused (a peer creating inside the folder meanwhile: no convergence;
   * fixed, test/soak/dir-becomes-file.test.ts).
   */
  noDirToFile?: boolean;
  /**
   * Report entries that came back without failing, to tell other failures apart
   * (a file deleted by the peer whose edit won a conflict once came back; fixed,
   * test/soak/deleted-after-conflict.test.ts).
   */
  tolerateComeBack?: boolean;
  /** Keep the shares and write the full log there on failure (default: a file in the temp folder). */
  keep?: boolean;
}

export interface SoakResult {
  seed: number;
  noDirToFile: boolean;
  tolerateComeBack: boolean;
  operations: number;
  byOperation: Record<Operation, number>;
  skipped: number;
  raced: string[];
  kills: number;
  blackholes: number;
  resets: number;
  bytesMoved: number;
  connections: number;
  entries: number;
  conflicts: number;
  expected: number;
  /** Exits nobody asked for (a crash), with the last stderr. */
  crashes: string[];
  /** error-level log events by name, over all peers and incarnations. */
  errors: Record<string, number>;
  convergeError: string | null;
  lost: string[];
  unexpected: string[];
  /** Where the full operations log and the peers' logs were written (only when it failed). */
  logFile: string | null;
  /** The last log lines of each peer (only when it failed). */
  logTail: string;
  ok: boolean;
}

const NAMES = ['A', 'B', 'C'] as const;
/** Log lines kept per peer for the failure log (the periodic transfer.stats lines left out). */
const HISTORY = 1500;

interface Peer {
  name: string;
  dir: string;
  node: NodeProcess;
  /** When a killed peer comes back (0: it runs). */
  downUntil: number;
  /** The scheduled SIGKILL (a restart waits for it). */
  killing: Promise<void> | null;
  /** Log lines of earlier incarnations, the last HISTORY of them. */
  history: string[];
}

interface Link {
  name: string;
  relays: Relay[];
  /** When a black-holed link heals (0: it forwards). */
  healAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const line = (e: LogEvent): string => JSON.stringify(e);

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { seed, seconds, convergeTimeoutMs = 120_000 } = options;
  const progress = options.progress ?? (() => undefined);
  const rng = new Seeded(seed);
  const model = new ShareModel();
  const log: string[] = [];
  const result: SoakResult = {
    seed, noDirToFile: options.noDirToFile ?? false, tolerateComeBack: options.tolerateComeBack ?? false, operations: 0, byOperation: Object.fromEntries(OPERATIONS.map((o) => [o, 0])) as Record<Operation, number>, skipped: 0, raced: [],
    kills: 0, blackholes: 0, resets: 0, bytesMoved: 0, connections: 0, entries: 0, conflicts: 0, expected: 0,
    crashes: [], errors: {}, convergeError: null, lost: [], unexpected: [], logFile: null, logTail: '', ok: false,
  };
  const finalTrees: string[] = [];
  let fresh = 0;
  const started = Date.now();
  const at = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;

  const peerPorts = NAMES.map(() => options.ports.take());
  // relays[i][j]: what peer i dials to reach peer j.
  const relays = await Promise.all(NAMES.map((_, i) => Promise.all(NAMES.map((__, j) => (i === j ? null : Relay.start(peerPorts[j]!))))));
  const links: Link[] = [];
  for (let i = 0; i < NAMES.length; i++) {
    for (let j = i + 1; j < NAMES.length; j++) links.push({ name: `${NAMES[i]}-${NAMES[j]}`, relays: [relays[i]![j]!, relays[j]![i]!], healAt: 0 });
  }
  const dirs = NAMES.map(() => newShare());
  const initial = await initialShare(dirs[0]!, rng, model);
  log.push(`${at()} A has ${initial} entries before the peers start`);
  const peers: Peer[] = NAMES.map((name, i) => {
    const dir = dirs[i]!;
    const dials = relays[i]!.filter((r): r is Relay => r !== null).map((r) => r.port);
    return { name, dir, node: startSyncNode(dir, peerPorts[i]!, dials), downUntil: 0, killing: null, history: [] };
  });
  const keepHistory = (peer: Peer): void => {
    for (const e of peer.node.events) if (e.level === 'error') result.errors[e.event] = (result.errors[e.event] ?? 0) + 1;
    const events = peer.node.events.filter((e) => e.event !== 'transfer.stats');
    peer.history.push(`--- incarnation pid ${peer.node.pid} ---`, ...events.map(line), ...peer.node.textLines);
    peer.history.splice(0, Math.max(0, peer.history.length - HISTORY));
  };
  const respawn = (peer: Peer): void => {
    keepHistory(peer);
    peer.node.spawn();
    watchExit(peer);
  };
  /** An exit the soak did not cause is a crash: noted, and the peer is started again. */
  const watchExit = (peer: Peer): void => {
    const node = peer.node;
    const incarnation = node.child;
    void node.exit.then(({ code, signal }) => {
      if (peer.killing !== null || node.child !== incarnation || finished) return;
      result.crashes.push(`${peer.name} exited (code ${code}, signal ${signal}) at ${at()}: ${node.textLines.slice(-5).join(' | ')}`);
      log.push(`${at()} CRASH ${peer.name}`);
      respawn(peer);
    });
  };
  let finished = false;
  for (const peer of peers) watchExit(peer);

  try {
    const end = started + seconds * 1000;
    let nextProgress = started + 10_000;
    while (Date.now() < end) {
      const now = Date.now();
      for (const peer of peers) {
        if (peer.downUntil !== 0 && peer.downUntil <= now) {
          await peer.killing;
          peer.killing = null;
          peer.downUntil = 0;
          respawn(peer);
          log.push(`${at()} restart ${peer.name}`);
        }
      }
      for (const link of links) {
        if (link.healAt !== 0 && link.healAt <= now) {
          link.healAt = 0;
          for (const relay of link.relays) relay.heal();
          log.push(`${at()} heal ${link.name}`);
        }
      }
      if (rng.chance(0.04)) {
        const victim = rng.pick(peers);
        if (victim.downUntil === 0) {
          const delay = rng.int(0, 400);
          victim.downUntil = now + delay + rng.int(300, 4000);
          victim.killing = sleep(delay).then(() => victim.node.kill('SIGKILL'));
          result.kills += 1;
          log.push(`${at()} kill ${victim.name} in ${delay} ms`);
        }
      }
      if (rng.chance(0.06)) {
        const link = rng.pick(links);
        if (link.healAt === 0) {
          if (rng.chance(0.5)) {
            const ms = rng.int(1000, 7000);
            link.healAt = now + ms;
            for (const relay of link.relays) relay.blackhole();
            result.blackholes += 1;
            log.push(`${at()} blackhole ${link.name} for ${ms} ms`);
          } else {
            for (const relay of link.relays) relay.reset();
            result.resets += 1;
            log.push(`${at()} reset ${link.name}`);
          }
        }
      }

      const peer = rng.pick(peers);
      try {
        const done = await randomOperation(peer.dir, peer.name, {
          rng, model, noDirToFile: options.noDirToFile, freshName: (prefix) => `${prefix}${fresh++}`,
          onRace: (what) => result.raced.push(what),
        }, await listing(peer.dir));
        if (done) {
          result.operations += 1;
          result.byOperation[done.op] += 1;
          log.push(`${at()} ${done.line}`);
        }
      } catch (err) {
        // Sync changed the folder between the listing and the operation.
        result.skipped += 1;
        log.push(`${at()} ${peer.name} skipped: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (Date.now() >= nextProgress) {
        nextProgress += 10_000;
        progress(`${at()}: ${result.operations} operations, ${result.kills} kills, ${result.blackholes + result.resets} cuts, ${bytesMoved(links)} bytes moved`);
      }
      await sleep(rng.int(0, 400));
    }

    progress(`${at()}: operations stop; healing every link, starting every peer, waiting for convergence`);
    for (const link of links) {
      link.healAt = 0;
      for (const relay of link.relays) relay.heal();
    }
    for (const peer of peers) {
      if (peer.downUntil !== 0) {
        await peer.killing;
        peer.killing = null;
        peer.downUntil = 0;
        respawn(peer);
      }
    }
    log.push(`${at()} end: all healed, all running`);
    let tree: Tree | null = null;
    try {
      tree = await waitForSameTrees(peers.map((p) => p.dir), { stableMs: 4_000, timeoutMs: convergeTimeoutMs });
    } catch (err) {
      result.convergeError = (err as Error).message;
      tree = await treeOf(peers[0]!.dir).catch(() => null);
    }
    for (const peer of peers) {
      const final = await treeOf(peer.dir).catch(() => ({}));
      finalTrees.push(`== final tree of ${peer.name}`, ...Object.entries(final).map(([p, v]) => `  ${p}  ${v.slice(0, 24)}`));
    }
    progress(`${at()}: ${result.convergeError ? 'did NOT converge' : 'converged'}`);
    if (tree) {
      const report = model.check(tree);
      result.lost = report.lost;
      result.unexpected = report.unexpected;
      result.expected = report.expected;
      result.entries = Object.keys(tree).length;
      result.conflicts = Object.keys(tree).filter((p) => isConflictPath(p) && !isConflictPath(path.posix.dirname(p))).length;
    }
  } finally {
    finished = true;
    result.bytesMoved = bytesMoved(links);
    result.connections = links.reduce((n, l) => n + l.relays.reduce((m, r) => m + r.connections, 0), 0);
    for (const peer of peers) keepHistory(peer);
    await cleanupNodes();
    await Promise.all(links.flatMap((l) => l.relays.map((r) => r.close())));
  }

  result.ok = result.convergeError === null && result.lost.length === 0 && result.crashes.length === 0 &&
    (result.unexpected.length === 0 || result.tolerateComeBack);
  if (!result.ok) {
    const dir = options.keep ? path.dirname(peers[0]!.dir) : tmpdir();
    mkdirSync(dir, { recursive: true });
    result.logFile = path.join(dir, `leftsync-soak-${seed}-${Date.now()}.log`);
    writeFileSync(result.logFile, [
      summary(result), '', ...finalTrees, '', '== operations', ...log, '',
      ...peers.flatMap((p) => [`== ${p.name} (${p.dir}): last ${HISTORY} log lines`, ...p.history, '']),
    ].join('\n'));
    result.logTail = peers.map((p) => `== ${p.name}\n${p.history.slice(-40).join('\n')}`).join('\n');
  }
  if (result.ok || !options.keep) removeTempDirs();
  return result;
}

function bytesMoved(links: Link[]): number {
  return links.reduce((n, l) => n + l.relays.reduce((m, r) => m + r.bytesForwarded, 0), 0);
}

/** Why a run failed, on one line: a CI log's failure summary keeps only an error's first lines. */
function failures(r: SoakResult): string {
  const why = [
    ...(r.convergeError ? ['not converged'] : []),
    ...(r.crashes.length ? [`${r.crashes.length} crashed`] : []),
    ...(r.lost.length ? [`${r.lost.length} lost: ${r.lost[0]}`] : []),
    ...(r.unexpected.length ? [`${r.unexpected.length} came back: ${r.unexpected[0]}`] : []),
  ];
  return why.join('; ');
}

/** The lines the npm script prints and the test reports. */
export function summary(r: SoakResult): string {
  const ops = OPERATIONS.map((o) => `${o} ${r.byOperation[o]}`).join(', ');
  const errors = Object.entries(r.errors).map(([e, n]) => `${e} x${n}`).join(', ') || 'none';
  return [
    `seed ${r.seed}: ${r.ok ? 'PASS' : `FAIL (${failures(r)})`}${r.noDirToFile ? ' (without folder -> file swaps)' : ''}`,
    `operations done: ${r.operations} (${ops}; ${r.skipped} skipped because sync changed the folder first)`,
    `kills survived: ${r.kills}`,
    `cuts survived: ${r.blackholes + r.resets} (${r.blackholes} black-holes, ${r.resets} resets; ${r.connections} TCP connections through the relays)`,
    `bytes moved: ${r.bytesMoved} (through the relays, both directions)`,
    `final tree: ${r.entries} entries, ${r.conflicts} conflict copies; ${r.expected} contents checked`,
    `error-level log events: ${errors}`,
    ...(r.raced.length ? [`writes raced by sync: ${r.raced.length}: ${r.raced.slice(0, 5).join('; ')}`] : []),
    ...(r.convergeError ? [`NOT CONVERGED: ${r.convergeError}`] : []),
    ...r.crashes.map((c) => `CRASH: ${c}`),
    ...(r.lost.length ? [`LOST (${r.lost.length}):`, ...r.lost.slice(0, 30).map((l) => `  ${l}`)] : []),
    ...(r.unexpected.length ? [`CAME BACK${r.tolerateComeBack ? ' (tolerated: --tolerate-come-back)' : ''} (${r.unexpected.length}):`, ...r.unexpected.slice(0, 30).map((l) => `  ${l}`)] : []),
    ...(r.logFile ? [`full log: ${r.logFile}`] : []),
  ].join('\n');
}

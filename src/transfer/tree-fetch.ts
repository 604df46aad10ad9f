/**
 * The puller's first step for a file of more than one chunk: its chunk list,
 * resolved from the version's root top-down (src/chunker/tree.ts). Nodes we
 * hold in the tree of our own version of the path are not asked for, so an
 * edit costs the nodes on its path, not the list. Every node received is
 * checked against the hash its parent names: a lying peer makes the pull
 * fail (LS_TREE_INVALID), never a wrong list.
 */
import { CHUNK_SIZES } from '../chunker/params.js';
import { resolveTree } from '../chunker/tree.js';
import { ErrorCode, LeftsyncError } from '../errors.js';
import type { IndexEntry, StoredChunk } from '../model/entries.js';
import { MAX_TREE_NODES_PER_FRAME } from '../protocol/limits.js';
import type { TreeReply, TreeRequest } from '../protocol/messages.js';
import { wireBytes } from '../protocol/entries.js';
import { MAX_CHUNK_BYTES } from './chunk-io.js';
import type { TreeCache } from './tree-cache.js';

/** The supplier no longer has that version (a newer index entry will follow). */
export class VersionGone extends Error {}

export interface RemoteList {
  chunks: StoredChunk[];
  /** Tree nodes fetched and their encoded bytes (what the signature cost). */
  treeNodes: number;
  treeBytes: number;
}

/** Sends one TreeRequest (request id filled in by the caller) and waits for its reply. */
export type TreeAsk = (request: TreeRequest) => Promise<TreeReply>;

export async function fetchChunkList(remote: IndexEntry, trees: TreeCache, ask: TreeAsk): Promise<RemoteList> {
  const held = trees.current(remote.path);
  // Renamed, moved or copied: the whole tree is here already under the other name.
  const same = trees.holding(remote.digest);
  const fetch = async (hashes: Buffer[]): Promise<Uint8Array[]> => {
    const batches: Buffer[][] = [];
    for (let at = 0; at < hashes.length; at += MAX_TREE_NODES_PER_FRAME) batches.push(hashes.slice(at, at + MAX_TREE_NODES_PER_FRAME));
    const replies = await Promise.all(
      batches.map((batch) => ask({ requestId: 0, path: remote.path, digest: wireBytes(remote.digest), nodes: batch.map(wireBytes) })),
    );
    const nodes: Uint8Array[] = [];
    replies.forEach((reply, i) => {
      if (reply.errorCode === ErrorCode.VERSION_GONE) throw new VersionGone();
      if (reply.errorCode !== '') {
        throw new LeftsyncError(ErrorCode.TREE_INVALID, `chunk tree of ${remote.path}: peer answered ${reply.errorCode}`);
      }
      if (reply.nodes.length !== batches[i]!.length) {
        throw new LeftsyncError(ErrorCode.TREE_INVALID, `chunk tree of ${remote.path}: asked for ${batches[i]!.length} nodes, got ${reply.nodes.length}`);
      }
      nodes.push(...reply.nodes);
    });
    return nodes;
  };
  // Every chunk but the last is at least minSize: a tree claiming more entries lies.
  const maxChunks = Math.floor(remote.size / CHUNK_SIZES.minSize) + 1;
  const resolved = await resolveTree(remote.digest, remote.size, { local: (hash) => (same ?? held)?.nodes.get(hash.toString('hex'))?.node, fetch }, maxChunks);
  checkChunkList(remote, resolved.chunks);
  return { chunks: resolved.chunks, treeNodes: resolved.fetchedNodes, treeBytes: resolved.fetchedBytes };
}

/** The chunk list must tile the file exactly with chunks we accept; anything else is a broken or hostile peer. */
function checkChunkList(remote: IndexEntry, chunks: StoredChunk[]): void {
  const bad = (why: string) => new LeftsyncError(ErrorCode.TREE_INVALID, `chunk tree of ${remote.path}: ${why}`);
  let offset = 0;
  for (const chunk of chunks) {
    if (chunk.offset !== offset) throw bad(`chunk at ${chunk.offset}, expected ${offset}`);
    if (chunk.length <= 0 || chunk.length > MAX_CHUNK_BYTES) throw bad(`chunk length ${chunk.length}`);
    offset += chunk.length;
  }
  if (offset !== remote.size) throw bad(`chunks cover ${offset} of ${remote.size} bytes`);
}

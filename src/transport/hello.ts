/**
 * Hello: what each side announces once authenticated, and the compatibility
 * check both sides run on the other's Hello. A mismatch is refused with a
 * message that names both values, so the user sees what to fix.
 */
import { ErrorCode, LeftsyncError } from '../errors.js';
import type { ChunkerParamsMessage, Hello } from '../protocol/messages.js';

export interface HelloInfo {
  protocolVersion: number;
  chunker: ChunkerParamsMessage;
  capabilities: string[];
  clientVersion: string;
  instanceId: string;
}

export function buildHello(localId: string, info: HelloInfo): Hello {
  return { peerId: localId, ...info };
}

function describeChunker(c: ChunkerParamsMessage): string {
  return `${c.engine}/${c.hash} min=${c.minSize} avg=${c.avgSize} max=${c.maxSize}`;
}

/** Throws LeftsyncError(PROTO_VERSION | CHUNKER_MISMATCH | AUTH_FAILED) when the peers cannot sync. */
export function checkHello(local: Hello, remote: Hello, authenticatedId: string): void {
  if (remote.peerId !== authenticatedId) {
    throw new LeftsyncError(ErrorCode.AUTH_FAILED, `Hello names peer ${remote.peerId} but the handshake authenticated ${authenticatedId}`);
  }
  if (remote.protocolVersion !== local.protocolVersion) {
    throw new LeftsyncError(
      ErrorCode.PROTO_VERSION,
      `protocol version mismatch: peer ${remote.peerId} speaks version ${remote.protocolVersion} (leftsync ${remote.clientVersion || '?'}), we speak ${local.protocolVersion}; run the same leftsync version on both`,
    );
  }
  const theirs = remote.chunker!;
  const ours = local.chunker!;
  const same =
    theirs.engine === ours.engine &&
    theirs.hash === ours.hash &&
    theirs.minSize === ours.minSize &&
    theirs.avgSize === ours.avgSize &&
    theirs.maxSize === ours.maxSize;
  if (!same) {
    throw new LeftsyncError(
      ErrorCode.CHUNKER_MISMATCH,
      `chunker mismatch: peer ${remote.peerId} uses ${describeChunker(theirs)}, we use ${describeChunker(ours)}; start both with the same --engine`,
    );
  }
}

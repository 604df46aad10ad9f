/**
 * The message types of proto/leftsync.proto, re-exported under plain names so
 * the rest of leftsync never imports generated code directly.
 */
import { leftsync } from './generated/leftsync.js';

export type Frame = leftsync.Frame;
export type ChunkerParamsMessage = leftsync.ChunkerParams;
export type AuthChallenge = leftsync.AuthChallenge;
export type AuthResponse = leftsync.AuthResponse;
export type AuthProof = leftsync.AuthProof;
export type AuthOk = leftsync.AuthOk;
export type Hello = leftsync.Hello;
export type Counter = leftsync.Counter;
export type FileEntry = leftsync.FileEntry;
export type IndexRequest = leftsync.IndexRequest;
export type Index = leftsync.Index;
export type IndexUpdate = leftsync.IndexUpdate;
export type TreeRequest = leftsync.TreeRequest;
export type TreeReply = leftsync.TreeReply;
export type ChunkWant = leftsync.ChunkWant;
export type ChunkRequest = leftsync.ChunkRequest;
export type ChunkReply = leftsync.ChunkReply;
export type ErrorMessage = leftsync.Error;
export type GrowingFile = leftsync.GrowingFile;
export type StreamChunk = leftsync.StreamChunk;

export const FileType = leftsync.FileType;
export type FileType = leftsync.FileType;

/**
 * Bumped on every incompatible change of proto/leftsync.proto. 2: sint64 mtimes
 * (before 1970 round-trip); 3: the chunk-tree exchange (TreeRequest/TreeReply) and
 * FileEntry.digest as the tree root; 4: a ChunkRequest names many chunks
 * (ChunkWant), each answered by its own ChunkReply (index), and GrowingFile
 * (streaming sync of a file still being hashed).
 */
export const PROTOCOL_VERSION = 4;

/** The name of the one field set in a frame. */
export type FrameKind = keyof Frame;

/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface leftsync {}

export namespace leftsync {
  export interface ChunkerParams {
    engine: string
    hash: string
    minSize: number
    avgSize: number
    maxSize: number
  }

  export namespace ChunkerParams {
    let _codec: Codec<ChunkerParams>

    export const codec = (): Codec<ChunkerParams> => {
      if (_codec == null) {
        _codec = message<ChunkerParams>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.engine != null && obj.engine !== '')) {
            w.uint32(10)
            w.string(obj.engine)
          }

          if ((obj.hash != null && obj.hash !== '')) {
            w.uint32(18)
            w.string(obj.hash)
          }

          if ((obj.minSize != null && obj.minSize !== 0)) {
            w.uint32(24)
            w.uint32(obj.minSize)
          }

          if ((obj.avgSize != null && obj.avgSize !== 0)) {
            w.uint32(32)
            w.uint32(obj.avgSize)
          }

          if ((obj.maxSize != null && obj.maxSize !== 0)) {
            w.uint32(40)
            w.uint32(obj.maxSize)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            engine: '',
            hash: '',
            minSize: 0,
            avgSize: 0,
            maxSize: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.engine = reader.string()
                break
              }
              case 2: {
                obj.hash = reader.string()
                break
              }
              case 3: {
                obj.minSize = reader.uint32()
                break
              }
              case 4: {
                obj.avgSize = reader.uint32()
                break
              }
              case 5: {
                obj.maxSize = reader.uint32()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.engine`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.hash`,
                  value: reader.string()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.minSize`,
                  value: reader.uint32()
                }
                break
              }
              case 4: {
                yield {
                  field: `${prefix}.avgSize`,
                  value: reader.uint32()
                }
                break
              }
              case 5: {
                yield {
                  field: `${prefix}.maxSize`,
                  value: reader.uint32()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface ChunkerParamsEngineFieldEvent {
      field: '$.engine'
      value: string
    }

    export interface ChunkerParamsHashFieldEvent {
      field: '$.hash'
      value: string
    }

    export interface ChunkerParamsMinSizeFieldEvent {
      field: '$.minSize'
      value: number
    }

    export interface ChunkerParamsAvgSizeFieldEvent {
      field: '$.avgSize'
      value: number
    }

    export interface ChunkerParamsMaxSizeFieldEvent {
      field: '$.maxSize'
      value: number
    }

    export function encode (obj: Partial<ChunkerParams>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, ChunkerParams.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkerParams>): ChunkerParams {
      return decodeMessage(buf, ChunkerParams.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkerParams>): Generator<ChunkerParamsEngineFieldEvent | ChunkerParamsHashFieldEvent | ChunkerParamsMinSizeFieldEvent | ChunkerParamsAvgSizeFieldEvent | ChunkerParamsMaxSizeFieldEvent> {
      return streamMessage(buf, ChunkerParams.codec(), opts)
    }
  }

  export interface AuthChallenge {
    nonce: Uint8Array<ArrayBuffer>
    peerId: string
  }

  export namespace AuthChallenge {
    let _codec: Codec<AuthChallenge>

    export const codec = (): Codec<AuthChallenge> => {
      if (_codec == null) {
        _codec = message<AuthChallenge>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
            w.uint32(10)
            w.bytes(obj.nonce)
          }

          if ((obj.peerId != null && obj.peerId !== '')) {
            w.uint32(18)
            w.string(obj.peerId)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            nonce: uint8ArrayAlloc(0),
            peerId: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.nonce = reader.bytes()
                break
              }
              case 2: {
                obj.peerId = reader.string()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.nonce`,
                  value: reader.bytes()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.peerId`,
                  value: reader.string()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface AuthChallengeNonceFieldEvent {
      field: '$.nonce'
      value: Uint8Array<ArrayBuffer>
    }

    export interface AuthChallengePeerIdFieldEvent {
      field: '$.peerId'
      value: string
    }

    export function encode (obj: Partial<AuthChallenge>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, AuthChallenge.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthChallenge>): AuthChallenge {
      return decodeMessage(buf, AuthChallenge.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthChallenge>): Generator<AuthChallengeNonceFieldEvent | AuthChallengePeerIdFieldEvent> {
      return streamMessage(buf, AuthChallenge.codec(), opts)
    }
  }

  export interface AuthResponse {
    nonce: Uint8Array<ArrayBuffer>
    peerId: string
    mac: Uint8Array<ArrayBuffer>
  }

  export namespace AuthResponse {
    let _codec: Codec<AuthResponse>

    export const codec = (): Codec<AuthResponse> => {
      if (_codec == null) {
        _codec = message<AuthResponse>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
            w.uint32(10)
            w.bytes(obj.nonce)
          }

          if ((obj.peerId != null && obj.peerId !== '')) {
            w.uint32(18)
            w.string(obj.peerId)
          }

          if ((obj.mac != null && obj.mac.byteLength > 0)) {
            w.uint32(26)
            w.bytes(obj.mac)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            nonce: uint8ArrayAlloc(0),
            peerId: '',
            mac: uint8ArrayAlloc(0)
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.nonce = reader.bytes()
                break
              }
              case 2: {
                obj.peerId = reader.string()
                break
              }
              case 3: {
                obj.mac = reader.bytes()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.nonce`,
                  value: reader.bytes()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.peerId`,
                  value: reader.string()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.mac`,
                  value: reader.bytes()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface AuthResponseNonceFieldEvent {
      field: '$.nonce'
      value: Uint8Array<ArrayBuffer>
    }

    export interface AuthResponsePeerIdFieldEvent {
      field: '$.peerId'
      value: string
    }

    export interface AuthResponseMacFieldEvent {
      field: '$.mac'
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<AuthResponse>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, AuthResponse.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthResponse>): AuthResponse {
      return decodeMessage(buf, AuthResponse.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthResponse>): Generator<AuthResponseNonceFieldEvent | AuthResponsePeerIdFieldEvent | AuthResponseMacFieldEvent> {
      return streamMessage(buf, AuthResponse.codec(), opts)
    }
  }

  export interface AuthProof {
    mac: Uint8Array<ArrayBuffer>
  }

  export namespace AuthProof {
    let _codec: Codec<AuthProof>

    export const codec = (): Codec<AuthProof> => {
      if (_codec == null) {
        _codec = message<AuthProof>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.mac != null && obj.mac.byteLength > 0)) {
            w.uint32(10)
            w.bytes(obj.mac)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            mac: uint8ArrayAlloc(0)
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.mac = reader.bytes()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.mac`,
                  value: reader.bytes()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface AuthProofMacFieldEvent {
      field: '$.mac'
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<AuthProof>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, AuthProof.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthProof>): AuthProof {
      return decodeMessage(buf, AuthProof.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthProof>): Generator<AuthProofMacFieldEvent> {
      return streamMessage(buf, AuthProof.codec(), opts)
    }
  }

  export interface AuthOk {}

  export namespace AuthOk {
    let _codec: Codec<AuthOk>

    export const codec = (): Codec<AuthOk> => {
      if (_codec == null) {
        _codec = message<AuthOk>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {}

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export function encode (obj: Partial<AuthOk>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, AuthOk.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthOk>): AuthOk {
      return decodeMessage(buf, AuthOk.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthOk>): Generator<{}> {
      return streamMessage(buf, AuthOk.codec(), opts)
    }
  }

  export interface Hello {
    protocolVersion: number
    peerId: string
    chunker?: leftsync.ChunkerParams
    capabilities: string[]
    clientVersion: string
    instanceId: string
  }

  export namespace Hello {
    let _codec: Codec<Hello>

    export const codec = (): Codec<Hello> => {
      if (_codec == null) {
        _codec = message<Hello>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.protocolVersion != null && obj.protocolVersion !== 0)) {
            w.uint32(8)
            w.uint32(obj.protocolVersion)
          }

          if ((obj.peerId != null && obj.peerId !== '')) {
            w.uint32(18)
            w.string(obj.peerId)
          }

          if (obj.chunker != null) {
            w.uint32(26)
            leftsync.ChunkerParams.codec().encode(obj.chunker, w)
          }

          if (obj.capabilities != null && obj.capabilities.length > 0) {
            for (const value of obj.capabilities) {
              w.uint32(34)
              w.string(value)
            }
          }

          if ((obj.clientVersion != null && obj.clientVersion !== '')) {
            w.uint32(42)
            w.string(obj.clientVersion)
          }

          if ((obj.instanceId != null && obj.instanceId !== '')) {
            w.uint32(50)
            w.string(obj.instanceId)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            protocolVersion: 0,
            peerId: '',
            capabilities: [],
            clientVersion: '',
            instanceId: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.protocolVersion = reader.uint32()
                break
              }
              case 2: {
                obj.peerId = reader.string()
                break
              }
              case 3: {
                obj.chunker = leftsync.ChunkerParams.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.chunker
                })
                break
              }
              case 4: {
                if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                  throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
                }

                obj.capabilities.push(reader.string())
                break
              }
              case 5: {
                obj.clientVersion = reader.string()
                break
              }
              case 6: {
                obj.instanceId = reader.string()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const obj = {
            capabilities: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.protocolVersion`,
                  value: reader.uint32()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.peerId`,
                  value: reader.string()
                }
                break
              }
              case 3: {
                yield * leftsync.ChunkerParams.codec().stream(reader, reader.uint32(), `${prefix}.chunker`, {
                  limits: opts.limits?.chunker
                })

                break
              }
              case 4: {
                if (opts.limits?.capabilities != null && obj.capabilities === opts.limits.capabilities) {
                  throw new MaxLengthError('Streaming decode error - repeated field "capabilities" had too many elements')
                }

                yield {
                  field: `${prefix}.capabilities[]`,
                  index: obj.capabilities,
                  value: reader.string()
                }

                obj.capabilities++

                break
              }
              case 5: {
                yield {
                  field: `${prefix}.clientVersion`,
                  value: reader.string()
                }
                break
              }
              case 6: {
                yield {
                  field: `${prefix}.instanceId`,
                  value: reader.string()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface HelloProtocolVersionFieldEvent {
      field: '$.protocolVersion'
      value: number
    }

    export interface HelloPeerIdFieldEvent {
      field: '$.peerId'
      value: string
    }

    export interface HelloChunkerEngineFieldEvent {
      field: '$.chunker.engine'
      value: string
    }

    export interface HelloChunkerHashFieldEvent {
      field: '$.chunker.hash'
      value: string
    }

    export interface HelloChunkerMinSizeFieldEvent {
      field: '$.chunker.minSize'
      value: number
    }

    export interface HelloChunkerAvgSizeFieldEvent {
      field: '$.chunker.avgSize'
      value: number
    }

    export interface HelloChunkerMaxSizeFieldEvent {
      field: '$.chunker.maxSize'
      value: number
    }

    export interface HelloCapabilitiesFieldEvent {
      field: '$.capabilities[]'
      index: number
      value: string
    }

    export interface HelloClientVersionFieldEvent {
      field: '$.clientVersion'
      value: string
    }

    export interface HelloInstanceIdFieldEvent {
      field: '$.instanceId'
      value: string
    }

    export function encode (obj: Partial<Hello>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Hello.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Hello {
      return decodeMessage(buf, Hello.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Generator<HelloProtocolVersionFieldEvent | HelloPeerIdFieldEvent | HelloChunkerEngineFieldEvent | HelloChunkerHashFieldEvent | HelloChunkerMinSizeFieldEvent | HelloChunkerAvgSizeFieldEvent | HelloChunkerMaxSizeFieldEvent | HelloCapabilitiesFieldEvent | HelloClientVersionFieldEvent | HelloInstanceIdFieldEvent> {
      return streamMessage(buf, Hello.codec(), opts)
    }
  }

  export enum FileType {
    FILE = 'FILE',
    DIRECTORY = 'DIRECTORY',
    SYMLINK = 'SYMLINK'
  }

  enum __FileTypeValues {
    FILE = 0,
    DIRECTORY = 1,
    SYMLINK = 2
  }

  export namespace FileType {
    export const codec = (): Codec<FileType> => {
      return enumeration<FileType>(__FileTypeValues)
    }
  }

  export interface Counter {
    peerId: string
    value: number
  }

  export namespace Counter {
    let _codec: Codec<Counter>

    export const codec = (): Codec<Counter> => {
      if (_codec == null) {
        _codec = message<Counter>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.peerId != null && obj.peerId !== '')) {
            w.uint32(10)
            w.string(obj.peerId)
          }

          if ((obj.value != null && obj.value !== 0)) {
            w.uint32(16)
            w.uint64Number(obj.value)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            peerId: '',
            value: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.peerId = reader.string()
                break
              }
              case 2: {
                obj.value = reader.uint64Number()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.peerId`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.value`,
                  value: reader.uint64Number()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface CounterPeerIdFieldEvent {
      field: '$.peerId'
      value: string
    }

    export interface CounterValueFieldEvent {
      field: '$.value'
      value: number
    }

    export function encode (obj: Partial<Counter>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Counter.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Counter>): Counter {
      return decodeMessage(buf, Counter.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Counter>): Generator<CounterPeerIdFieldEvent | CounterValueFieldEvent> {
      return streamMessage(buf, Counter.codec(), opts)
    }
  }

  export interface FileEntry {
    path: string
    type: leftsync.FileType
    size: number
    mtimeMs: number
    mode: number
    version: leftsync.Counter[]
    deleted: boolean
    digest: Uint8Array<ArrayBuffer>
    sequence: number
    symlinkTarget: string
    modifiedBy: string
  }

  export namespace FileEntry {
    let _codec: Codec<FileEntry>

    export const codec = (): Codec<FileEntry> => {
      if (_codec == null) {
        _codec = message<FileEntry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.path != null && obj.path !== '')) {
            w.uint32(10)
            w.string(obj.path)
          }

          if (obj.type != null && __FileTypeValues[obj.type] !== 0) {
            w.uint32(16)
            leftsync.FileType.codec().encode(obj.type, w)
          }

          if ((obj.size != null && obj.size !== 0)) {
            w.uint32(24)
            w.uint64Number(obj.size)
          }

          if ((obj.mtimeMs != null && obj.mtimeMs !== 0)) {
            w.uint32(32)
            w.sint64Number(obj.mtimeMs)
          }

          if ((obj.mode != null && obj.mode !== 0)) {
            w.uint32(40)
            w.uint32(obj.mode)
          }

          if (obj.version != null && obj.version.length > 0) {
            for (const value of obj.version) {
              w.uint32(50)
              leftsync.Counter.codec().encode(value, w)
            }
          }

          if ((obj.deleted != null && obj.deleted !== false)) {
            w.uint32(56)
            w.bool(obj.deleted)
          }

          if ((obj.digest != null && obj.digest.byteLength > 0)) {
            w.uint32(66)
            w.bytes(obj.digest)
          }

          if ((obj.sequence != null && obj.sequence !== 0)) {
            w.uint32(72)
            w.uint64Number(obj.sequence)
          }

          if ((obj.symlinkTarget != null && obj.symlinkTarget !== '')) {
            w.uint32(82)
            w.string(obj.symlinkTarget)
          }

          if ((obj.modifiedBy != null && obj.modifiedBy !== '')) {
            w.uint32(90)
            w.string(obj.modifiedBy)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            path: '',
            type: FileType.FILE,
            size: 0,
            mtimeMs: 0,
            mode: 0,
            version: [],
            deleted: false,
            digest: uint8ArrayAlloc(0),
            sequence: 0,
            symlinkTarget: '',
            modifiedBy: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.path = reader.string()
                break
              }
              case 2: {
                obj.type = leftsync.FileType.codec().decode(reader)
                break
              }
              case 3: {
                obj.size = reader.uint64Number()
                break
              }
              case 4: {
                obj.mtimeMs = reader.sint64Number()
                break
              }
              case 5: {
                obj.mode = reader.uint32()
                break
              }
              case 6: {
                if (opts.limits?.version != null && obj.version.length === opts.limits.version) {
                  throw new MaxLengthError('Decode error - repeated field "version" had too many elements')
                }

                obj.version.push(leftsync.Counter.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.version$
                }))
                break
              }
              case 7: {
                obj.deleted = reader.bool()
                break
              }
              case 8: {
                obj.digest = reader.bytes()
                break
              }
              case 9: {
                obj.sequence = reader.uint64Number()
                break
              }
              case 10: {
                obj.symlinkTarget = reader.string()
                break
              }
              case 11: {
                obj.modifiedBy = reader.string()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const obj = {
            version: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.path`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.type`,
                  value: leftsync.FileType.codec().decode(reader)
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.size`,
                  value: reader.uint64Number()
                }
                break
              }
              case 4: {
                yield {
                  field: `${prefix}.mtimeMs`,
                  value: reader.sint64Number()
                }
                break
              }
              case 5: {
                yield {
                  field: `${prefix}.mode`,
                  value: reader.uint32()
                }
                break
              }
              case 6: {
                if (opts.limits?.version != null && obj.version === opts.limits.version) {
                  throw new MaxLengthError('Streaming decode error - repeated field "version" had too many elements')
                }

                for (const evt of leftsync.Counter.codec().stream(reader, reader.uint32(), `${prefix}.version[]`, {
                  limits: opts.limits?.version$
                })) {
                  yield {
                    ...evt,
                    index: obj.version
                  }
                }

                obj.version++

                break
              }
              case 7: {
                yield {
                  field: `${prefix}.deleted`,
                  value: reader.bool()
                }
                break
              }
              case 8: {
                yield {
                  field: `${prefix}.digest`,
                  value: reader.bytes()
                }
                break
              }
              case 9: {
                yield {
                  field: `${prefix}.sequence`,
                  value: reader.uint64Number()
                }
                break
              }
              case 10: {
                yield {
                  field: `${prefix}.symlinkTarget`,
                  value: reader.string()
                }
                break
              }
              case 11: {
                yield {
                  field: `${prefix}.modifiedBy`,
                  value: reader.string()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface FileEntryPathFieldEvent {
      field: '$.path'
      value: string
    }

    export interface FileEntryTypeFieldEvent {
      field: '$.type'
      value: leftsync.FileType
    }

    export interface FileEntrySizeFieldEvent {
      field: '$.size'
      value: number
    }

    export interface FileEntryMtimeMsFieldEvent {
      field: '$.mtimeMs'
      value: number
    }

    export interface FileEntryModeFieldEvent {
      field: '$.mode'
      value: number
    }

    export interface FileEntryVersionPeerIdFieldEvent {
      field: '$.version[].peerId'
      value: string
      index: number
    }

    export interface FileEntryVersionValueFieldEvent {
      field: '$.version[].value'
      value: number
      index: number
    }

    export interface FileEntryDeletedFieldEvent {
      field: '$.deleted'
      value: boolean
    }

    export interface FileEntryDigestFieldEvent {
      field: '$.digest'
      value: Uint8Array<ArrayBuffer>
    }

    export interface FileEntrySequenceFieldEvent {
      field: '$.sequence'
      value: number
    }

    export interface FileEntrySymlinkTargetFieldEvent {
      field: '$.symlinkTarget'
      value: string
    }

    export interface FileEntryModifiedByFieldEvent {
      field: '$.modifiedBy'
      value: string
    }

    export function encode (obj: Partial<FileEntry>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, FileEntry.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileEntry>): FileEntry {
      return decodeMessage(buf, FileEntry.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileEntry>): Generator<FileEntryPathFieldEvent | FileEntryTypeFieldEvent | FileEntrySizeFieldEvent | FileEntryMtimeMsFieldEvent | FileEntryModeFieldEvent | FileEntryVersionPeerIdFieldEvent | FileEntryVersionValueFieldEvent | FileEntryDeletedFieldEvent | FileEntryDigestFieldEvent | FileEntrySequenceFieldEvent | FileEntrySymlinkTargetFieldEvent | FileEntryModifiedByFieldEvent> {
      return streamMessage(buf, FileEntry.codec(), opts)
    }
  }

  export interface IndexRequest {
    indexId: string
    since: number
  }

  export namespace IndexRequest {
    let _codec: Codec<IndexRequest>

    export const codec = (): Codec<IndexRequest> => {
      if (_codec == null) {
        _codec = message<IndexRequest>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.indexId != null && obj.indexId !== '')) {
            w.uint32(10)
            w.string(obj.indexId)
          }

          if ((obj.since != null && obj.since !== 0)) {
            w.uint32(16)
            w.uint64Number(obj.since)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            indexId: '',
            since: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.indexId = reader.string()
                break
              }
              case 2: {
                obj.since = reader.uint64Number()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.indexId`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.since`,
                  value: reader.uint64Number()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface IndexRequestIndexIdFieldEvent {
      field: '$.indexId'
      value: string
    }

    export interface IndexRequestSinceFieldEvent {
      field: '$.since'
      value: number
    }

    export function encode (obj: Partial<IndexRequest>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, IndexRequest.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexRequest>): IndexRequest {
      return decodeMessage(buf, IndexRequest.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexRequest>): Generator<IndexRequestIndexIdFieldEvent | IndexRequestSinceFieldEvent> {
      return streamMessage(buf, IndexRequest.codec(), opts)
    }
  }

  export interface Index {
    indexId: string
    entries: leftsync.FileEntry[]
    last: boolean
  }

  export namespace Index {
    let _codec: Codec<Index>

    export const codec = (): Codec<Index> => {
      if (_codec == null) {
        _codec = message<Index>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.indexId != null && obj.indexId !== '')) {
            w.uint32(10)
            w.string(obj.indexId)
          }

          if (obj.entries != null && obj.entries.length > 0) {
            for (const value of obj.entries) {
              w.uint32(18)
              leftsync.FileEntry.codec().encode(value, w)
            }
          }

          if ((obj.last != null && obj.last !== false)) {
            w.uint32(24)
            w.bool(obj.last)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            indexId: '',
            entries: [],
            last: false
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.indexId = reader.string()
                break
              }
              case 2: {
                if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                  throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
                }

                obj.entries.push(leftsync.FileEntry.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.entries$
                }))
                break
              }
              case 3: {
                obj.last = reader.bool()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const obj = {
            entries: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.indexId`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                  throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
                }

                for (const evt of leftsync.FileEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                  limits: opts.limits?.entries$
                })) {
                  yield {
                    ...evt,
                    index: obj.entries
                  }
                }

                obj.entries++

                break
              }
              case 3: {
                yield {
                  field: `${prefix}.last`,
                  value: reader.bool()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface IndexIndexIdFieldEvent {
      field: '$.indexId'
      value: string
    }

    export interface IndexEntriesPathFieldEvent {
      field: '$.entries[].path'
      value: string
      index: number
    }

    export interface IndexEntriesTypeFieldEvent {
      field: '$.entries[].type'
      value: leftsync.FileType
      index: number
    }

    export interface IndexEntriesSizeFieldEvent {
      field: '$.entries[].size'
      value: number
      index: number
    }

    export interface IndexEntriesMtimeMsFieldEvent {
      field: '$.entries[].mtimeMs'
      value: number
      index: number
    }

    export interface IndexEntriesModeFieldEvent {
      field: '$.entries[].mode'
      value: number
      index: number
    }

    export interface IndexEntriesVersionPeerIdFieldEvent {
      field: '$.entries[].version[].peerId'
      value: string
      index: number
    }

    export interface IndexEntriesVersionValueFieldEvent {
      field: '$.entries[].version[].value'
      value: number
      index: number
    }

    export interface IndexEntriesDeletedFieldEvent {
      field: '$.entries[].deleted'
      value: boolean
      index: number
    }

    export interface IndexEntriesDigestFieldEvent {
      field: '$.entries[].digest'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export interface IndexEntriesSequenceFieldEvent {
      field: '$.entries[].sequence'
      value: number
      index: number
    }

    export interface IndexEntriesSymlinkTargetFieldEvent {
      field: '$.entries[].symlinkTarget'
      value: string
      index: number
    }

    export interface IndexEntriesModifiedByFieldEvent {
      field: '$.entries[].modifiedBy'
      value: string
      index: number
    }

    export interface IndexLastFieldEvent {
      field: '$.last'
      value: boolean
    }

    export function encode (obj: Partial<Index>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Index.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Index>): Index {
      return decodeMessage(buf, Index.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Index>): Generator<IndexIndexIdFieldEvent | IndexEntriesPathFieldEvent | IndexEntriesTypeFieldEvent | IndexEntriesSizeFieldEvent | IndexEntriesMtimeMsFieldEvent | IndexEntriesModeFieldEvent | IndexEntriesVersionPeerIdFieldEvent | IndexEntriesVersionValueFieldEvent | IndexEntriesDeletedFieldEvent | IndexEntriesDigestFieldEvent | IndexEntriesSequenceFieldEvent | IndexEntriesSymlinkTargetFieldEvent | IndexEntriesModifiedByFieldEvent | IndexLastFieldEvent> {
      return streamMessage(buf, Index.codec(), opts)
    }
  }

  export interface IndexUpdate {
    indexId: string
    entries: leftsync.FileEntry[]
  }

  export namespace IndexUpdate {
    let _codec: Codec<IndexUpdate>

    export const codec = (): Codec<IndexUpdate> => {
      if (_codec == null) {
        _codec = message<IndexUpdate>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.indexId != null && obj.indexId !== '')) {
            w.uint32(10)
            w.string(obj.indexId)
          }

          if (obj.entries != null && obj.entries.length > 0) {
            for (const value of obj.entries) {
              w.uint32(18)
              leftsync.FileEntry.codec().encode(value, w)
            }
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            indexId: '',
            entries: []
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.indexId = reader.string()
                break
              }
              case 2: {
                if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                  throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
                }

                obj.entries.push(leftsync.FileEntry.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.entries$
                }))
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const obj = {
            entries: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.indexId`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                  throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
                }

                for (const evt of leftsync.FileEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                  limits: opts.limits?.entries$
                })) {
                  yield {
                    ...evt,
                    index: obj.entries
                  }
                }

                obj.entries++

                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface IndexUpdateIndexIdFieldEvent {
      field: '$.indexId'
      value: string
    }

    export interface IndexUpdateEntriesPathFieldEvent {
      field: '$.entries[].path'
      value: string
      index: number
    }

    export interface IndexUpdateEntriesTypeFieldEvent {
      field: '$.entries[].type'
      value: leftsync.FileType
      index: number
    }

    export interface IndexUpdateEntriesSizeFieldEvent {
      field: '$.entries[].size'
      value: number
      index: number
    }

    export interface IndexUpdateEntriesMtimeMsFieldEvent {
      field: '$.entries[].mtimeMs'
      value: number
      index: number
    }

    export interface IndexUpdateEntriesModeFieldEvent {
      field: '$.entries[].mode'
      value: number
      index: number
    }

    export interface IndexUpdateEntriesVersionPeerIdFieldEvent {
      field: '$.entries[].version[].peerId'
      value: string
      index: number
    }

    export interface IndexUpdateEntriesVersionValueFieldEvent {
      field: '$.entries[].version[].value'
      value: number
      index: number
    }

    export interface IndexUpdateEntriesDeletedFieldEvent {
      field: '$.entries[].deleted'
      value: boolean
      index: number
    }

    export interface IndexUpdateEntriesDigestFieldEvent {
      field: '$.entries[].digest'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export interface IndexUpdateEntriesSequenceFieldEvent {
      field: '$.entries[].sequence'
      value: number
      index: number
    }

    export interface IndexUpdateEntriesSymlinkTargetFieldEvent {
      field: '$.entries[].symlinkTarget'
      value: string
      index: number
    }

    export interface IndexUpdateEntriesModifiedByFieldEvent {
      field: '$.entries[].modifiedBy'
      value: string
      index: number
    }

    export function encode (obj: Partial<IndexUpdate>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, IndexUpdate.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexUpdate>): IndexUpdate {
      return decodeMessage(buf, IndexUpdate.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexUpdate>): Generator<IndexUpdateIndexIdFieldEvent | IndexUpdateEntriesPathFieldEvent | IndexUpdateEntriesTypeFieldEvent | IndexUpdateEntriesSizeFieldEvent | IndexUpdateEntriesMtimeMsFieldEvent | IndexUpdateEntriesModeFieldEvent | IndexUpdateEntriesVersionPeerIdFieldEvent | IndexUpdateEntriesVersionValueFieldEvent | IndexUpdateEntriesDeletedFieldEvent | IndexUpdateEntriesDigestFieldEvent | IndexUpdateEntriesSequenceFieldEvent | IndexUpdateEntriesSymlinkTargetFieldEvent | IndexUpdateEntriesModifiedByFieldEvent> {
      return streamMessage(buf, IndexUpdate.codec(), opts)
    }
  }

  export interface TreeRequest {
    requestId: number
    path: string
    digest: Uint8Array<ArrayBuffer>
    nodes: Uint8Array<ArrayBuffer>[]
  }

  export namespace TreeRequest {
    let _codec: Codec<TreeRequest>

    export const codec = (): Codec<TreeRequest> => {
      if (_codec == null) {
        _codec = message<TreeRequest>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.requestId != null && obj.requestId !== 0)) {
            w.uint32(8)
            w.uint32(obj.requestId)
          }

          if ((obj.path != null && obj.path !== '')) {
            w.uint32(18)
            w.string(obj.path)
          }

          if ((obj.digest != null && obj.digest.byteLength > 0)) {
            w.uint32(26)
            w.bytes(obj.digest)
          }

          if (obj.nodes != null && obj.nodes.length > 0) {
            for (const value of obj.nodes) {
              w.uint32(34)
              w.bytes(value)
            }
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            requestId: 0,
            path: '',
            digest: uint8ArrayAlloc(0),
            nodes: []
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.requestId = reader.uint32()
                break
              }
              case 2: {
                obj.path = reader.string()
                break
              }
              case 3: {
                obj.digest = reader.bytes()
                break
              }
              case 4: {
                if (opts.limits?.nodes != null && obj.nodes.length === opts.limits.nodes) {
                  throw new MaxLengthError('Decode error - repeated field "nodes" had too many elements')
                }

                obj.nodes.push(reader.bytes())
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const obj = {
            nodes: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.requestId`,
                  value: reader.uint32()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.path`,
                  value: reader.string()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.digest`,
                  value: reader.bytes()
                }
                break
              }
              case 4: {
                if (opts.limits?.nodes != null && obj.nodes === opts.limits.nodes) {
                  throw new MaxLengthError('Streaming decode error - repeated field "nodes" had too many elements')
                }

                yield {
                  field: `${prefix}.nodes[]`,
                  index: obj.nodes,
                  value: reader.bytes()
                }

                obj.nodes++

                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface TreeRequestRequestIdFieldEvent {
      field: '$.requestId'
      value: number
    }

    export interface TreeRequestPathFieldEvent {
      field: '$.path'
      value: string
    }

    export interface TreeRequestDigestFieldEvent {
      field: '$.digest'
      value: Uint8Array<ArrayBuffer>
    }

    export interface TreeRequestNodesFieldEvent {
      field: '$.nodes[]'
      index: number
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<TreeRequest>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, TreeRequest.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TreeRequest>): TreeRequest {
      return decodeMessage(buf, TreeRequest.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TreeRequest>): Generator<TreeRequestRequestIdFieldEvent | TreeRequestPathFieldEvent | TreeRequestDigestFieldEvent | TreeRequestNodesFieldEvent> {
      return streamMessage(buf, TreeRequest.codec(), opts)
    }
  }

  export interface TreeReply {
    requestId: number
    nodes: Uint8Array<ArrayBuffer>[]
    errorCode: string
  }

  export namespace TreeReply {
    let _codec: Codec<TreeReply>

    export const codec = (): Codec<TreeReply> => {
      if (_codec == null) {
        _codec = message<TreeReply>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.requestId != null && obj.requestId !== 0)) {
            w.uint32(8)
            w.uint32(obj.requestId)
          }

          if (obj.nodes != null && obj.nodes.length > 0) {
            for (const value of obj.nodes) {
              w.uint32(18)
              w.bytes(value)
            }
          }

          if ((obj.errorCode != null && obj.errorCode !== '')) {
            w.uint32(26)
            w.string(obj.errorCode)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            requestId: 0,
            nodes: [],
            errorCode: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.requestId = reader.uint32()
                break
              }
              case 2: {
                if (opts.limits?.nodes != null && obj.nodes.length === opts.limits.nodes) {
                  throw new MaxLengthError('Decode error - repeated field "nodes" had too many elements')
                }

                obj.nodes.push(reader.bytes())
                break
              }
              case 3: {
                obj.errorCode = reader.string()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const obj = {
            nodes: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.requestId`,
                  value: reader.uint32()
                }
                break
              }
              case 2: {
                if (opts.limits?.nodes != null && obj.nodes === opts.limits.nodes) {
                  throw new MaxLengthError('Streaming decode error - repeated field "nodes" had too many elements')
                }

                yield {
                  field: `${prefix}.nodes[]`,
                  index: obj.nodes,
                  value: reader.bytes()
                }

                obj.nodes++

                break
              }
              case 3: {
                yield {
                  field: `${prefix}.errorCode`,
                  value: reader.string()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface TreeReplyRequestIdFieldEvent {
      field: '$.requestId'
      value: number
    }

    export interface TreeReplyNodesFieldEvent {
      field: '$.nodes[]'
      index: number
      value: Uint8Array<ArrayBuffer>
    }

    export interface TreeReplyErrorCodeFieldEvent {
      field: '$.errorCode'
      value: string
    }

    export function encode (obj: Partial<TreeReply>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, TreeReply.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TreeReply>): TreeReply {
      return decodeMessage(buf, TreeReply.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TreeReply>): Generator<TreeReplyRequestIdFieldEvent | TreeReplyNodesFieldEvent | TreeReplyErrorCodeFieldEvent> {
      return streamMessage(buf, TreeReply.codec(), opts)
    }
  }

  export interface ChunkWant {
    path: string
    digest: Uint8Array<ArrayBuffer>
    offset: number
    length: number
    hash: Uint8Array<ArrayBuffer>
  }

  export namespace ChunkWant {
    let _codec: Codec<ChunkWant>

    export const codec = (): Codec<ChunkWant> => {
      if (_codec == null) {
        _codec = message<ChunkWant>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.path != null && obj.path !== '')) {
            w.uint32(10)
            w.string(obj.path)
          }

          if ((obj.digest != null && obj.digest.byteLength > 0)) {
            w.uint32(18)
            w.bytes(obj.digest)
          }

          if ((obj.offset != null && obj.offset !== 0)) {
            w.uint32(24)
            w.uint64Number(obj.offset)
          }

          if ((obj.length != null && obj.length !== 0)) {
            w.uint32(32)
            w.uint32(obj.length)
          }

          if ((obj.hash != null && obj.hash.byteLength > 0)) {
            w.uint32(42)
            w.bytes(obj.hash)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            path: '',
            digest: uint8ArrayAlloc(0),
            offset: 0,
            length: 0,
            hash: uint8ArrayAlloc(0)
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.path = reader.string()
                break
              }
              case 2: {
                obj.digest = reader.bytes()
                break
              }
              case 3: {
                obj.offset = reader.uint64Number()
                break
              }
              case 4: {
                obj.length = reader.uint32()
                break
              }
              case 5: {
                obj.hash = reader.bytes()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.path`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.digest`,
                  value: reader.bytes()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.offset`,
                  value: reader.uint64Number()
                }
                break
              }
              case 4: {
                yield {
                  field: `${prefix}.length`,
                  value: reader.uint32()
                }
                break
              }
              case 5: {
                yield {
                  field: `${prefix}.hash`,
                  value: reader.bytes()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface ChunkWantPathFieldEvent {
      field: '$.path'
      value: string
    }

    export interface ChunkWantDigestFieldEvent {
      field: '$.digest'
      value: Uint8Array<ArrayBuffer>
    }

    export interface ChunkWantOffsetFieldEvent {
      field: '$.offset'
      value: number
    }

    export interface ChunkWantLengthFieldEvent {
      field: '$.length'
      value: number
    }

    export interface ChunkWantHashFieldEvent {
      field: '$.hash'
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<ChunkWant>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, ChunkWant.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkWant>): ChunkWant {
      return decodeMessage(buf, ChunkWant.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkWant>): Generator<ChunkWantPathFieldEvent | ChunkWantDigestFieldEvent | ChunkWantOffsetFieldEvent | ChunkWantLengthFieldEvent | ChunkWantHashFieldEvent> {
      return streamMessage(buf, ChunkWant.codec(), opts)
    }
  }

  export interface ChunkRequest {
    requestId: number
    wants: leftsync.ChunkWant[]
  }

  export namespace ChunkRequest {
    let _codec: Codec<ChunkRequest>

    export const codec = (): Codec<ChunkRequest> => {
      if (_codec == null) {
        _codec = message<ChunkRequest>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.requestId != null && obj.requestId !== 0)) {
            w.uint32(8)
            w.uint32(obj.requestId)
          }

          if (obj.wants != null && obj.wants.length > 0) {
            for (const value of obj.wants) {
              w.uint32(18)
              leftsync.ChunkWant.codec().encode(value, w)
            }
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            requestId: 0,
            wants: []
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.requestId = reader.uint32()
                break
              }
              case 2: {
                if (opts.limits?.wants != null && obj.wants.length === opts.limits.wants) {
                  throw new MaxLengthError('Decode error - repeated field "wants" had too many elements')
                }

                obj.wants.push(leftsync.ChunkWant.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.wants$
                }))
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const obj = {
            wants: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.requestId`,
                  value: reader.uint32()
                }
                break
              }
              case 2: {
                if (opts.limits?.wants != null && obj.wants === opts.limits.wants) {
                  throw new MaxLengthError('Streaming decode error - repeated field "wants" had too many elements')
                }

                for (const evt of leftsync.ChunkWant.codec().stream(reader, reader.uint32(), `${prefix}.wants[]`, {
                  limits: opts.limits?.wants$
                })) {
                  yield {
                    ...evt,
                    index: obj.wants
                  }
                }

                obj.wants++

                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface ChunkRequestRequestIdFieldEvent {
      field: '$.requestId'
      value: number
    }

    export interface ChunkRequestWantsPathFieldEvent {
      field: '$.wants[].path'
      value: string
      index: number
    }

    export interface ChunkRequestWantsDigestFieldEvent {
      field: '$.wants[].digest'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export interface ChunkRequestWantsOffsetFieldEvent {
      field: '$.wants[].offset'
      value: number
      index: number
    }

    export interface ChunkRequestWantsLengthFieldEvent {
      field: '$.wants[].length'
      value: number
      index: number
    }

    export interface ChunkRequestWantsHashFieldEvent {
      field: '$.wants[].hash'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export function encode (obj: Partial<ChunkRequest>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, ChunkRequest.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkRequest>): ChunkRequest {
      return decodeMessage(buf, ChunkRequest.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkRequest>): Generator<ChunkRequestRequestIdFieldEvent | ChunkRequestWantsPathFieldEvent | ChunkRequestWantsDigestFieldEvent | ChunkRequestWantsOffsetFieldEvent | ChunkRequestWantsLengthFieldEvent | ChunkRequestWantsHashFieldEvent> {
      return streamMessage(buf, ChunkRequest.codec(), opts)
    }
  }

  export interface ChunkReply {
    requestId: number
    hash: Uint8Array<ArrayBuffer>
    compressed: boolean
    payload: Uint8Array<ArrayBuffer>
    errorCode: string
    index: number
  }

  export namespace ChunkReply {
    let _codec: Codec<ChunkReply>

    export const codec = (): Codec<ChunkReply> => {
      if (_codec == null) {
        _codec = message<ChunkReply>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.requestId != null && obj.requestId !== 0)) {
            w.uint32(8)
            w.uint32(obj.requestId)
          }

          if ((obj.hash != null && obj.hash.byteLength > 0)) {
            w.uint32(18)
            w.bytes(obj.hash)
          }

          if ((obj.compressed != null && obj.compressed !== false)) {
            w.uint32(24)
            w.bool(obj.compressed)
          }

          if ((obj.payload != null && obj.payload.byteLength > 0)) {
            w.uint32(34)
            w.bytes(obj.payload)
          }

          if ((obj.errorCode != null && obj.errorCode !== '')) {
            w.uint32(42)
            w.string(obj.errorCode)
          }

          if ((obj.index != null && obj.index !== 0)) {
            w.uint32(48)
            w.uint32(obj.index)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            requestId: 0,
            hash: uint8ArrayAlloc(0),
            compressed: false,
            payload: uint8ArrayAlloc(0),
            errorCode: '',
            index: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.requestId = reader.uint32()
                break
              }
              case 2: {
                obj.hash = reader.bytes()
                break
              }
              case 3: {
                obj.compressed = reader.bool()
                break
              }
              case 4: {
                obj.payload = reader.bytes()
                break
              }
              case 5: {
                obj.errorCode = reader.string()
                break
              }
              case 6: {
                obj.index = reader.uint32()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.requestId`,
                  value: reader.uint32()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.hash`,
                  value: reader.bytes()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.compressed`,
                  value: reader.bool()
                }
                break
              }
              case 4: {
                yield {
                  field: `${prefix}.payload`,
                  value: reader.bytes()
                }
                break
              }
              case 5: {
                yield {
                  field: `${prefix}.errorCode`,
                  value: reader.string()
                }
                break
              }
              case 6: {
                yield {
                  field: `${prefix}.index`,
                  value: reader.uint32()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface ChunkReplyRequestIdFieldEvent {
      field: '$.requestId'
      value: number
    }

    export interface ChunkReplyHashFieldEvent {
      field: '$.hash'
      value: Uint8Array<ArrayBuffer>
    }

    export interface ChunkReplyCompressedFieldEvent {
      field: '$.compressed'
      value: boolean
    }

    export interface ChunkReplyPayloadFieldEvent {
      field: '$.payload'
      value: Uint8Array<ArrayBuffer>
    }

    export interface ChunkReplyErrorCodeFieldEvent {
      field: '$.errorCode'
      value: string
    }

    export interface ChunkReplyIndexFieldEvent {
      field: '$.index'
      value: number
    }

    export function encode (obj: Partial<ChunkReply>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, ChunkReply.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkReply>): ChunkReply {
      return decodeMessage(buf, ChunkReply.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkReply>): Generator<ChunkReplyRequestIdFieldEvent | ChunkReplyHashFieldEvent | ChunkReplyCompressedFieldEvent | ChunkReplyPayloadFieldEvent | ChunkReplyErrorCodeFieldEvent | ChunkReplyIndexFieldEvent> {
      return streamMessage(buf, ChunkReply.codec(), opts)
    }
  }

  export interface GrowingFile {
    path: string
    streamId: number
    size: number
    chunks: leftsync.StreamChunk[]
    done: boolean
    abandoned: boolean
  }

  export namespace GrowingFile {
    let _codec: Codec<GrowingFile>

    export const codec = (): Codec<GrowingFile> => {
      if (_codec == null) {
        _codec = message<GrowingFile>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.path != null && obj.path !== '')) {
            w.uint32(10)
            w.string(obj.path)
          }

          if ((obj.streamId != null && obj.streamId !== 0)) {
            w.uint32(16)
            w.uint64Number(obj.streamId)
          }

          if ((obj.size != null && obj.size !== 0)) {
            w.uint32(24)
            w.uint64Number(obj.size)
          }

          if (obj.chunks != null && obj.chunks.length > 0) {
            for (const value of obj.chunks) {
              w.uint32(34)
              leftsync.StreamChunk.codec().encode(value, w)
            }
          }

          if ((obj.done != null && obj.done !== false)) {
            w.uint32(40)
            w.bool(obj.done)
          }

          if ((obj.abandoned != null && obj.abandoned !== false)) {
            w.uint32(48)
            w.bool(obj.abandoned)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            path: '',
            streamId: 0,
            size: 0,
            chunks: [],
            done: false,
            abandoned: false
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.path = reader.string()
                break
              }
              case 2: {
                obj.streamId = reader.uint64Number()
                break
              }
              case 3: {
                obj.size = reader.uint64Number()
                break
              }
              case 4: {
                if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                  throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
                }

                obj.chunks.push(leftsync.StreamChunk.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.chunks$
                }))
                break
              }
              case 5: {
                obj.done = reader.bool()
                break
              }
              case 6: {
                obj.abandoned = reader.bool()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const obj = {
            chunks: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.path`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.streamId`,
                  value: reader.uint64Number()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.size`,
                  value: reader.uint64Number()
                }
                break
              }
              case 4: {
                if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                  throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
                }

                for (const evt of leftsync.StreamChunk.codec().stream(reader, reader.uint32(), `${prefix}.chunks[]`, {
                  limits: opts.limits?.chunks$
                })) {
                  yield {
                    ...evt,
                    index: obj.chunks
                  }
                }

                obj.chunks++

                break
              }
              case 5: {
                yield {
                  field: `${prefix}.done`,
                  value: reader.bool()
                }
                break
              }
              case 6: {
                yield {
                  field: `${prefix}.abandoned`,
                  value: reader.bool()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface GrowingFilePathFieldEvent {
      field: '$.path'
      value: string
    }

    export interface GrowingFileStreamIdFieldEvent {
      field: '$.streamId'
      value: number
    }

    export interface GrowingFileSizeFieldEvent {
      field: '$.size'
      value: number
    }

    export interface GrowingFileChunksOffsetFieldEvent {
      field: '$.chunks[].offset'
      value: number
      index: number
    }

    export interface GrowingFileChunksLengthFieldEvent {
      field: '$.chunks[].length'
      value: number
      index: number
    }

    export interface GrowingFileChunksHashFieldEvent {
      field: '$.chunks[].hash'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export interface GrowingFileDoneFieldEvent {
      field: '$.done'
      value: boolean
    }

    export interface GrowingFileAbandonedFieldEvent {
      field: '$.abandoned'
      value: boolean
    }

    export function encode (obj: Partial<GrowingFile>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, GrowingFile.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrowingFile>): GrowingFile {
      return decodeMessage(buf, GrowingFile.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrowingFile>): Generator<GrowingFilePathFieldEvent | GrowingFileStreamIdFieldEvent | GrowingFileSizeFieldEvent | GrowingFileChunksOffsetFieldEvent | GrowingFileChunksLengthFieldEvent | GrowingFileChunksHashFieldEvent | GrowingFileDoneFieldEvent | GrowingFileAbandonedFieldEvent> {
      return streamMessage(buf, GrowingFile.codec(), opts)
    }
  }

  export interface StreamChunk {
    offset: number
    length: number
    hash: Uint8Array<ArrayBuffer>
  }

  export namespace StreamChunk {
    let _codec: Codec<StreamChunk>

    export const codec = (): Codec<StreamChunk> => {
      if (_codec == null) {
        _codec = message<StreamChunk>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.offset != null && obj.offset !== 0)) {
            w.uint32(8)
            w.uint64Number(obj.offset)
          }

          if ((obj.length != null && obj.length !== 0)) {
            w.uint32(16)
            w.uint32(obj.length)
          }

          if ((obj.hash != null && obj.hash.byteLength > 0)) {
            w.uint32(26)
            w.bytes(obj.hash)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            offset: 0,
            length: 0,
            hash: uint8ArrayAlloc(0)
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.offset = reader.uint64Number()
                break
              }
              case 2: {
                obj.length = reader.uint32()
                break
              }
              case 3: {
                obj.hash = reader.bytes()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.offset`,
                  value: reader.uint64Number()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.length`,
                  value: reader.uint32()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.hash`,
                  value: reader.bytes()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface StreamChunkOffsetFieldEvent {
      field: '$.offset'
      value: number
    }

    export interface StreamChunkLengthFieldEvent {
      field: '$.length'
      value: number
    }

    export interface StreamChunkHashFieldEvent {
      field: '$.hash'
      value: Uint8Array<ArrayBuffer>
    }

    export function encode (obj: Partial<StreamChunk>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, StreamChunk.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StreamChunk>): StreamChunk {
      return decodeMessage(buf, StreamChunk.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StreamChunk>): Generator<StreamChunkOffsetFieldEvent | StreamChunkLengthFieldEvent | StreamChunkHashFieldEvent> {
      return streamMessage(buf, StreamChunk.codec(), opts)
    }
  }

  export interface Error {
    code: string
    message: string
    requestId: number
  }

  export namespace Error {
    let _codec: Codec<Error>

    export const codec = (): Codec<Error> => {
      if (_codec == null) {
        _codec = message<Error>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.code != null && obj.code !== '')) {
            w.uint32(10)
            w.string(obj.code)
          }

          if ((obj.message != null && obj.message !== '')) {
            w.uint32(18)
            w.string(obj.message)
          }

          if ((obj.requestId != null && obj.requestId !== 0)) {
            w.uint32(24)
            w.uint32(obj.requestId)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            code: '',
            message: '',
            requestId: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.code = reader.string()
                break
              }
              case 2: {
                obj.message = reader.string()
                break
              }
              case 3: {
                obj.requestId = reader.uint32()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.code`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.message`,
                  value: reader.string()
                }
                break
              }
              case 3: {
                yield {
                  field: `${prefix}.requestId`,
                  value: reader.uint32()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface ErrorCodeFieldEvent {
      field: '$.code'
      value: string
    }

    export interface ErrorMessageFieldEvent {
      field: '$.message'
      value: string
    }

    export interface ErrorRequestIdFieldEvent {
      field: '$.requestId'
      value: number
    }

    export function encode (obj: Partial<Error>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Error.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Error>): Error {
      return decodeMessage(buf, Error.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Error>): Generator<ErrorCodeFieldEvent | ErrorMessageFieldEvent | ErrorRequestIdFieldEvent> {
      return streamMessage(buf, Error.codec(), opts)
    }
  }

  export interface Frame {
    authChallenge?: leftsync.AuthChallenge
    authResponse?: leftsync.AuthResponse
    authProof?: leftsync.AuthProof
    authOk?: leftsync.AuthOk
    hello?: leftsync.Hello
    indexRequest?: leftsync.IndexRequest
    index?: leftsync.Index
    indexUpdate?: leftsync.IndexUpdate
    treeRequest?: leftsync.TreeRequest
    treeReply?: leftsync.TreeReply
    chunkRequest?: leftsync.ChunkRequest
    chunkReply?: leftsync.ChunkReply
    error?: leftsync.Error
    growingFile?: leftsync.GrowingFile
  }

  export namespace Frame {
    let _codec: Codec<Frame>

    export const codec = (): Codec<Frame> => {
      if (_codec == null) {
        _codec = message<Frame>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          obj = { ...obj }

          if (obj.growingFile != null) {
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.error != null) {
            obj.growingFile = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.chunkReply != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.chunkRequest != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.treeReply != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.treeRequest != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.indexUpdate != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.index != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.indexRequest != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.hello != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.authOk != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.authProof != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authResponse = undefined
            obj.authChallenge = undefined
          }

          if (obj.authResponse != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authChallenge = undefined
          }

          if (obj.authChallenge != null) {
            obj.growingFile = undefined
            obj.error = undefined
            obj.chunkReply = undefined
            obj.chunkRequest = undefined
            obj.treeReply = undefined
            obj.treeRequest = undefined
            obj.indexUpdate = undefined
            obj.index = undefined
            obj.indexRequest = undefined
            obj.hello = undefined
            obj.authOk = undefined
            obj.authProof = undefined
            obj.authResponse = undefined
          }

          if (obj.authChallenge != null) {
            w.uint32(10)
            leftsync.AuthChallenge.codec().encode(obj.authChallenge, w)
          }

          if (obj.authResponse != null) {
            w.uint32(18)
            leftsync.AuthResponse.codec().encode(obj.authResponse, w)
          }

          if (obj.authProof != null) {
            w.uint32(26)
            leftsync.AuthProof.codec().encode(obj.authProof, w)
          }

          if (obj.authOk != null) {
            w.uint32(34)
            leftsync.AuthOk.codec().encode(obj.authOk, w)
          }

          if (obj.hello != null) {
            w.uint32(42)
            leftsync.Hello.codec().encode(obj.hello, w)
          }

          if (obj.indexRequest != null) {
            w.uint32(50)
            leftsync.IndexRequest.codec().encode(obj.indexRequest, w)
          }

          if (obj.index != null) {
            w.uint32(58)
            leftsync.Index.codec().encode(obj.index, w)
          }

          if (obj.indexUpdate != null) {
            w.uint32(66)
            leftsync.IndexUpdate.codec().encode(obj.indexUpdate, w)
          }

          if (obj.treeRequest != null) {
            w.uint32(74)
            leftsync.TreeRequest.codec().encode(obj.treeRequest, w)
          }

          if (obj.treeReply != null) {
            w.uint32(82)
            leftsync.TreeReply.codec().encode(obj.treeReply, w)
          }

          if (obj.chunkRequest != null) {
            w.uint32(90)
            leftsync.ChunkRequest.codec().encode(obj.chunkRequest, w)
          }

          if (obj.chunkReply != null) {
            w.uint32(98)
            leftsync.ChunkReply.codec().encode(obj.chunkReply, w)
          }

          if (obj.error != null) {
            w.uint32(106)
            leftsync.Error.codec().encode(obj.error, w)
          }

          if (obj.growingFile != null) {
            w.uint32(162)
            leftsync.GrowingFile.codec().encode(obj.growingFile, w)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {}

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.authChallenge = leftsync.AuthChallenge.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.authChallenge
                })
                break
              }
              case 2: {
                obj.authResponse = leftsync.AuthResponse.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.authResponse
                })
                break
              }
              case 3: {
                obj.authProof = leftsync.AuthProof.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.authProof
                })
                break
              }
              case 4: {
                obj.authOk = leftsync.AuthOk.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.authOk
                })
                break
              }
              case 5: {
                obj.hello = leftsync.Hello.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.hello
                })
                break
              }
              case 6: {
                obj.indexRequest = leftsync.IndexRequest.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.indexRequest
                })
                break
              }
              case 7: {
                obj.index = leftsync.Index.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.index
                })
                break
              }
              case 8: {
                obj.indexUpdate = leftsync.IndexUpdate.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.indexUpdate
                })
                break
              }
              case 9: {
                obj.treeRequest = leftsync.TreeRequest.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.treeRequest
                })
                break
              }
              case 10: {
                obj.treeReply = leftsync.TreeReply.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.treeReply
                })
                break
              }
              case 11: {
                obj.chunkRequest = leftsync.ChunkRequest.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.chunkRequest
                })
                break
              }
              case 12: {
                obj.chunkReply = leftsync.ChunkReply.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.chunkReply
                })
                break
              }
              case 13: {
                obj.error = leftsync.Error.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.error
                })
                break
              }
              case 20: {
                obj.growingFile = leftsync.GrowingFile.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.growingFile
                })
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          if (obj.growingFile != null) {
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.error != null) {
            delete obj.growingFile
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.chunkReply != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.chunkRequest != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.treeReply != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.treeRequest != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.indexUpdate != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.index != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.indexRequest != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.hello != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.authOk != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authProof
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.authProof != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authResponse
            delete obj.authChallenge
          }

          if (obj.authResponse != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authChallenge
          }

          if (obj.authChallenge != null) {
            delete obj.growingFile
            delete obj.error
            delete obj.chunkReply
            delete obj.chunkRequest
            delete obj.treeReply
            delete obj.treeRequest
            delete obj.indexUpdate
            delete obj.index
            delete obj.indexRequest
            delete obj.hello
            delete obj.authOk
            delete obj.authProof
            delete obj.authResponse
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield * leftsync.AuthChallenge.codec().stream(reader, reader.uint32(), `${prefix}.authChallenge`, {
                  limits: opts.limits?.authChallenge
                })

                break
              }
              case 2: {
                yield * leftsync.AuthResponse.codec().stream(reader, reader.uint32(), `${prefix}.authResponse`, {
                  limits: opts.limits?.authResponse
                })

                break
              }
              case 3: {
                yield * leftsync.AuthProof.codec().stream(reader, reader.uint32(), `${prefix}.authProof`, {
                  limits: opts.limits?.authProof
                })

                break
              }
              case 4: {
                yield * leftsync.AuthOk.codec().stream(reader, reader.uint32(), `${prefix}.authOk`, {
                  limits: opts.limits?.authOk
                })

                break
              }
              case 5: {
                yield * leftsync.Hello.codec().stream(reader, reader.uint32(), `${prefix}.hello`, {
                  limits: opts.limits?.hello
                })

                break
              }
              case 6: {
                yield * leftsync.IndexRequest.codec().stream(reader, reader.uint32(), `${prefix}.indexRequest`, {
                  limits: opts.limits?.indexRequest
                })

                break
              }
              case 7: {
                yield * leftsync.Index.codec().stream(reader, reader.uint32(), `${prefix}.index`, {
                  limits: opts.limits?.index
                })

                break
              }
              case 8: {
                yield * leftsync.IndexUpdate.codec().stream(reader, reader.uint32(), `${prefix}.indexUpdate`, {
                  limits: opts.limits?.indexUpdate
                })

                break
              }
              case 9: {
                yield * leftsync.TreeRequest.codec().stream(reader, reader.uint32(), `${prefix}.treeRequest`, {
                  limits: opts.limits?.treeRequest
                })

                break
              }
              case 10: {
                yield * leftsync.TreeReply.codec().stream(reader, reader.uint32(), `${prefix}.treeReply`, {
                  limits: opts.limits?.treeReply
                })

                break
              }
              case 11: {
                yield * leftsync.ChunkRequest.codec().stream(reader, reader.uint32(), `${prefix}.chunkRequest`, {
                  limits: opts.limits?.chunkRequest
                })

                break
              }
              case 12: {
                yield * leftsync.ChunkReply.codec().stream(reader, reader.uint32(), `${prefix}.chunkReply`, {
                  limits: opts.limits?.chunkReply
                })

                break
              }
              case 13: {
                yield * leftsync.Error.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                  limits: opts.limits?.error
                })

                break
              }
              case 20: {
                yield * leftsync.GrowingFile.codec().stream(reader, reader.uint32(), `${prefix}.growingFile`, {
                  limits: opts.limits?.growingFile
                })

                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface FrameAuthChallengeNonceFieldEvent {
      field: '$.authChallenge.nonce'
      value: Uint8Array<ArrayBuffer>
    }

    export interface FrameAuthChallengePeerIdFieldEvent {
      field: '$.authChallenge.peerId'
      value: string
    }

    export interface FrameAuthResponseNonceFieldEvent {
      field: '$.authResponse.nonce'
      value: Uint8Array<ArrayBuffer>
    }

    export interface FrameAuthResponsePeerIdFieldEvent {
      field: '$.authResponse.peerId'
      value: string
    }

    export interface FrameAuthResponseMacFieldEvent {
      field: '$.authResponse.mac'
      value: Uint8Array<ArrayBuffer>
    }

    export interface FrameAuthProofMacFieldEvent {
      field: '$.authProof.mac'
      value: Uint8Array<ArrayBuffer>
    }

    export interface FrameHelloProtocolVersionFieldEvent {
      field: '$.hello.protocolVersion'
      value: number
    }

    export interface FrameHelloPeerIdFieldEvent {
      field: '$.hello.peerId'
      value: string
    }

    export interface FrameHelloChunkerEngineFieldEvent {
      field: '$.hello.chunker.engine'
      value: string
    }

    export interface FrameHelloChunkerHashFieldEvent {
      field: '$.hello.chunker.hash'
      value: string
    }

    export interface FrameHelloChunkerMinSizeFieldEvent {
      field: '$.hello.chunker.minSize'
      value: number
    }

    export interface FrameHelloChunkerAvgSizeFieldEvent {
      field: '$.hello.chunker.avgSize'
      value: number
    }

    export interface FrameHelloChunkerMaxSizeFieldEvent {
      field: '$.hello.chunker.maxSize'
      value: number
    }

    export interface FrameHelloCapabilitiesFieldEvent {
      field: '$.hello.capabilities[]'
      index: number
      value: string
    }

    export interface FrameHelloClientVersionFieldEvent {
      field: '$.hello.clientVersion'
      value: string
    }

    export interface FrameHelloInstanceIdFieldEvent {
      field: '$.hello.instanceId'
      value: string
    }

    export interface FrameIndexRequestIndexIdFieldEvent {
      field: '$.indexRequest.indexId'
      value: string
    }

    export interface FrameIndexRequestSinceFieldEvent {
      field: '$.indexRequest.since'
      value: number
    }

    export interface FrameIndexIndexIdFieldEvent {
      field: '$.index.indexId'
      value: string
    }

    export interface FrameIndexEntriesPathFieldEvent {
      field: '$.index.entries[].path'
      value: string
      index: number
    }

    export interface FrameIndexEntriesTypeFieldEvent {
      field: '$.index.entries[].type'
      value: leftsync.FileType
      index: number
    }

    export interface FrameIndexEntriesSizeFieldEvent {
      field: '$.index.entries[].size'
      value: number
      index: number
    }

    export interface FrameIndexEntriesMtimeMsFieldEvent {
      field: '$.index.entries[].mtimeMs'
      value: number
      index: number
    }

    export interface FrameIndexEntriesModeFieldEvent {
      field: '$.index.entries[].mode'
      value: number
      index: number
    }

    export interface FrameIndexEntriesVersionPeerIdFieldEvent {
      field: '$.index.entries[].version[].peerId'
      value: string
      index: number
    }

    export interface FrameIndexEntriesVersionValueFieldEvent {
      field: '$.index.entries[].version[].value'
      value: number
      index: number
    }

    export interface FrameIndexEntriesDeletedFieldEvent {
      field: '$.index.entries[].deleted'
      value: boolean
      index: number
    }

    export interface FrameIndexEntriesDigestFieldEvent {
      field: '$.index.entries[].digest'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export interface FrameIndexEntriesSequenceFieldEvent {
      field: '$.index.entries[].sequence'
      value: number
      index: number
    }

    export interface FrameIndexEntriesSymlinkTargetFieldEvent {
      field: '$.index.entries[].symlinkTarget'
      value: string
      index: number
    }

    export interface FrameIndexEntriesModifiedByFieldEvent {
      field: '$.index.entries[].modifiedBy'
      value: string
      index: number
    }

    export interface FrameIndexLastFieldEvent {
      field: '$.index.last'
      value: boolean
    }

    export interface FrameIndexUpdateIndexIdFieldEvent {
      field: '$.indexUpdate.indexId'
      value: string
    }

    export interface FrameIndexUpdateEntriesPathFieldEvent {
      field: '$.indexUpdate.entries[].path'
      value: string
      index: number
    }

    export interface FrameIndexUpdateEntriesTypeFieldEvent {
      field: '$.indexUpdate.entries[].type'
      value: leftsync.FileType
      index: number
    }

    export interface FrameIndexUpdateEntriesSizeFieldEvent {
      field: '$.indexUpdate.entries[].size'
      value: number
      index: number
    }

    export interface FrameIndexUpdateEntriesMtimeMsFieldEvent {
      field: '$.indexUpdate.entries[].mtimeMs'
      value: number
      index: number
    }

    export interface FrameIndexUpdateEntriesModeFieldEvent {
      field: '$.indexUpdate.entries[].mode'
      value: number
      index: number
    }

    export interface FrameIndexUpdateEntriesVersionPeerIdFieldEvent {
      field: '$.indexUpdate.entries[].version[].peerId'
      value: string
      index: number
    }

    export interface FrameIndexUpdateEntriesVersionValueFieldEvent {
      field: '$.indexUpdate.entries[].version[].value'
      value: number
      index: number
    }

    export interface FrameIndexUpdateEntriesDeletedFieldEvent {
      field: '$.indexUpdate.entries[].deleted'
      value: boolean
      index: number
    }

    export interface FrameIndexUpdateEntriesDigestFieldEvent {
      field: '$.indexUpdate.entries[].digest'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export interface FrameIndexUpdateEntriesSequenceFieldEvent {
      field: '$.indexUpdate.entries[].sequence'
      value: number
      index: number
    }

    export interface FrameIndexUpdateEntriesSymlinkTargetFieldEvent {
      field: '$.indexUpdate.entries[].symlinkTarget'
      value: string
      index: number
    }

    export interface FrameIndexUpdateEntriesModifiedByFieldEvent {
      field: '$.indexUpdate.entries[].modifiedBy'
      value: string
      index: number
    }

    export interface FrameTreeRequestRequestIdFieldEvent {
      field: '$.treeRequest.requestId'
      value: number
    }

    export interface FrameTreeRequestPathFieldEvent {
      field: '$.treeRequest.path'
      value: string
    }

    export interface FrameTreeRequestDigestFieldEvent {
      field: '$.treeRequest.digest'
      value: Uint8Array<ArrayBuffer>
    }

    export interface FrameTreeRequestNodesFieldEvent {
      field: '$.treeRequest.nodes[]'
      index: number
      value: Uint8Array<ArrayBuffer>
    }

    export interface FrameTreeReplyRequestIdFieldEvent {
      field: '$.treeReply.requestId'
      value: number
    }

    export interface FrameTreeReplyNodesFieldEvent {
      field: '$.treeReply.nodes[]'
      index: number
      value: Uint8Array<ArrayBuffer>
    }

    export interface FrameTreeReplyErrorCodeFieldEvent {
      field: '$.treeReply.errorCode'
      value: string
    }

    export interface FrameChunkRequestRequestIdFieldEvent {
      field: '$.chunkRequest.requestId'
      value: number
    }

    export interface FrameChunkRequestWantsPathFieldEvent {
      field: '$.chunkRequest.wants[].path'
      value: string
      index: number
    }

    export interface FrameChunkRequestWantsDigestFieldEvent {
      field: '$.chunkRequest.wants[].digest'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export interface FrameChunkRequestWantsOffsetFieldEvent {
      field: '$.chunkRequest.wants[].offset'
      value: number
      index: number
    }

    export interface FrameChunkRequestWantsLengthFieldEvent {
      field: '$.chunkRequest.wants[].length'
      value: number
      index: number
    }

    export interface FrameChunkRequestWantsHashFieldEvent {
      field: '$.chunkRequest.wants[].hash'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export interface FrameChunkReplyRequestIdFieldEvent {
      field: '$.chunkReply.requestId'
      value: number
    }

    export interface FrameChunkReplyHashFieldEvent {
      field: '$.chunkReply.hash'
      value: Uint8Array<ArrayBuffer>
    }

    export interface FrameChunkReplyCompressedFieldEvent {
      field: '$.chunkReply.compressed'
      value: boolean
    }

    export interface FrameChunkReplyPayloadFieldEvent {
      field: '$.chunkReply.payload'
      value: Uint8Array<ArrayBuffer>
    }

    export interface FrameChunkReplyErrorCodeFieldEvent {
      field: '$.chunkReply.errorCode'
      value: string
    }

    export interface FrameChunkReplyIndexFieldEvent {
      field: '$.chunkReply.index'
      value: number
    }

    export interface FrameErrorCodeFieldEvent {
      field: '$.error.code'
      value: string
    }

    export interface FrameErrorMessageFieldEvent {
      field: '$.error.message'
      value: string
    }

    export interface FrameErrorRequestIdFieldEvent {
      field: '$.error.requestId'
      value: number
    }

    export interface FrameGrowingFilePathFieldEvent {
      field: '$.growingFile.path'
      value: string
    }

    export interface FrameGrowingFileStreamIdFieldEvent {
      field: '$.growingFile.streamId'
      value: number
    }

    export interface FrameGrowingFileSizeFieldEvent {
      field: '$.growingFile.size'
      value: number
    }

    export interface FrameGrowingFileChunksOffsetFieldEvent {
      field: '$.growingFile.chunks[].offset'
      value: number
      index: number
    }

    export interface FrameGrowingFileChunksLengthFieldEvent {
      field: '$.growingFile.chunks[].length'
      value: number
      index: number
    }

    export interface FrameGrowingFileChunksHashFieldEvent {
      field: '$.growingFile.chunks[].hash'
      value: Uint8Array<ArrayBuffer>
      index: number
    }

    export interface FrameGrowingFileDoneFieldEvent {
      field: '$.growingFile.done'
      value: boolean
    }

    export interface FrameGrowingFileAbandonedFieldEvent {
      field: '$.growingFile.abandoned'
      value: boolean
    }

    export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Frame.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
      return decodeMessage(buf, Frame.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameAuthChallengeNonceFieldEvent | FrameAuthChallengePeerIdFieldEvent | FrameAuthResponseNonceFieldEvent | FrameAuthResponsePeerIdFieldEvent | FrameAuthResponseMacFieldEvent | FrameAuthProofMacFieldEvent | FrameHelloProtocolVersionFieldEvent | FrameHelloPeerIdFieldEvent | FrameHelloChunkerEngineFieldEvent | FrameHelloChunkerHashFieldEvent | FrameHelloChunkerMinSizeFieldEvent | FrameHelloChunkerAvgSizeFieldEvent | FrameHelloChunkerMaxSizeFieldEvent | FrameHelloCapabilitiesFieldEvent | FrameHelloClientVersionFieldEvent | FrameHelloInstanceIdFieldEvent | FrameIndexRequestIndexIdFieldEvent | FrameIndexRequestSinceFieldEvent | FrameIndexIndexIdFieldEvent | FrameIndexEntriesPathFieldEvent | FrameIndexEntriesTypeFieldEvent | FrameIndexEntriesSizeFieldEvent | FrameIndexEntriesMtimeMsFieldEvent | FrameIndexEntriesModeFieldEvent | FrameIndexEntriesVersionPeerIdFieldEvent | FrameIndexEntriesVersionValueFieldEvent | FrameIndexEntriesDeletedFieldEvent | FrameIndexEntriesDigestFieldEvent | FrameIndexEntriesSequenceFieldEvent | FrameIndexEntriesSymlinkTargetFieldEvent | FrameIndexEntriesModifiedByFieldEvent | FrameIndexLastFieldEvent | FrameIndexUpdateIndexIdFieldEvent | FrameIndexUpdateEntriesPathFieldEvent | FrameIndexUpdateEntriesTypeFieldEvent | FrameIndexUpdateEntriesSizeFieldEvent | FrameIndexUpdateEntriesMtimeMsFieldEvent | FrameIndexUpdateEntriesModeFieldEvent | FrameIndexUpdateEntriesVersionPeerIdFieldEvent | FrameIndexUpdateEntriesVersionValueFieldEvent | FrameIndexUpdateEntriesDeletedFieldEvent | FrameIndexUpdateEntriesDigestFieldEvent | FrameIndexUpdateEntriesSequenceFieldEvent | FrameIndexUpdateEntriesSymlinkTargetFieldEvent | FrameIndexUpdateEntriesModifiedByFieldEvent | FrameTreeRequestRequestIdFieldEvent | FrameTreeRequestPathFieldEvent | FrameTreeRequestDigestFieldEvent | FrameTreeRequestNodesFieldEvent | FrameTreeReplyRequestIdFieldEvent | FrameTreeReplyNodesFieldEvent | FrameTreeReplyErrorCodeFieldEvent | FrameChunkRequestRequestIdFieldEvent | FrameChunkRequestWantsPathFieldEvent | FrameChunkRequestWantsDigestFieldEvent | FrameChunkRequestWantsOffsetFieldEvent | FrameChunkRequestWantsLengthFieldEvent | FrameChunkRequestWantsHashFieldEvent | FrameChunkReplyRequestIdFieldEvent | FrameChunkReplyHashFieldEvent | FrameChunkReplyCompressedFieldEvent | FrameChunkReplyPayloadFieldEvent | FrameChunkReplyErrorCodeFieldEvent | FrameChunkReplyIndexFieldEvent | FrameErrorCodeFieldEvent | FrameErrorMessageFieldEvent | FrameErrorRequestIdFieldEvent | FrameGrowingFilePathFieldEvent | FrameGrowingFileStreamIdFieldEvent | FrameGrowingFileSizeFieldEvent | FrameGrowingFileChunksOffsetFieldEvent | FrameGrowingFileChunksLengthFieldEvent | FrameGrowingFileChunksHashFieldEvent | FrameGrowingFileDoneFieldEvent | FrameGrowingFileAbandonedFieldEvent> {
      return streamMessage(buf, Frame.codec(), opts)
    }
  }

  let _codec: Codec<leftsync>

  export const codec = (): Codec<leftsync> => {
    if (_codec == null) {
      _codec = message<leftsync>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<leftsync>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, leftsync.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<leftsync>): leftsync {
    return decodeMessage(buf, leftsync.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<leftsync>): Generator<{}> {
    return streamMessage(buf, leftsync.codec(), opts)
  }
}

/**
 * This node's TLS identity: an ECDSA P-256 key and a self-signed certificate,
 * created once and kept in the state folder (tls-key.pem 0600, tls-cert.pem).
 *
 * No certificate authority is involved and peers accept any certificate: what
 * authenticates a link is the secret's HMAC, which covers the TLS channel
 * binding (see auth.ts). The certificate exists because TLS needs one; keeping
 * it across restarts keeps its fingerprint stable for anyone who logs it.
 *
 * The certificate is written with a few lines of DER here rather than a
 * package: the X.509 packages for Node pull in a dozen modules and a global
 * reflection polyfill for what is one fixed structure signed by node:crypto.
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';

export const TLS_KEY_FILE = 'tls-key.pem';
export const TLS_CERT_FILE = 'tls-cert.pem';

export interface TlsIdentity {
  /** PKCS#8 PEM. */
  key: string;
  /** X.509 PEM. */
  cert: string;
  /** SHA-256 fingerprint of the certificate (for logs). */
  fingerprint: string;
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest >>>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const groups = [arc & 0x7f];
    for (let rest = arc >>> 7; rest > 0; rest >>>= 7) groups.unshift(0x80 | (rest & 0x7f));
    out.push(...groups);
  }
  return der(0x06, Buffer.from(out));
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime after. */
function derTime(date: Date): Buffer {
  const digits = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(digits.slice(2))) : der(0x18, Buffer.from(digits));
}

const seq = (...parts: Buffer[]): Buffer => der(0x30, ...parts);
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';

/** A fresh key and a self-signed certificate for it, valid from yesterday with no end (RFC 5280 99991231235959Z). */
export function createTlsIdentity(commonName = 'leftsync'): TlsIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const algorithm = seq(oid(ECDSA_WITH_SHA256));
  const name = seq(der(0x31, seq(oid(COMMON_NAME), der(0x0c, Buffer.from(commonName)))));
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive, no leading zero byte
  const validity = seq(derTime(new Date(Date.now() - 86_400_000)), der(0x18, Buffer.from('99991231235959Z')));
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // version 3
    der(0x02, serial),
    algorithm,
    name,
    validity,
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value, what X.509 wants
  const certificate = seq(tbs, algorithm, der(0x03, Buffer.from([0]), signature));
  const base64 = certificate.toString('base64').match(/.{1,64}/g)!.join('\n');
  const cert = `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key, cert, fingerprint: new X509Certificate(cert).fingerprint256 };
}

/** Checks that the stored key and certificate belong together; throws LS_BAD_INPUT otherwise. */
function checkIdentity(key: string, cert: string, dir: string): TlsIdentity {
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the key does not match the certificate');
    return { key, cert, fingerprint: x509.fingerprint256 };
  } catch (err) {
    throw new LeftsyncError(
      ErrorCode.BAD_INPUT,
      `${join(dir, TLS_KEY_FILE)} / ${TLS_CERT_FILE} are unusable (${(err as Error).message}); delete both to get a new certificate`,
      { cause: err },
    );
  }
}

/** Reads the TLS identity from `stateDir`, creating it on first start. */
export async function loadOrCreateTlsIdentity(stateDir: string): Promise<TlsIdentity> {
  const keyFile = join(stateDir, TLS_KEY_FILE);
  const certFile = join(stateDir, TLS_CERT_FILE);
  try {
    const [key, cert] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
    return checkIdentity(key, cert, stateDir);
  } catch (err) {
    if (err instanceof LeftsyncError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fromSystemError(err, `reading ${keyFile}`);
  }
  const identity = createTlsIdentity();
  try {
    await mkdir(stateDir, { recursive: true });
    // The certificate is renamed into place last: a crash in between leaves no
    // certificate, so the next start makes a fresh pair instead of a mismatch.
    for (const [file, text, mode] of [[keyFile, identity.key, 0o600], [certFile, identity.cert, 0o644]] as const) {
      const temp = `${file}.tmp-${process.pid}`;
      await writeFile(temp, text, { mode });
      await rename(temp, file);
    }
  } catch (err) {
    throw fromSystemError(err, `writing ${keyFile}`);
  }
  return identity;
}

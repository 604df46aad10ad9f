/**
 * A scan of a frame's top-level fields before the generated decoder runs.
 * protons applies proto3 oneof rules ("last one wins"), so a frame carrying two
 * bodies would decode silently as the second; leftsync requires exactly one body
 * field, present once, so this scan counts them. It reads only tags and lengths,
 * never recurses, and is bounded by the frame length.
 */
const FIRST_BODY_FIELD = 1;
const LAST_BODY_FIELD = 13;
/** Body fields of protocol 4 beyond the first run (GrowingFile). */
const LATER_BODY_FIELDS: ReadonlySet<number> = new Set([20]);

/** Returns the number of body fields (1..13, 20) at the top level, or null when the bytes are not protobuf. */
export function countBodyFields(bytes: Uint8Array): number | null {
  let pos = 0;
  let bodies = 0;

  const varint = (): number | null => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) return null;
      const byte = bytes[pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    return null;
  };

  while (pos < bytes.length) {
    const tag = varint();
    if (tag === null) return null;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if ((field >= FIRST_BODY_FIELD && field <= LAST_BODY_FIELD) || LATER_BODY_FIELDS.has(field)) {
      if (wireType !== 2) return null;
      bodies++;
    }
    switch (wireType) {
      case 0:
        if (varint() === null) return null;
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const length = varint();
        if (length === null) return null;
        pos += length;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        // Groups (3, 4) are deprecated and never used by leftsync.
        return null;
    }
    if (pos > bytes.length) return null;
  }
  return bodies;
}

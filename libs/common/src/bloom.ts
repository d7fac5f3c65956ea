/**
 * A blocked Bloom filter of keys (UUIDs, or any text): answers "certainly absent" or "maybe
 * present", never a false "absent". A key's bits all lie in one 64-byte block, so asking costs
 * one cache line however many filters are asked. The event store keeps one for each sealed
 * generation of event ids, and the verifiable log one for each sealed generation of leaf
 * sources, so that proving a key new reads no old part of an index.
 */
export class BlockedBloom {
  private constructor(
    private readonly bits: Uint8Array,
    private readonly hashes: number,
  ) {}

  /** A filter for `count` ids with about one false "maybe" in `1 / falsePositiveRate`. */
  static sized(count: number, falsePositiveRate: number): BlockedBloom {
    const bitsPerId = -Math.log(falsePositiveRate) / (Math.LN2 * Math.LN2);
    // A little more room than a plain filter: ids crowd some blocks more than others.
    const blocks = Math.max(1, Math.ceil((Math.max(count, 1) * bitsPerId * 1.2) / BLOCK_BITS));
    const hashes = Math.max(1, Math.round(bitsPerId * Math.LN2));
    return new BlockedBloom(new Uint8Array(blocks * (BLOCK_BITS / 8)), hashes);
  }

  /** The filter as written by `toBytes`. */
  static fromBytes(bytes: Uint8Array): BlockedBloom {
    if (bytes.length < 1 + BLOCK_BITS / 8 || (bytes.length - 1) % (BLOCK_BITS / 8) !== 0)
      throw new Error('a Bloom filter is its hash count and whole 64-byte blocks of bits');
    return new BlockedBloom(bytes.subarray(1), bytes[0]!);
  }

  /** The hash count, then the bits. */
  toBytes(): Buffer {
    return Buffer.concat([Buffer.from([this.hashes]), this.bits]);
  }

  /** Adds a UUID. */
  add(uuid: string): void {
    this.addHashed(uuidHashes(uuid));
  }

  /** `add` for hashes made once by `uuidHashes` or `textHashes`. */
  addHashed([h1, h2]: UuidHashes): void {
    const base = this.blockOf(h1);
    for (let i = 0; i < this.hashes; i++) {
      const bit = base + ((h2 + Math.imul(i, (h2 >>> 16) | 1)) & (BLOCK_BITS - 1));
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
  }

  mayHold(uuid: string): boolean {
    return this.mayHoldHashed(uuidHashes(uuid));
  }

  /** `mayHold` for hashes made once by `uuidHashes` or `textHashes`, to ask several filters about one key. */
  mayHoldHashed([h1, h2]: UuidHashes): boolean {
    const base = this.blockOf(h1);
    for (let i = 0; i < this.hashes; i++) {
      const bit = base + ((h2 + Math.imul(i, (h2 >>> 16) | 1)) & (BLOCK_BITS - 1));
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  /** The first bit of the id's block. */
  private blockOf(h1: number): number {
    return (h1 % (this.bits.length / (BLOCK_BITS / 8))) * BLOCK_BITS;
  }
}

export type UuidHashes = readonly [number, number];

/**
 * The filters of the sealed generations 0, 1, 2, … of an index kept in generations, taken up in
 * order: a generation below `count` is ruled out by its filter, one from `count` on is probed.
 */
export class GenerationFilters {
  private readonly filters: BlockedBloom[] = [];

  get count(): number {
    return this.filters.length;
  }

  /** Takes up the filter of generation `count`. */
  add(filter: BlockedBloom): void {
    this.filters.push(filter);
  }

  /** The filtered generations that may hold the key of these hashes (most often none). */
  mayHold(hashes: UuidHashes): readonly number[] {
    let found: number[] | null = null;
    for (let g = 0; g < this.filters.length; g++) {
      if (this.filters[g]!.mayHoldHashed(hashes)) (found ??= []).push(g);
    }
    return found ?? NONE;
  }
}

const NONE: readonly number[] = [];

/** A cache line. */
const BLOCK_BITS = 512;

/** MurmurHash3's finaliser: every input bit moves every output bit. */
const mix = (h: number): number => {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * Two independent 32-bit hashes of a UUID's 128 bits (double hashing makes the filter's k
 * positions from them). Mixed rather than taken as they are: a v7 id's leading bits are a clock.
 */
export function uuidHashes(uuid: string): UuidHashes {
  // The canonical form, 8-4-4-4-12 hex digits, as PostgreSQL writes a uuid.
  const w0 = parseInt(uuid.slice(0, 8), 16);
  const w1 = parseInt(uuid.slice(9, 13) + uuid.slice(14, 18), 16);
  const w2 = parseInt(uuid.slice(19, 23) + uuid.slice(24, 28), 16);
  const w3 = parseInt(uuid.slice(28, 36), 16);
  const h1 = mix(w0 ^ mix(w1 ^ mix(w2 ^ mix(w3 ^ 0x9e3779b9))));
  const h2 = mix(w3 ^ mix(w2 ^ mix(w1 ^ mix(w0 ^ 0x7f4a7c15))));
  return [h1, h2 | 1];
}

/** Two independent 32-bit hashes of any text, for keys that are not UUIDs. */
export function textHashes(text: string): UuidHashes {
  let h1 = 0x9e3779b9 ^ text.length;
  let h2 = 0x7f4a7c15 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = mix(h1 ^ c);
    h2 = mix(Math.imul(h2, 31) ^ c);
  }
  return [mix(h1 ^ h2), mix(h2 ^ 0x85ebca6b) | 1];
}

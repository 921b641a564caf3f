// Group keys straight from bytes: a kernel reading `task.batches` hashes a field's bytes as it scans them and asks here
// for the key's dense id (0, 1, 2 … in order of first sight), to index typed arrays of sums; a key is decoded to a
// string once, when the partial is written, never per row.

const EMPTY = -1;
const FNV_PRIME = 0x01000193;
const FNV_OFFSET = 0x811c9dc5 | 0;

/** One step of the hash `ByteKeys` expects: feed it every byte of the key in order, starting from `ByteKeys.seed`. */
export function hashByte(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME);
}

/** Interns byte strings (keys) as dense integer ids. */
export class ByteKeys {
  /** The hash of no bytes: where `hashByte` starts. */
  static readonly seed = FNV_OFFSET;
  private slots = new Int32Array(1024).fill(EMPTY);
  private hashes = new Int32Array(256);
  /** Key k's bytes are store[ends[k - 1] ?? 0, ends[k]). */
  private ends = new Int32Array(256);
  private store = new Uint8Array(4096);
  private keys = 0;

  /** How many distinct keys so far (ids are 0 … size - 1). */
  get size(): number {
    return this.keys;
  }

  /** The hash `id` wants for bytes[start, end) (a kernel that already hashed them while scanning passes its own). */
  static hash(bytes: Uint8Array, start: number, end: number): number {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
    return h;
  }

  /** The id of the key bytes[start, end), whose hash is `hash` (ByteKeys.hash, or hashByte over the same bytes). */
  id(bytes: Uint8Array, start: number, end: number, hash = ByteKeys.hash(bytes, start, end)): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    const hashes = this.hashes;
    const ends = this.ends;
    const store = this.store;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const k = slots[slot];
      if (k === EMPTY) return this.add(bytes, start, end, hash, slot);
      if (hashes[k] === hash) {
        const to = ends[k];
        let from = to - length;
        if (from === (k === 0 ? 0 : ends[k - 1])) {
          let i = start;
          while (i < end && store[from] === bytes[i]) {
            from++;
            i++;
          }
          if (i === end) return k;
        }
      }
    }
  }

  /** Key `id` as text (UTF-8). */
  key(id: number): string {
    if (!(id >= 0 && id < this.keys)) throw new RangeError(`no key with id ${id}`);
    return Buffer.from(this.store.buffer, this.store.byteOffset + (id === 0 ? 0 : this.ends[id - 1]), this.ends[id] - (id === 0 ? 0 : this.ends[id - 1])).toString('utf8');
  }

  /** Every key as text, by id. */
  allKeys(): string[] {
    return Array.from({ length: this.keys }, (_, id) => this.key(id));
  }

  private add(bytes: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const id = this.keys;
    const from = id === 0 ? 0 : this.ends[id - 1];
    if (id === this.hashes.length) {
      this.hashes = grown(this.hashes, id * 2);
      this.ends = grown(this.ends, id * 2);
    }
    if (from + end - start > this.store.length) {
      const store = new Uint8Array(Math.max(this.store.length * 2, from + end - start));
      store.set(this.store);
      this.store = store;
    }
    this.store.set(bytes.subarray(start, end), from);
    this.ends[id] = from + end - start;
    this.hashes[id] = hash;
    this.keys++;
    this.slots[slot] = id;
    // At most half full, so that probes stay short.
    if (this.keys * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let k = 0; k < this.keys; k++) {
      let slot = this.hashes[k] & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = k;
    }
    this.slots = slots;
  }
}

function grown(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(length);
  bigger.set(array);
  return bigger;
}

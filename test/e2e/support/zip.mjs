// @ts-check
/**
 * Writes a .zip of stored (uncompressed) entries, enough for a test to build a bundle archive by
 * hand, e.g. one with a tampered file.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** @param {Uint8Array} data */
function crc32(data) {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    c = /** @type {number} */ (CRC_TABLE[(c ^ /** @type {number} */ (data[i])) & 0xff]) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * @param {Array<{ name: string, data: Uint8Array }>} entries
 * @returns {Buffer}
 */
export function zipStored(entries) {
  /** @type {Buffer[]} */
  const locals = [];
  /** @type {Buffer[]} */
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, Buffer.from(e.data));
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const centralSize = centrals.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/**
 * Zips a bundle folder, letting `change` rewrite any file on the way (return the new bytes).
 * @param {string} folder
 * @param {string} out
 * @param {(name: string, data: Uint8Array) => Uint8Array} [change]
 */
export async function zipFolder(folder, out, change) {
  /** @type {Array<{ name: string, data: Uint8Array }>} */
  const entries = [];
  /** @param {string} dir */
  const walk = async (dir) => {
    for (const ent of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, ent.name);
      if (ent.isDirectory()) await walk(full);
      else {
        const name = relative(folder, full).split(sep).join('/');
        const data = new Uint8Array(await readFile(full));
        entries.push({ name, data: change === undefined ? data : change(name, data) });
      }
    }
  };
  await walk(folder);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  await writeFile(out, zipStored(entries));
  return out;
}

/**
 * For tests and benchmarks: writes a .zip one entry at a time (deflated with
 * node:zlib, CRC from zlib.crc32), so an archive of any size is written with
 * one entry in memory. Only the central directory (a few dozen bytes an entry)
 * is kept until the end. A Zip64 end record is written when the archive has
 * more than 65,535 entries or its directory starts past 4 GiB; single entries
 * and their offsets stay below 4 GiB (test archives do).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';

const U32 = 0xffffffff;

export class ZipWriter {
  private readonly fd: number;
  private offset = 0;
  private count = 0;
  private readonly central: Buffer[] = [];

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  private write(buf: Buffer): void {
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done);
    this.offset += buf.length;
  }

  add(name: string, data: Buffer): void {
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    if (this.offset >= U32 || packed.length >= U32 || data.length >= U32) {
      throw new Error('ZipWriter: entries past 4 GiB are not supported');
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(0, 12);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(packed.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    cd.writeUInt32LE(this.offset, 42);
    this.central.push(cd, nameBytes);
    this.write(local);
    this.write(nameBytes);
    this.write(packed);
    this.count++;
  }

  /** Writes the central directory and closes the file; returns the archive's size. */
  close(): number {
    const cdStart = this.offset;
    for (const b of this.central) this.write(b);
    const cdSize = this.offset - cdStart;
    this.central.length = 0;
    const zip64 = this.count > 0xffff || cdStart >= U32;
    if (zip64) {
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(0x06064b50, 0);
      rec.writeBigUInt64LE(44n, 4);
      rec.writeUInt16LE(45, 12);
      rec.writeUInt16LE(45, 14);
      rec.writeBigUInt64LE(BigInt(this.count), 24);
      rec.writeBigUInt64LE(BigInt(this.count), 32);
      rec.writeBigUInt64LE(BigInt(cdSize), 40);
      rec.writeBigUInt64LE(BigInt(cdStart), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(this.offset), 8);
      locator.writeUInt32LE(1, 16);
      this.write(rec);
      this.write(locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(zip64 ? 0xffff : this.count, 8);
    end.writeUInt16LE(zip64 ? 0xffff : this.count, 10);
    end.writeUInt32LE(Math.min(cdSize, U32), 12);
    end.writeUInt32LE(zip64 ? U32 : cdStart, 16);
    this.write(end);
    closeSync(this.fd);
    return this.offset;
  }
}

/** A ustar header block for one regular file (names up to 100 bytes). */
export function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148); // checksum placeholder
  h.write('0', 156);
  h.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

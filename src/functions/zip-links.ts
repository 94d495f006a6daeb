/**
 * Symbolic links in a zip. fflate unpacks every entry as a regular file, so a link entry would
 * become a file holding its target's path: harmless, but not what the package meant, and a
 * package that ships links is refused the way Lambda refuses what it cannot unpack safely. The
 * link bit lives only in the central directory's external attributes (Unix mode in the upper 16
 * bits when the entry was made on Unix), which fflate does not report, hence this small reader.
 */

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const UNIX = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The names of the entries marked as symbolic links; undefined when the directory is unreadable. */
export function symlinkEntries(zip: Buffer): string[] | undefined {
  // The end record is in the last 22 bytes plus at most a 64 KiB comment.
  const floor = Math.max(0, zip.length - 22 - 0xffff);
  let end = -1;
  for (let at = zip.length - 22; at >= floor; at--) {
    if (zip.readUInt32LE(at) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const links: string[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) return undefined;
    const madeBy = zip.readUInt16LE(at + 4) >>> 8;
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const mode = zip.readUInt32LE(at + 38) >>> 16;
    if (madeBy === UNIX && (mode & S_IFMT) === S_IFLNK) {
      links.push(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  return links;
}

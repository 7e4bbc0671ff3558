/**
 * Stores signed documents under a root directory, durably and idempotently: each file is written
 * to a temporary name, fsynced, then published under its final name without ever replacing an
 * existing file. Writing the same bytes again finds them; different bytes under a taken name go to
 * `name (2).pdf`, so a signed archive is never overwritten.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { activityLogger, errorText } from './activity-logger';

export interface ArchiveStoreOptions {
  rootDir: string;
}

export interface ArchiveWriteInput {
  /** Posix-style directory under the root, e.g. from archiveDirectoryFor; sanitised segment by segment. */
  relativeDir: string;
  fileName: string;
  bytes: Uint8Array;
}

export interface ArchivedFile {
  /** Relative to rootDir, posix separators: what the database and the API show. */
  path: string;
  absolutePath: string;
  sha256: string;
  sizeBytes: number;
  /** true when identical bytes were already archived there: nothing was written. */
  alreadyPresent: boolean;
}

export interface ArchiveStore {
  write(input: ArchiveWriteInput): Promise<ArchivedFile>;
  /** Reads a file by the `path` write returned. */
  read(relativePath: string): Promise<Uint8Array>;
}

export interface ArchiveDirectoryInput {
  signedAt: Date;
  sageDocument: { type: string; number: string } | null;
  transactionId: string;
}

/** More suffixed copies than this means something is rewriting the same document in a loop. */
const MAX_VARIANTS = 100;
/** Bytes kept per name segment: most file systems allow 255, the ` (nn)` suffix needs a few. */
const MAX_SEGMENT_BYTES = 200;

const PARIS_YEAR_MONTH = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
});

/** `YYYY/MM/<type>-<number>` (or `YYYY/MM/<transactionId>`), year and month as in Paris. */
export function archiveDirectoryFor({ signedAt, sageDocument, transactionId }: ArchiveDirectoryInput): string {
  if (Number.isNaN(signedAt.getTime())) throw new TypeError('archiveDirectoryFor: signedAt is not a valid date');
  const parts = PARIS_YEAR_MONTH.formatToParts(signedAt);
  const year = parts.find((part) => part.type === 'year')?.value;
  const month = parts.find((part) => part.type === 'month')?.value;
  if (year === undefined || month === undefined) throw new Error('archiveDirectoryFor: cannot read the Paris year/month');
  const leaf = sageDocument ? `${sageDocument.type}-${sageDocument.number}` : transactionId;
  return `${year}/${month}/${requireSegment(leaf, 'archive directory')}`;
}

/**
 * One safe path segment: no separators, no control characters, no leading dots (so neither `..`
 * nor hidden files), no characters Windows shares refuse; accents are kept (NFC).
 * Returns '' when nothing usable remains.
 */
export function sanitizePathSegment(segment: string): string {
  let clean = segment
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips from file names.
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .replace(/[. ]+$/, '');
  if (Buffer.byteLength(clean) > MAX_SEGMENT_BYTES) clean = truncateKeepingExtension(clean);
  return clean;
}

export function createArchiveStore({ rootDir }: ArchiveStoreOptions): ArchiveStore {
  const root = path.resolve(rootDir);

  const toAbsolute = (segments: string[]): string => {
    const absolute = path.join(root, ...segments);
    // Sanitising already rules this out; checked again because escaping the root is the one
    // mistake an archive must never make.
    if (absolute !== root && !absolute.startsWith(root + path.sep)) {
      throw new Error(`archive path escapes the archive root: ${segments.join('/')}`);
    }
    return absolute;
  };

  return {
    async write({ relativeDir, fileName, bytes }) {
      const dirSegments = relativeDir
        .split(/[/\\]+/)
        .map(sanitizePathSegment)
        .filter((segment) => segment !== '');
      const name = requireSegment(fileName, 'file name');
      const directory = toAbsolute(dirSegments);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await mkdir(directory, { recursive: true });

      let tempPath: string | null = null;
      try {
        for (let variant = 1; variant <= MAX_VARIANTS; variant += 1) {
          const candidate = variantName(name, variant);
          const absolutePath = path.join(directory, candidate);
          const result = (alreadyPresent: boolean): ArchivedFile => ({
            path: [...dirSegments, candidate].join('/'),
            absolutePath,
            sha256,
            sizeBytes: bytes.byteLength,
            alreadyPresent,
          });

          const existing = await hashFileIfPresent(absolutePath);
          if (existing === sha256) return result(true);
          if (existing !== null) continue;

          tempPath ??= await writeTempFile(directory, candidate, bytes);
          if (await publishWithoutReplacing(tempPath, absolutePath)) {
            tempPath = null;
            await syncDirectory(directory);
            return result(false);
          }
          // Another writer took this name between our check and our publish: look at what it wrote.
          if ((await hashFileIfPresent(absolutePath)) === sha256) return result(true);
        }
        throw new Error(`archive: more than ${MAX_VARIANTS} different files named ${name} in ${dirSegments.join('/')}`);
      } finally {
        if (tempPath !== null) await removeTempFile(tempPath);
      }
    },

    async read(relativePath) {
      const segments = relativePath.split('/');
      for (const segment of segments) {
        if (segment === '' || sanitizePathSegment(segment) !== segment) {
          throw new Error(`not an archive path: ${JSON.stringify(relativePath)}`);
        }
      }
      return new Uint8Array(await readFile(toAbsolute(segments)));
    },
  };
}

function requireSegment(raw: string, what: string): string {
  const clean = sanitizePathSegment(raw);
  if (clean === '') throw new Error(`archive: ${what} ${JSON.stringify(raw)} has nothing usable as a file name`);
  return clean;
}

/** `name.pdf`, `name (2).pdf`, `name (3).pdf`… */
function variantName(name: string, variant: number): string {
  if (variant === 1) return name;
  const { base, extension } = splitExtension(name);
  return `${base} (${variant})${extension}`;
}

function splitExtension(name: string): { base: string; extension: string } {
  const dot = name.lastIndexOf('.');
  // A dot at 0 cannot happen after sanitising; an extension longer than 10 is not one.
  if (dot <= 0 || name.length - dot > 10) return { base: name, extension: '' };
  return { base: name.slice(0, dot), extension: name.slice(dot) };
}

function truncateKeepingExtension(name: string): string {
  const { base, extension } = splitExtension(name);
  let kept = '';
  // By code point, so an accent is never cut in half.
  for (const char of base) {
    if (Buffer.byteLength(kept + char + extension) > MAX_SEGMENT_BYTES) break;
    kept += char;
  }
  return `${kept.trimEnd()}${extension}`;
}

async function hashFileIfPresent(absolutePath: string): Promise<string | null> {
  try {
    const info = await stat(absolutePath);
    if (!info.isFile()) return 'not-a-file';
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(absolutePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Removes a temp file this writer made and did not publish. Already gone is fine; any other
 * failure is logged, not thrown: it would hide the write's own outcome, and a leftover `.tmp`
 * sibling is never read as an archived file.
 */
async function removeTempFile(tempPath: string): Promise<void> {
  try {
    await unlink(tempPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    activityLogger().warn('archive: cannot remove a temp file; it stays as a leftover', { tempPath, error: errorText(err) });
  }
}

/** A uniquely named sibling, created exclusively and fsynced, so publishing it is all or nothing. */
async function writeTempFile(directory: string, finalName: string, bytes: Uint8Array): Promise<string> {
  const tempPath = path.join(directory, `.${Array.from(finalName).slice(0, 60).join('')}.${randomUUID()}.tmp`);
  const handle = await open(tempPath, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await removeTempFile(tempPath);
    throw err;
  }
  await handle.close();
  return tempPath;
}

/**
 * Gives the temp file its final name unless that name is taken (false then). A hard link fails
 * on an existing target where rename would silently replace it; file systems without hard links
 * fall back to check-then-rename.
 */
async function publishWithoutReplacing(tempPath: string, finalPath: string): Promise<boolean> {
  try {
    await link(tempPath, finalPath);
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    if (!isErrno(err, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK')) throw err;
    if ((await hashFileIfPresent(finalPath)) !== null) return false;
    await rename(tempPath, finalPath);
    return true;
  }
  await unlink(tempPath);
  return true;
}

// Makes the new directory entry itself survive a crash; not every platform can fsync a directory.
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Best effort: the file's own data is already on disk.
  } finally {
    await handle?.close();
  }
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ArchiveStore, archiveDirectoryFor, createArchiveStore, sanitizePathSegment } from '../../activities/archive-store';

const PDF_A = new TextEncoder().encode('%PDF-1.7\nsigned version A\n%%EOF\n');
const PDF_B = new TextEncoder().encode('%PDF-1.7\nsigned version B\n%%EOF\n');

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file under `dir`, relative and posix, hidden ones included. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('archive store', () => {
  let parent: string;
  let rootDir: string;
  let store: ArchiveStore;
  let testIndex = 0;
  /** A fresh directory per test, so listings only show that test's files. */
  const freshDir = (): string => `case-${++testIndex}`;

  before(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'archive-store-test-'));
    rootDir = path.join(parent, 'archives');
    store = createArchiveStore({ rootDir });
  });
  after(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  test('writes atomically: the file has the bytes, directories are created, no temp file is left', async () => {
    const dir = `${freshDir()}/2026/11/devis-D0042`;
    const written = await store.write({ relativeDir: dir, fileName: 'Devis D0042 signé.pdf', bytes: PDF_A });
    assert.deepEqual(written, {
      path: `${dir}/Devis D0042 signé.pdf`,
      absolutePath: path.join(rootDir, ...dir.split('/'), 'Devis D0042 signé.pdf'),
      sha256: sha256(PDF_A),
      sizeBytes: PDF_A.byteLength,
      alreadyPresent: false,
    });
    assert.deepEqual(new Uint8Array(await readFile(written.absolutePath)), PDF_A);
    assert.deepEqual(await store.read(written.path), PDF_A);
    assert.deepEqual(await listFiles(path.join(rootDir, dir)), ['Devis D0042 signé.pdf']);
  });

  test('the same bytes twice: one file, the second write reports alreadyPresent', async () => {
    const dir = freshDir();
    const first = await store.write({ relativeDir: dir, fileName: 'devis.pdf', bytes: PDF_A });
    const second = await store.write({ relativeDir: dir, fileName: 'devis.pdf', bytes: PDF_A });
    assert.equal(first.alreadyPresent, false);
    assert.equal(second.alreadyPresent, true);
    assert.equal(second.path, first.path);
    assert.equal(second.sha256, first.sha256);
    assert.deepEqual(await listFiles(path.join(rootDir, dir)), ['devis.pdf']);
  });

  test('different bytes under a taken name go to a suffixed name; the signed original is untouched', async () => {
    const dir = freshDir();
    await store.write({ relativeDir: dir, fileName: 'devis.pdf', bytes: PDF_A });
    const other = await store.write({ relativeDir: dir, fileName: 'devis.pdf', bytes: PDF_B });
    assert.equal(other.path, `${dir}/devis (2).pdf`);
    assert.equal(other.alreadyPresent, false);
    assert.equal(other.sha256, sha256(PDF_B));
    // Both versions, written again, are found where they are.
    assert.equal((await store.write({ relativeDir: dir, fileName: 'devis.pdf', bytes: PDF_B })).path, `${dir}/devis (2).pdf`);
    assert.equal((await store.write({ relativeDir: dir, fileName: 'devis.pdf', bytes: PDF_A })).alreadyPresent, true);
    assert.deepEqual(await store.read(`${dir}/devis.pdf`), PDF_A);
    assert.deepEqual(await listFiles(path.join(rootDir, dir)), ['devis (2).pdf', 'devis.pdf']);
  });

  test('concurrent writers of the same bytes end with one file; of different bytes, with one file each', async () => {
    const dir = freshDir();
    const same = await Promise.all(Array.from({ length: 6 }, () => store.write({ relativeDir: dir, fileName: 'same.pdf', bytes: PDF_A })));
    assert.equal(same.filter((result) => !result.alreadyPresent).length, 1);
    assert.ok(same.every((result) => result.path === `${dir}/same.pdf`));

    const versions = Array.from({ length: 4 }, (_, i) => new TextEncoder().encode(`%PDF-1.7 version ${i}`));
    const different = await Promise.all(versions.map((bytes) => store.write({ relativeDir: dir, fileName: 'diff.pdf', bytes })));
    assert.equal(new Set(different.map((result) => result.path)).size, 4);
    for (const [i, result] of different.entries()) {
      assert.deepEqual(await store.read(result.path), versions[i]);
    }
    assert.deepEqual(await listFiles(path.join(rootDir, dir)), ['diff (2).pdf', 'diff (3).pdf', 'diff (4).pdf', 'diff.pdf', 'same.pdf']);
  });

  test('a directory squatting the name is skipped, not written into', async () => {
    const dir = freshDir();
    await mkdir(path.join(rootDir, dir, 'devis.pdf'), { recursive: true });
    const written = await store.write({ relativeDir: dir, fileName: 'devis.pdf', bytes: PDF_A });
    assert.equal(written.path, `${dir}/devis (2).pdf`);
  });

  test('sanitises names: no way out of the root, no separators, no control characters, accents kept', async () => {
    const dir = freshDir();
    const evil = await store.write({ relativeDir: `${dir}/../evil`, fileName: '../evil', bytes: PDF_A });
    assert.equal(evil.path, `${dir}/evil/_evil`);
    assert.ok(evil.absolutePath.startsWith(rootDir + path.sep));

    const slashed = await store.write({ relativeDir: dir, fileName: 'a/b', bytes: PDF_A });
    assert.equal(slashed.path, `${dir}/a_b`);
    const backslashed = await store.write({ relativeDir: dir, fileName: 'a\\b.pdf', bytes: PDF_A });
    assert.equal(backslashed.path, `${dir}/a_b.pdf`);

    const nfd = 'Devis signe\u0301\u0000\n\u007f.pdf';
    const accented = await store.write({ relativeDir: dir, fileName: nfd, bytes: PDF_A });
    assert.equal(accented.path, `${dir}/Devis signé.pdf`);

    assert.equal(sanitizePathSegment('..'), '');
    assert.equal(sanitizePathSegment('.hidden'), 'hidden');
    assert.equal(sanitizePathSegment('Réf: 12?'), 'Réf_ 12_');
    assert.equal(sanitizePathSegment('  devis.pdf.  '), 'devis.pdf');
    const long = sanitizePathSegment(`${'é'.repeat(300)}.pdf`);
    assert.ok(Buffer.byteLength(long) <= 200 && long.endsWith('é.pdf'));

    await assert.rejects(store.write({ relativeDir: dir, fileName: '..', bytes: PDF_A }), /nothing usable/);
    await assert.rejects(store.write({ relativeDir: dir, fileName: '\u0000\u0007 . ', bytes: PDF_A }), /nothing usable/);
  });

  test('nothing lands outside the root, and no temp file is left anywhere', async () => {
    assert.deepEqual(await readdir(parent), ['archives']);
    const leftovers = (await listFiles(rootDir)).filter((file) => file.endsWith('.tmp') || path.posix.basename(file).startsWith('.'));
    assert.deepEqual(leftovers, []);
  });

  test('read refuses paths that leave the root or were not produced by write', async () => {
    await writeFile(path.join(parent, 'outside.pdf'), PDF_B);
    await assert.rejects(store.read('../outside.pdf'), /not an archive path/);
    await assert.rejects(store.read('/etc/passwd'), /not an archive path/);
    await assert.rejects(store.read('a//b.pdf'), /not an archive path/);
    await rm(path.join(parent, 'outside.pdf'));
  });
});

describe('archiveDirectoryFor', () => {
  const devis = { type: 'devis', number: 'D0042' };

  test('YYYY/MM/<type>-<number>, or the transaction id without a Sage document', () => {
    const signedAt = new Date('2026-11-15T10:00:00Z');
    assert.equal(archiveDirectoryFor({ signedAt, sageDocument: devis, transactionId: 'tx_1' }), '2026/11/devis-D0042');
    assert.equal(archiveDirectoryFor({ signedAt, sageDocument: null, transactionId: 'tx_8Kd2' }), '2026/11/tx_8Kd2');
  });

  test('takes year and month in Paris time around month and year boundaries', () => {
    const cases: Array<[string, string]> = [
      // Winter, UTC+1: late evening UTC is already the next day in Paris.
      ['2026-01-31T22:59:59Z', '2026/01'],
      ['2026-01-31T23:00:00Z', '2026/02'],
      ['2026-12-31T23:30:00Z', '2027/01'],
      // Summer, UTC+2.
      ['2026-06-30T21:59:59Z', '2026/06'],
      ['2026-06-30T22:00:00Z', '2026/07'],
      // First month end after the switch to summer time (29 March 2026).
      ['2026-03-31T21:59:59Z', '2026/03'],
      ['2026-03-31T22:00:00Z', '2026/04'],
      // Last month end before the switch back (25 October 2026).
      ['2026-09-30T22:00:00Z', '2026/10'],
      ['2026-10-31T22:59:59Z', '2026/10'],
      ['2026-10-31T23:00:00Z', '2026/11'],
    ];
    for (const [iso, expected] of cases) {
      assert.equal(
        archiveDirectoryFor({ signedAt: new Date(iso), sageDocument: devis, transactionId: 'tx_1' }),
        `${expected}/devis-D0042`,
        iso,
      );
    }
  });

  test('sanitises the document part into a single segment', () => {
    const signedAt = new Date('2026-11-15T10:00:00Z');
    assert.equal(
      archiveDirectoryFor({ signedAt, sageDocument: { type: 'devis', number: '../D/42' }, transactionId: 'tx_1' }),
      '2026/11/devis-.._D_42',
    );
    assert.throws(() => archiveDirectoryFor({ signedAt: new Date('nope'), sageDocument: devis, transactionId: 'tx_1' }), TypeError);
  });
});

/**
 * The TCP sockets a process tree listens on, read from /proc (Linux), as `ss -ltnp` shows them
 * without needing iproute2: the processes' socket inodes matched against the kernel's TCP tables.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ListeningSocket {
  pid: number;
  host: string;
  port: number;
  loopback: boolean;
}

/** `root` and all its descendants, alive now. */
export async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    // The command name is in parentheses and may hold spaces: the parent pid is the 2nd field after it.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : Number.NaN;
    if (!Number.isNaN(ppid)) parents.set(Number(entry), ppid);
  }
  const tree = [root];
  for (let index = 0; index < tree.length; index += 1) {
    for (const [pid, ppid] of parents) if (ppid === tree[index]) tree.push(pid);
  }
  return tree;
}

export async function listeningSockets(pids: number[]): Promise<ListeningSocket[]> {
  const owners = new Map<string, number>();
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) owners.set(inode, pid);
    }
  }
  const sockets: ListeningSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const lines = (await readFile(`/proc/net/${table}`, 'utf8')).trim().split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1] ?? '', fields[3], fields[9] ?? ''];
      const pid = owners.get(inode);
      // 0A: TCP_LISTEN.
      if (state !== '0A' || pid === undefined) continue;
      const [hexHost = '', hexPort = ''] = local.split(':');
      sockets.push({ pid, port: Number.parseInt(hexPort, 16), ...decodeHost(hexHost) });
    }
  }
  return sockets;
}

/** The kernel prints addresses as 32-bit words in host (little-endian) byte order. */
function decodeHost(hex: string): { host: string; loopback: boolean } {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => Number.parseInt(byte, 16)));
  if (bytes.length === 4) return { host: bytes.join('.'), loopback: bytes[0] === 127 };
  const isV4Mapped = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isV4Mapped) return { host: `::ffff:${bytes.slice(12).join('.')}`, loopback: bytes[12] === 127 };
  const groups = Array.from({ length: 8 }, (_, index) => (((bytes[2 * index] ?? 0) << 8) | (bytes[2 * index + 1] ?? 0)).toString(16));
  return { host: groups.join(':'), loopback: bytes.slice(0, 15).every((byte) => byte === 0) && bytes[15] === 1 };
}

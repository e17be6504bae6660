// The words of Node's network and child-process layers (undici's UND_ERR_*, libuv's E*
// codes, fetch's "bad port") in words a person can act on: they reach people as the reason
// a download or a probe of Python failed.

const NETWORK: Record<string, string> = {
  UND_ERR_SOCKET: 'the connection was closed before the file was complete',
  UND_ERR_CONNECT_TIMEOUT: 'could not connect in time',
  UND_ERR_HEADERS_TIMEOUT: 'the server did not answer in time',
  UND_ERR_BODY_TIMEOUT: 'the server stopped sending',
  UND_ERR_CLOSED: 'the connection was closed',
  ECONNREFUSED: 'the connection was refused (nothing answers at that address)',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'the host name could not be resolved (no network, or a mistyped address?)',
  EAI_AGAIN: 'the host name could not be resolved just now (no network?)',
  EHOSTUNREACH: 'the host cannot be reached from here',
  ENETUNREACH: 'the network cannot be reached from here (no connection?)',
  ENOBUFS: 'the system ran out of network buffers',
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's TLS certificate is signed by an authority this machine does not trust",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate cannot be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host name",
};

/** Why a fetch failed, in words: fetch's own error says only "fetch failed"; the reason is its cause. */
export function describeNetworkError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (e as NodeJS.ErrnoException)?.code;
  if (code && NETWORK[code]) return NETWORK[code];
  const message = cause?.message ?? (e as Error)?.message ?? String(e);
  // fetch refuses ports that browsers block (6000, 10080, …) with just these words
  if (message === 'bad port') return 'Node refuses to connect to that port (one browsers block, such as 6000 or 10080): use an address on another port';
  if (/^Failed to parse URL|^Invalid URL/.test(message)) return 'not a valid URL';
  return code && /^[A-Z_]+$/.test(code) ? `${message} (${code})` : message;
}

const SPAWN: Record<string, string> = {
  ENOENT: 'was not found',
  EACCES: 'is not executable',
  EPERM: 'may not be run (permission denied)',
  ENOEXEC: 'is not a program this system can run',
  ENOBUFS: 'printed more than hwy reads from it (over 1 MiB)',
  EAGAIN: 'could not be started: the system allows no more processes now',
  ENOMEM: 'could not be started: not enough memory',
  EMFILE: 'could not be started: too many open files',
};

/** Why a child process could not run or answer (spawnSync's error), in words that follow its name: "python3 was not found". */
export function describeSpawnError(e: Error, timeoutMs?: number): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ETIMEDOUT' && timeoutMs !== undefined) return `did not answer within ${Math.round(timeoutMs / 1000)} s`;
  if (code && SPAWN[code]) return SPAWN[code];
  return `failed to run: ${e.message.split('\n')[0]}`;
}

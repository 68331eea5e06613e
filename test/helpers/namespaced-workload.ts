/**
 * Starts a real workload in fresh PID, mount and network namespaces (unshare, needs root): a TCP
 * listener with an established connection to itself, a unix socket, a tmpfs holding a token file,
 * and a process whose executable was deleted. Tests capture it and compare with ps, ss and findmnt.
 * Options add planted secrets: variables in every process's environment, one more process run with
 * the given argv, and the token bind-mounted at the default ServiceAccount path inside the namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A running namespaced workload and how to reach and stop it. */
export interface NamespacedWorkload {
  /** The host PID of `unshare`, the root of the captured tree. */
  rootPid: number;
  /** The host PID of the namespace's init (PID 1 inside), for nsenter. */
  innerPid: number;
  tmpfsDir: string;
  token: string;
  stop: () => Promise<void>;
}

/** Extras for secret-leak tests; without them the workload is the plain one. */
export interface WorkloadOptions {
  /** Added to the environment of every process of the workload. */
  env?: Record<string, string>;
  /** Run as one more background process inside the namespaces (it is also in bash's own argv). */
  extraArgv?: string[];
  /** Bind the token's folder at /var/run/secrets/kubernetes.io/serviceaccount inside the mount namespace (over a private tmpfs on /run). */
  defaultTokenPath?: boolean;
}

const SCRIPT = String.raw`
set -eu
ip link set lo up
mkdir -p "$DIR/tmpfs"
mount -t tmpfs -o size=4m kustody-test "$DIR/tmpfs"
mkdir -p "$DIR/tmpfs/serviceaccount"
printf '%s' "$TOKEN" > "$DIR/tmpfs/serviceaccount/token"
if [ "$SA_BIND" = 1 ]; then
  # /var/run is /run; a fresh tmpfs there keeps the host's /run untouched (propagation is private).
  mount -t tmpfs -o size=1m kustody-run /run
  mkdir -p /run/secrets/kubernetes.io/serviceaccount
  mount --bind "$DIR/tmpfs/serviceaccount" /run/secrets/kubernetes.io/serviceaccount
fi
if [ $# -gt 0 ]; then "$@" & fi
cp /bin/sleep "$DIR/tmpfs/evil"
"$DIR/tmpfs/evil" 100000 &
sleep 0.2
rm "$DIR/tmpfs/evil"
python3 - "$DIR" <<'PY' &
import os, socket, sys, time
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 8080)); listener.listen()
client = socket.create_connection(("127.0.0.1", 8080)); server, _ = listener.accept()
unix = socket.socket(socket.AF_UNIX); unix.bind(os.path.join(sys.argv[1], "tmpfs", "agent.sock")); unix.listen()
open(os.path.join(sys.argv[1], "ready"), "w").close()
time.sleep(100000)
PY
wait
`;

/** Starts the workload in `dir` and waits until its sockets are open. */
export async function startNamespacedWorkload(dir: string, token: string, options: WorkloadOptions = {}): Promise<NamespacedWorkload> {
  const argv = ['--pid', '--mount', '--net', '--fork', '--mount-proc', '--propagation', 'private', 'bash', '-c', SCRIPT, 'workload', ...(options.extraArgv ?? [])];
  const child: ChildProcess = spawn('unshare', argv, {
    env: { ...process.env, ...options.env, DIR: dir, TOKEN: token, SA_BIND: options.defaultTokenPath === true ? '1' : '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const rootPid = child.pid;
  if (rootPid === undefined) throw new Error('unshare did not start');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      readFileSync(join(dir, 'ready'));
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`workload did not become ready: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const innerPid = Number(readFileSync(`/proc/${rootPid}/task/${rootPid}/children`, 'utf8').trim().split(/\s+/)[0]);
  const stop = async () => {
    if (child.exitCode !== null) return;
    // Killing the namespace's init ends every process inside it.
    process.kill(innerPid, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
  };
  return { rootPid, innerPid, tmpfsDir: join(dir, 'tmpfs'), token, stop };
}

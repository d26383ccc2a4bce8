import { execFileSync } from 'node:child_process';
import { startEtcd } from './test/helpers/etcd.js';
import { spawnCube, cubeBin } from './test/helpers/cube-process.js';
import { removeContainersOf } from './test/helpers/docker.js';
const etcd = await startEtcd(3);
const env = { CUBE_STORE: 'etcd', CUBE_ETCD: etcd.endpoints, CUBE_ETCD_PREFIX: '/cube/', CUBE_LOG: '0' };
const ms = [];
const cube = (...a: string[]) => { try { return execFileSync(process.execPath, [cubeBin, ...a], { encoding: 'utf8', env: { ...process.env, CUBE_MANAGER: ms[1].url.replace('http://','') } }); } catch (e: any) { return `exit ${e.status}: ${e.stderr}`; } };
try {
  for (const port of ['5556', '5566', '5576']) ms.push(await spawnCube(['manager', '--port', port], env));
  console.log(ms[0].output());
  const join = ms.map(m => m.url.replace('http://', '')).join(',');
  for (const [n, port] of [['w1', '5555'], ['w2', '5565']]) ms.push(await spawnCube(['worker', '--port', port, '--name', n, '--join', join], { ...env, CUBE_STORE: 'sqlite' }));
  console.log(ms[3].output());
  await new Promise(r => setTimeout(r, 2500));
  console.log('$ cube node\n' + cube('node'));
  for (const f of ['docs/examples/task1.json']) console.log(cube('run', '-f', f, '--detach'));
  console.log(cube('run', '-f', 'docs/examples/task2.json', '--detach'));
  console.log('$ cube node rm w1\n' + cube('node', 'rm', 'w1'));
  console.log('$ cube node drain w1\n' + cube('node', 'drain', 'w1'));
  await new Promise(r => setTimeout(r, 4000));
  console.log('$ cube status\n' + cube('status'));
  console.log('$ cube node\n' + cube('node'));
  console.log('$ cube node rm w1\n' + cube('node', 'rm', 'w1'));
  console.log('$ cube node\n' + cube('node'));
  const st = JSON.parse(cube('status', '--json'));
  for (const t of st) cube('stop', t.ID);
} finally {
  for (const m of ms) await m.stop('SIGKILL');
  await removeContainersOf('w1'); await removeContainersOf('w2');
  await etcd.stop();
}

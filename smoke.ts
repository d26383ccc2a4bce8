import { startEtcd } from './test/helpers/etcd.js';
import { spawnCube } from './test/helpers/cube-process.js';
import { get, post, del } from './test/helpers/http.js';
import { removeContainersOf } from './test/helpers/docker.js';
const etcd = await startEtcd(3);
const env = { CUBE_STORE: 'etcd', CUBE_ETCD: etcd.endpoints, CUBE_ETCD_PREFIX: etcd.prefix(), CUBE_LEADER_LEASE: '2s', CUBE_LEADER_RENEW: '500ms', CUBE_ETCD_TIMEOUT: '1s', CUBE_HEARTBEAT_TTL: '4s', CUBE_RECONCILE_INTERVAL: '2s', CUBE_STOP_TIMEOUT: '1s' };
const ms = [];
try {
  for (let i = 0; i < 3; i++) ms.push(await spawnCube(['manager', '--port', '0'], env));
  console.log('managers', ms.map(m => m.url));
  const join = ms.map(m => m.url.replace('http://', '')).join(',');
  const ws = [];
  for (const n of ['smk-w1', 'smk-w2']) ws.push(await spawnCube(['worker', '--port', '0', '--name', n, '--join', join], { ...env, CUBE_STORE: 'sqlite' }));
  ms.push(...ws);
  await new Promise(r => setTimeout(r, 3000));
  for (const m of ms.slice(0,3)) { const n = await get(`${m.url}/nodes`); console.log(m.url, n.status, n.headers.get('cube-leader'), JSON.stringify(n.body.map((x: any) => [x.Name, x.Role, x.State]))); }
  const r = await post(`${ms[1].url}/tasks`, { Task: { ID: 'smk-1', Image: 'strm/helloworld-http', Name: 'smk-one' } });
  console.log('POST via follower?', r.status, r.body.State, r.body.Worker);
  await new Promise(r => setTimeout(r, 3000));
  for (const m of ms.slice(0,3)) { const t = await get(`${m.url}/tasks/smk-1`); console.log(m.url, t.status, t.body.StateName, t.body.Worker); }
  const d = await del(`${ms[2].url}/tasks/smk-1`); console.log('DELETE', d.status, d.body);
} finally {
  for (const m of ms) { console.log('----', m.url, '\n', m.output().slice(-1500)); await m.stop('SIGKILL'); }
  await removeContainersOf('smk-w1'); await removeContainersOf('smk-w2');
  await etcd.stop();
}

// A manager as GET /nodes shows it when several share etcd (docs/ha.md): one
// row per manager process that holds a lease, with the one that leads marked.
// Workers keep their rows (node-view.ts); `Role` tells the two apart, as in the
// book's /nodes.

/** A manager as the others see it (the value of its key in etcd, src/manager/ha/leadership.ts): its name and where its API is. */
export interface ManagerIdentity {
  name: string;
  url: string;
  startedAt: string;
}

export interface LeaderInfo extends ManagerIdentity {
  /** The create revision of the leader key: the term. */
  term: string;
}

export interface ManagerView {
  Name: string;
  /** host:port of its API. */
  Address: string;
  /** Its API, "http://host:port". */
  Api: string;
  Role: 'manager';
  /** `leader` for the one that leads, else `follower`. */
  State: 'leader' | 'follower';
  /** When it started (RFC 3339). */
  Since: string;
  /** The leader's term (the etcd revision it took the lead at); "" for a follower. */
  Term: string;
}

export function managerView(manager: ManagerIdentity, leader: LeaderInfo | undefined): ManagerView {
  const leads = leader !== undefined && leader.name === manager.name;
  return {
    Name: manager.name,
    Address: manager.url.replace(/^https?:\/\//, ''),
    Api: manager.url,
    Role: 'manager',
    State: leads ? 'leader' : 'follower',
    Since: manager.startedAt,
    Term: leads ? leader.term : '',
  };
}

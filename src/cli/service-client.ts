// The service routes of the manager API (docs/spec.md §9) for `cube service`,
// over the manager client: where the manager is, the token, and errors in one
// line (the manager's own Message: a 400 naming the key, a 404, a 409, a 503).
import { stateNames, type Task } from '../vocabulary/task.js';
import type { Service } from '../vocabulary/service.js';
import type { ManagerClient, Removal } from './manager-client.js';

const path = (name: string) => `/services/${encodeURIComponent(name)}`;

/** The copies worth showing by default: every state but Completed (copies stopped by a rollout or a scale down). */
const notCompleted = stateNames.filter((s) => s !== 'completed').join(',');

export class ServiceApi {
  constructor(readonly client: ManagerClient) {}

  /** GET /services: every service, by name. */
  list(): Promise<Service[]> {
    return this.client.call<Service[]>('GET', '/services');
  }

  get(name: string): Promise<Service> {
    return this.client.call<Service>('GET', path(name));
  }

  /** POST /services: the service, version 1, deploying. */
  create(definition: unknown): Promise<Service> {
    return this.client.call<Service>('POST', '/services', definition);
  }

  /** PUT /services/{name}: a new version, rolled out (or the same one, scaled). */
  update(name: string, definition: unknown): Promise<Service> {
    return this.client.call<Service>('PUT', path(name), definition);
  }

  scale(name: string, count: number): Promise<Service> {
    return this.client.call<Service>('POST', `${path(name)}/scale`, { Count: count });
  }

  /** POST /services/{name}/rollback: the service, rolling back. */
  rollback(name: string): Promise<Service> {
    return this.client.call<Service>('POST', `${path(name)}/rollback`);
  }

  /** DELETE /services/{name}: every copy stopped, or the stops kept until their workers confirm them. */
  remove(name: string): Promise<Removal> {
    return this.client.remove(path(name), `service ${name} is deleted; the stops of its copies are not confirmed yet`);
  }

  /** GET /tasks?service=NAME: its copies, the Completed ones only with `all`. */
  async copies(name: string, all: boolean): Promise<Task[]> {
    return (await this.client.allTasks({ service: name, ...(all ? {} : { state: notCompleted }) })).tasks;
  }
}

// The JSON of the book's own worker and manager ("Build an Orchestrator in
// Go", chapter 12 with chapter 9's tasks), as recorded from them: what Cube
// reads from a book worker and writes for a book manager. Types only, plus the
// table of the book's memory keys (its stats come from goprocinfo, which
// renames /proc/meminfo's lines to snake case and keeps them in kB).

/** /proc/meminfo's line name → the book's key, in the order the book sends them. */
export const MEMINFO_KEYS = {
  MemTotal: 'mem_total',
  MemFree: 'mem_free',
  MemAvailable: 'mem_available',
  Buffers: 'buffers',
  Cached: 'cached',
  SwapCached: 'swap_cached',
  Active: 'active',
  Inactive: 'inactive',
  'Active(anon)': 'active_anon',
  'Inactive(anon)': 'inactive_anon',
  'Active(file)': 'active_file',
  'Inactive(file)': 'inactive_file',
  Unevictable: 'unevictable',
  Mlocked: 'mlocked',
  SwapTotal: 'swap_total',
  SwapFree: 'swap_free',
  Dirty: 'dirty',
  Writeback: 'write_back',
  AnonPages: 'anon_pages',
  Mapped: 'mapped',
  Shmem: 'shmem',
  Slab: 'slab',
  SReclaimable: 's_reclaimable',
  SUnreclaim: 's_unclaim',
  KernelStack: 'kernel_stack',
  PageTables: 'page_tables',
  NFS_Unstable: 'nfs_unstable',
  Bounce: 'bounce',
  WritebackTmp: 'writeback_tmp',
  CommitLimit: 'commit_limit',
  Committed_AS: 'committed_as',
  VmallocTotal: 'vmalloc_total',
  VmallocUsed: 'vmalloc_used',
  VmallocChunk: 'vmalloc_chunk',
  HardwareCorrupted: 'hardware_corrupted',
  AnonHugePages: 'anon_huge_pages',
  HugePages_Total: 'huge_pages_total',
  HugePages_Free: 'huge_pages_free',
  HugePages_Rsvd: 'huge_pages_rsvd',
  HugePages_Surp: 'huge_pages_surp',
  Hugepagesize: 'hugepagesize',
  DirectMap4k: 'direct_map_4k',
  DirectMap2M: 'direct_map_2M',
  DirectMap1G: 'direct_map_1G',
} as const;

export type MemKey = (typeof MEMINFO_KEYS)[keyof typeof MEMINFO_KEYS];

/** kB, except the huge page counts. */
export type BookMemStats = Record<MemKey, number>;

/** Bytes of the worker's disk; `free` counts blocks reserved for root (statfs f_bfree). */
export interface BookDiskStats {
  all: number;
  used: number;
  free: number;
  freeInodes: number;
}

/** The first line of /proc/stat: jiffies (1/100 s) since boot, summed over all CPUs. */
export interface BookCpuStats {
  id: string;
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guest_nice: number;
}

/** /proc/loadavg. */
export interface BookLoadStats {
  last1min: number;
  last5min: number;
  last15min: number;
  process_running: number;
  process_total: number;
  last_pid: number;
}

/** A worker's GET /stats in the book. */
export interface BookStats {
  MemStats: BookMemStats;
  DiskStats: BookDiskStats;
  CpuStats: BookCpuStats;
  LoadStats: BookLoadStats;
  TaskCount: number;
}

/** The book's Task: these keys only (its worker refuses any other key in a POST). */
export interface BookTask {
  ID: string;
  ContainerID: string;
  Name: string;
  State: number;
  Image: string;
  Cpu: number;
  Memory: number;
  Disk: number;
  ExposedPorts: Record<string, Record<string, never>> | null;
  HostPorts: Record<string, { HostIp: string; HostPort: string }[]> | null;
  PortBindings: Record<string, string> | null;
  RestartPolicy: string;
  StartTime: string;
  FinishTime: string;
  HealthCheck: string;
  RestartCount: number;
}

/** What the book's manager POSTs to a worker's /tasks. */
export interface BookTaskEvent {
  ID: string;
  State: number;
  Timestamp: string;
  Task: BookTask;
}

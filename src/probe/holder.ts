// What finding a file's holders yields, however they were found (/proc, or lsof where there is none).
export interface Holder {
  pid: number;
  command: string;
  fd: number;
  writes: boolean;
  appends: boolean;
}

export interface HolderScan {
  /** False where /proc is missing: holders could not be checked at all. */
  checked: boolean;
  /** Processes whose fds could not be read (another user's, when not root). */
  hidden: number;
  /** Set when other users' processes are not even listed (/proc mounted hidepid=2): the option, as mounted. */
  invisible?: string;
  holders: Holder[];
}

import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

/** A disk for a store that a test fills and frees again. */
export interface FullDisk {
  /** Where the store goes. */
  readonly dir: string;
  /** What the store's config needs besides its path (the page-limit file). */
  readonly storeOptions: Record<string, unknown>;
  /** A real filesystem (its free bytes are known), or SQLite's page limit standing in. */
  readonly real: boolean;
  /** Fills it; returns how much (bytes, or 1 for the page limit). */
  fill(): number;
  free(): void;
  /** Bytes free now; undefined for the page limit. */
  freeBytes(): number | undefined;
  fileBytes(name: string): number;
  unmount(): void;
}

/**
 * A tmpfs of `sizeMb` on `dir`, or where it cannot be mounted (not root), a plain
 * directory whose store is kept from growing by SQLite's page limit (store.pageLimitFile):
 * a write that needs a new page then fails with SQLITE_FULL, as on a full disk.
 */
export function fullDisk(dir: string, sizeMb: number): FullDisk {
  try {
    // ACS_TEST_NO_TMPFS=1 runs the stand-in where the mount would work (to test it).
    if (process.env.ACS_TEST_NO_TMPFS === "1") throw new Error("ACS_TEST_NO_TMPFS=1");
    return TmpfsDisk.mount(dir, sizeMb);
  } catch (err) {
    console.warn(
      `no tmpfs (${(err as Error).message.split("\n")[0]}): SQLite's page limit stands in`,
    );
    return new PageLimitDisk(dir);
  }
}

/** The page-limit stand-in for a full disk (see fullDisk). */
export class PageLimitDisk implements FullDisk {
  readonly dir: string;
  readonly real = false;
  readonly storeOptions: Record<string, unknown>;
  private readonly file: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.dir = dir;
    this.file = join(dir, "page-limit");
    this.storeOptions = { pageLimitFile: this.file };
  }

  fill(): number {
    writeFileSync(this.file, "full");
    return 1;
  }

  free(): void {
    writeFileSync(this.file, "");
  }

  freeBytes(): undefined {
    return undefined;
  }

  fileBytes(name: string): number {
    try {
      return statSync(join(this.dir, name)).size;
    } catch {
      return 0;
    }
  }

  unmount(): void {}
}

/**
 * A real, small filesystem (tmpfs) for a store, that a test fills to the last byte and
 * frees again. Needs root (the tests run as root here and in CI).
 */
export class TmpfsDisk implements FullDisk {
  readonly real = true;
  readonly storeOptions: Record<string, unknown> = {};
  readonly dir: string;
  private readonly filler: string;
  private mounted = false;

  private constructor(dir: string) {
    this.dir = dir;
    this.filler = join(dir, "filler");
  }

  /** Mounts a tmpfs of `sizeMb` on `dir` (created); throws when it cannot be mounted. */
  static mount(dir: string, sizeMb: number): TmpfsDisk {
    mkdirSync(dir, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m`, "tmpfs", dir], {
      stdio: "pipe",
    });
    const disk = new TmpfsDisk(dir);
    disk.mounted = true;
    return disk;
  }

  /** Writes the filler file until the filesystem says ENOSPC; returns the bytes written. */
  fill(): number {
    const fd = openSync(this.filler, "a");
    let written = 0;
    try {
      for (const size of [1 << 20, 65_536, 4096, 512, 1]) {
        const chunk = Buffer.alloc(size, 0x5a);
        for (;;) {
          try {
            written += writeSync(fd, chunk);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
            break;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return written;
  }

  /** Deletes the filler: the space is back. */
  free(): void {
    rmSync(this.filler, { force: true });
  }

  /** Bytes free now (df). */
  freeBytes(): number {
    const out = execFileSync("df", ["-B1", "--output=avail", this.dir]).toString();
    return Number(out.trim().split("\n").pop());
  }

  fileBytes(name: string): number {
    try {
      return statSync(join(this.dir, name)).size;
    } catch {
      return 0;
    }
  }

  /** Unmounts (lazily when something still holds a file open). Safe to call twice. */
  unmount(): void {
    if (!this.mounted) return;
    this.mounted = false;
    try {
      execFileSync("umount", [this.dir], { stdio: "pipe" });
    } catch {
      execFileSync("umount", ["-l", this.dir], { stdio: "pipe" });
    }
  }
}

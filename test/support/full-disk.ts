import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * A real, small filesystem (tmpfs) for a store, that a test fills to the last byte and
 * frees again. Needs root (the tests run as root here and in CI).
 */
export class TmpfsDisk {
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

/**
 * An in-memory Origin Private File System, as much of it as the scratch
 * store uses (directories, files, sync access handles), for Node tests.
 * A quota (bytes over all files) makes growing a file throw a
 * QuotaExceededError DOMException, as Chromium does.
 */

class FakeFile {
  bytes = new Uint8Array(0);
  open = false;
  modified = Date.now();
}

class FakeHandle {
  private closed = false;

  constructor(private readonly file: FakeFile, private readonly fs: FakeOpfs) {}

  private check(): void {
    if (this.closed) throw new DOMException('closed', 'InvalidStateError');
  }

  truncate(size: number): void {
    this.check();
    this.fs.grow(size - this.file.bytes.length);
    const next = new Uint8Array(size);
    next.set(this.file.bytes.subarray(0, size));
    this.file.bytes = next;
  }

  getSize(): number {
    this.check();
    return this.file.bytes.length;
  }

  write(src: ArrayBufferView, opts: { at?: number } = {}): number {
    this.check();
    const at = opts.at ?? 0;
    const data = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
    if (at + data.length > this.file.bytes.length) this.truncate(at + data.length);
    this.file.bytes.set(data, at);
    this.file.modified = Date.now();
    this.fs.writes++;
    return data.length;
  }

  read(dst: ArrayBufferView, opts: { at?: number } = {}): number {
    this.check();
    const at = opts.at ?? 0;
    const out = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
    const part = this.file.bytes.subarray(at, at + out.length);
    out.set(part);
    return part.length;
  }

  flush(): void {
    this.check();
  }

  close(): void {
    this.closed = true;
    this.file.open = false;
  }
}

class FakeFileHandle {
  readonly kind = 'file';

  constructor(readonly name: string, private readonly file: FakeFile, private readonly fs: FakeOpfs, private readonly parent: FakeDir) {}

  /** One writer or reader at a time (Chromium's read-only mode, which allows several, is not modelled). */
  async createSyncAccessHandle(): Promise<FakeHandle> {
    if (this.file.open) throw new DOMException('already open', 'NoModificationAllowedError');
    this.file.open = true;
    return new FakeHandle(this.file, this.fs);
  }

  /** A snapshot of the bytes, as Chromium's File of an OPFS file reads them. */
  async getFile(): Promise<File> {
    return new File([this.file.bytes.slice()], this.name, { lastModified: this.file.modified });
  }

  /** Moves the file to `dir` as `name`, replacing a file of that name (Chromium's OPFS move). */
  async move(dir: FakeDir, name: string): Promise<void> {
    if (this.file.open) throw new DOMException(`${this.name} is open`, 'NoModificationAllowedError');
    const there = dir.children.get(name);
    if (there instanceof FakeDir) throw new DOMException(`${name} is a directory`, 'TypeMismatchError');
    if (there?.open) throw new DOMException(`${name} is open`, 'NoModificationAllowedError');
    if (there) this.fs.grow(-there.bytes.length);
    this.parent.children.delete(this.name);
    dir.children.set(name, this.file);
  }

  /** Backdates the file (tests of leftovers). */
  touch(time: number): void {
    this.file.modified = time;
  }
}

class FakeDir {
  readonly kind = 'directory';
  readonly children = new Map<string, FakeDir | FakeFile>();

  constructor(readonly name: string, private readonly fs: FakeOpfs) {}

  async getDirectoryHandle(name: string, opts: { create?: boolean } = {}): Promise<FakeDir> {
    let e = this.children.get(name);
    if (!e && opts.create) this.children.set(name, (e = new FakeDir(name, this.fs)));
    if (!e) throw new DOMException(`${name} not found`, 'NotFoundError');
    if (!(e instanceof FakeDir)) throw new DOMException(`${name} is a file`, 'TypeMismatchError');
    return e;
  }

  async getFileHandle(name: string, opts: { create?: boolean } = {}): Promise<FakeFileHandle> {
    let e = this.children.get(name);
    if (!e && opts.create) this.children.set(name, (e = new FakeFile()));
    if (!e) throw new DOMException(`${name} not found`, 'NotFoundError');
    if (!(e instanceof FakeFile)) throw new DOMException(`${name} is a directory`, 'TypeMismatchError');
    return new FakeFileHandle(name, e, this.fs, this);
  }

  async removeEntry(name: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const e = this.children.get(name);
    if (!e) throw new DOMException(`${name} not found`, 'NotFoundError');
    if (e instanceof FakeFile && e.open) throw new DOMException(`${name} is open`, 'NoModificationAllowedError');
    if (e instanceof FakeDir && e.children.size && !opts.recursive) throw new DOMException(`${name} is not empty`, 'InvalidModificationError');
    if (e instanceof FakeDir) for (const n of [...e.children.keys()]) await e.removeEntry(n, { recursive: true });
    if (e instanceof FakeFile) this.fs.grow(-e.bytes.length);
    this.children.delete(name);
  }

  async *keys(): AsyncGenerator<string> {
    for (const k of [...this.children.keys()]) yield k;
  }

  async *entries(): AsyncGenerator<[string, FakeDir | FakeFileHandle]> {
    for (const [k, e] of [...this.children]) yield [k, e instanceof FakeDir ? e : new FakeFileHandle(k, e, this.fs, this)];
  }
}

export class FakeOpfs {
  readonly root: FakeDir = new FakeDir('', this);
  used = 0;
  writes = 0;

  constructor(private readonly quota = Infinity) {}

  grow(delta: number): void {
    if (delta > 0 && this.used + delta > this.quota) throw new DOMException('quota', 'QuotaExceededError');
    this.used += delta;
  }

  /** The root as OpfsScratch wants it. */
  readonly getRoot = async (): Promise<FileSystemDirectoryHandle> => this.root as unknown as FileSystemDirectoryHandle;

  /** Names under a directory of the root ([] when it does not exist). */
  list(dir: string): string[] {
    const d = this.root.children.get(dir);
    return d instanceof FakeDir ? [...d.children.keys()] : [];
  }
}

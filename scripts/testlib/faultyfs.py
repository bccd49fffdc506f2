#!/usr/bin/python3
"""A FUSE pass-through of one directory, for tests of code that writes to shared storage.

Usage: faultyfs.py BACKING MOUNTPOINT [--direct accept|refuse-open|refuse-io] [--fail-flag FILE]

Serves BACKING at MOUNTPOINT in the foreground until unmounted (umount MOUNTPOINT) or killed.
  --direct accept       O_DIRECT opens are served like any other (the default)
  --direct refuse-open  an open or create with O_DIRECT answers EINVAL, as file systems
                        without O_DIRECT support do
  --direct refuse-io    O_DIRECT opens succeed, but every read and write through such a
                        handle answers EINVAL (a file system that fails only at the I/O)
  --fail-flag FILE      while FILE exists, every read, write and fsync answers EIO (the
                        storage stops answering, as a failed NAS does)
Writes to BACKING behind the mount's back stand for another machine writing to the storage:
the kernel's page cache of the mount does not see them. Needs root (or /dev/fuse access),
Debian's python3-fusepy (module `fusepy`, on /usr/bin/python3) and fuse3.
"""
import argparse
import errno
import os
import sys

from fusepy import FUSE, FuseOSError, Operations


class FaultyFS(Operations):
    def __init__(self, backing, direct, fail_flag):
        self.backing = backing
        self.direct = direct
        self.fail_flag = fail_flag
        self.direct_handles = set()

    def _path(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def _check_failing(self):
        if self.fail_flag and os.path.exists(self.fail_flag):
            raise FuseOSError(errno.EIO)

    def _open(self, path, flags, mode=None):
        if flags & os.O_DIRECT and self.direct == "refuse-open":
            raise FuseOSError(errno.EINVAL)
        # The backing file is read with Python's unaligned buffers: never O_DIRECT there.
        backing_flags = flags & ~os.O_DIRECT
        fd = os.open(self._path(path), backing_flags, mode) if mode is not None else os.open(self._path(path), backing_flags)
        if flags & os.O_DIRECT:
            self.direct_handles.add(fd)
        return fd

    def _check_handle(self, fi):
        if fi.fh in self.direct_handles and self.direct == "refuse-io":
            raise FuseOSError(errno.EINVAL)

    # Metadata
    def getattr(self, path, fh=None):
        st = os.lstat(self._path(path))
        keys = ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime", "st_mtime", "st_ctime")
        return {key: getattr(st, key) for key in keys}

    def readdir(self, path, fi):
        return [".", ".."] + os.listdir(self._path(path))

    def mkdir(self, path, mode):
        os.mkdir(self._path(path), mode)

    def chmod(self, path, mode):
        os.chmod(self._path(path), mode)

    def truncate(self, path, length, fh=None):
        os.truncate(self._path(path), length)

    def utimens(self, path, times=None):
        os.utime(self._path(path), times)

    def unlink(self, path):
        os.unlink(self._path(path))

    def rmdir(self, path):
        os.rmdir(self._path(path))

    # Files (raw_fi: fi carries the open flags and the handle)
    def open(self, path, fi):
        fi.fh = self._open(path, fi.flags)
        return 0

    def create(self, path, mode, fi):
        fi.fh = self._open(path, fi.flags | os.O_CREAT, mode)
        return 0

    def read(self, path, size, offset, fi):
        self._check_handle(fi)
        self._check_failing()
        return os.pread(fi.fh, size, offset)

    def write(self, path, data, offset, fi):
        self._check_handle(fi)
        self._check_failing()
        return os.pwrite(fi.fh, data, offset)

    def fsync(self, path, datasync, fi):
        self._check_failing()
        os.fsync(fi.fh)
        return 0

    def flush(self, path, fi):
        return 0

    def release(self, path, fi):
        self.direct_handles.discard(fi.fh)
        os.close(fi.fh)
        return 0


def main():
    parser = argparse.ArgumentParser(description="FUSE pass-through with O_DIRECT refusal and an EIO switch")
    parser.add_argument("backing")
    parser.add_argument("mountpoint")
    parser.add_argument("--direct", choices=["accept", "refuse-open", "refuse-io"], default="accept")
    parser.add_argument("--fail-flag")
    args = parser.parse_args()
    operations = FaultyFS(os.path.abspath(args.backing), args.direct, args.fail_flag)
    FUSE(operations, args.mountpoint, foreground=True, raw_fi=True, nothreads=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

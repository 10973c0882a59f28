"""Which filesystem holds a folder, read from /proc/self/mountinfo (Linux)."""

from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")

# Filesystems whose pages every process of the host shares and no other host writes to. A
# filesystem not listed (nfs, cifs, fuse, ceph...) is treated as one other hosts may share.
LOCAL = frozenset(
    {
        "ext2",
        "ext3",
        "ext4",
        "xfs",
        "btrfs",
        "zfs",
        "f2fs",
        "tmpfs",
        "overlay",
        "vfat",
        "exfat",
        "jfs",
        "reiserfs",
    }
)


def filesystem_type(folder: Path, mountinfo: str | None = None) -> str | None:
    """The type of the filesystem mounted deepest above `folder`, or None when it cannot be told."""
    if mountinfo is None:
        try:
            mountinfo = MOUNTINFO.read_text()
        except OSError:
            return None
    target = folder.resolve()
    best: tuple[int, str] | None = None
    for line in mountinfo.splitlines():
        fields = line.split()
        if "-" not in fields:
            continue
        mount_point = Path(_unescape(fields[4]))
        kind = fields[fields.index("-") + 1]
        if target.is_relative_to(mount_point):
            depth = len(mount_point.parts)
            if best is None or depth >= best[0]:  # a later mount over the same point hides earlier ones
                best = (depth, kind)
    return None if best is None else best[1]


def is_local_filesystem(folder: Path, mountinfo: str | None = None) -> bool:
    """The folder's filesystem is one of `LOCAL`: see there."""
    return filesystem_type(folder, mountinfo) in LOCAL


def _unescape(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash in paths as octal escapes.
    for escaped, plain in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(escaped, plain)
    return field

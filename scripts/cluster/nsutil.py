"""Network-namespace helpers for the test cluster's samplers and probes (Linux only)."""
import ctypes, os, socket, struct

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"setns({path}): {os.strerror(e)}")
    finally:
        os.close(fd)


def socket_in(ns_path, *args):
    """A socket created inside the network namespace at ns_path (it stays bound to it)."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        setns(ns_path)
        return socket.socket(*args)
    finally:
        if _libc.setns(home, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back to the original namespace")
        os.close(home)


RTM_NEWADDR, RTM_GETADDR, NLMSG_DONE, NLMSG_ERROR = 20, 22, 3, 2
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
IFA_ADDRESS, IFA_LOCAL = 1, 2


class AddressWatcher:
    """Dumps the IPv4 addresses of one network namespace over rtnetlink."""

    def __init__(self, ns_path):
        self.sock = socket_in(ns_path, socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.seq = 0

    def addresses(self):
        self.seq += 1
        body = struct.pack("BBBBI", socket.AF_INET, 0, 0, 0, 0)
        hdr = struct.pack("=IHHII", 16 + len(body), RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, self.seq, 0)
        self.sock.send(hdr + body)
        out = set()
        while True:
            data = self.sock.recv(65536)
            off = 0
            while off + 16 <= len(data):
                ln, typ, flags, seq, pid = struct.unpack_from("=IHHII", data, off)
                if ln < 16:
                    return out
                if typ == NLMSG_DONE:
                    return out
                if typ == NLMSG_ERROR:
                    raise OSError("rtnetlink dump error")
                if typ == RTM_NEWADDR and seq == self.seq:
                    a = off + 16 + 8
                    end = off + ln
                    while a + 4 <= end:
                        alen, atyp = struct.unpack_from("=HH", data, a)
                        if alen < 4:
                            break
                        if atyp in (IFA_LOCAL, IFA_ADDRESS) and alen == 8:
                            out.add(socket.inet_ntoa(data[a + 4:a + 8]))
                        a += (alen + 3) & ~3
                off += (ln + 3) & ~3

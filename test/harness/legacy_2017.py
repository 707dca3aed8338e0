#!/usr/bin/python3
"""Legacy torch.save files as PyTorch 0.1–0.3 wrote them under Python 2 (Gatys et al.'s 2017
vgg_conv.pth is one), written opcode by opcode by plain Python — no torch needed to write them:

  magic number, protocol (1001), sys_info — three pickles; then the state dict: an
  collections.OrderedDict built by REDUCE from a list of [name, tensor] lists (Python 2's
  OrderedDict.__reduce__), each tensor torch._utils._rebuild_tensor(storage, offset, size, stride)
  with the storage a persistent id ('storage', torch.DoubleStorage, key, 'cpu', numel, None);
  then the sorted storage keys; then each storage as an int64 element count and its bytes.
  Protocol 2, names as SHORT_BINSTRING, every string/tuple/list/global memoized by BINPUT and
  repeated globals and strings fetched by BINGET, as Python 2's pickler does.

  legacy_2017.py write DIR     writes vgg_conv_2017.pth (conv1_1 in float64, values chosen to
                               round: ties, near-ties, subnormals) and legacy_types_2017.pth (an
                               OrderedDict from a tuple of tuples; Float, Half, Double, Long and Int
                               storages; a 0-dim, an empty and two tensors sharing a storage)
  legacy_2017.py load FILE…    (needs torch) one JSON line per file: {"file", "ok", "weights_only",
                               "tensors": {name: [shape, hex of .float()'s bytes]}}
"""
import json
import random
import struct
import sys

MAGIC = 0x1950A86A20F9469CFC6C


class Pickle:
    """A protocol-2 pickle written by hand, memoizing as Python 2's pickler does."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")
        self.n = 0
        self.memo = {}

    def put(self, key=None):
        i = self.n
        self.n += 1
        self.out += b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i)
        if key is not None:
            self.memo[key] = i

    def get(self, key):
        i = self.memo.get(key)
        if i is None:
            return False
        self.out += b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i)
        return True

    def str(self, s):
        if not self.get(("s", s)):
            b = s.encode()
            self.out += b"U" + bytes([len(b)]) + b
            self.put(("s", s))

    def int(self, n):
        if 0 <= n < 256:
            self.out += b"K" + bytes([n])
        elif 0 <= n < 65536:
            self.out += b"M" + struct.pack("<H", n)
        else:
            self.out += b"J" + struct.pack("<i", n)

    def glob(self, mod, name):
        if not self.get(("g", mod, name)):
            self.out += f"c{mod}\n{name}\n".encode()
            self.put(("g", mod, name))

    def tuple(self, items):
        """items: callables that each write one element."""
        if not items:
            self.out += b")"
            return
        if len(items) > 3:
            self.out += b"("
        for write in items:
            write()
        self.out += b"t" if len(items) > 3 else bytes([0x84 + len(items)])
        self.put()

    def list(self, items):
        self.out += b"]"
        self.put()
        if len(items) == 1:
            items[0]()
            self.out += b"a"
        elif items:
            self.out += b"("
            for write in items:
                write()
            self.out += b"e"

    def done(self):
        return bytes(self.out + b".")


STORAGE = {"Double": ("<d", 8), "Float": ("<f", 4), "Half": ("<e", 2), "Long": ("<q", 8), "Int": ("<i", 4)}


def tensor(p, t):
    """t: dict(kind, key, numel, offset, shape, stride) → _rebuild_tensor(storage, offset, size, stride)."""
    p.glob("torch._utils", "_rebuild_tensor")

    def storage():
        p.tuple([lambda: p.str("storage"), lambda: p.glob("torch", f"{t['kind']}Storage"), lambda: p.str(t["key"]), lambda: p.str("cpu"), lambda: p.int(t["numel"]), lambda: p.out.extend(b"N")])
        p.out += b"Q"

    p.tuple([storage, lambda: p.int(t["offset"]), lambda: p.tuple([(lambda d: lambda: p.int(d))(d) for d in t["shape"]]), lambda: p.tuple([(lambda d: lambda: p.int(d))(d) for d in t["stride"]])])
    p.out += b"R"
    p.put()


def contiguous(shape):
    stride, s = [], 1
    for d in reversed(shape):
        stride.insert(0, s)
        s *= max(d, 1)
    return stride


def legacy_file(entries, storages, pairs="list"):
    """entries: [(name, tensor dict)]; storages: {key: (kind, [values])}. Returns the file's bytes."""
    out = bytearray()
    out += b"\x80\x02\x8a\x0a" + MAGIC.to_bytes(10, "little") + b"."
    out += b"\x80\x02M" + struct.pack("<H", 1001) + b"."
    p = Pickle()  # sys_info: {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {…}}
    p.out += b"}"
    p.put()
    p.out += b"("
    p.str("protocol_version"), p.int(1001), p.str("little_endian"), p.out.extend(b"\x88"), p.str("type_sizes")
    p.out += b"}"
    p.put()
    p.out += b"("
    for k, v in (("short", 2), ("int", 4), ("long", 8)):
        p.str(k), p.int(v)
    p.out += b"uu"
    out += p.done()
    p = Pickle()  # the state dict
    p.glob("collections", "OrderedDict")
    pair = lambda name, t: lambda: (p.list if pairs == "list" else p.tuple)([lambda: p.str(name), lambda: tensor(p, t)])
    (p.list if pairs == "list" else p.tuple)([pair(name, t) for name, t in entries])
    p.out += b"\x85"  # the argument tuple (items,)
    p.put()
    p.out += b"R"
    p.put()
    out += p.done()
    keys = sorted(storages)
    p = Pickle()
    p.list([(lambda k: lambda: p.str(k))(k) for k in keys])
    out += p.done()
    for k in keys:
        kind, values = storages[k]
        fmt, _ = STORAGE[kind]
        out += struct.pack("<q", len(values)) + b"".join(struct.pack(fmt, v) for v in values)
    return bytes(out)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def rounding_values(rng, n):
    """float64 values whose float32 rounding is worth checking: full 52-bit fractions, exact ties
    between two float32 values (to even), one float64 ulp either side of a tie, float32 subnormals."""
    out = []
    for i in range(n):
        x = rng.gauss(0, 0.1)
        a = f32(x)
        b = struct.unpack("<f", struct.pack("<I", struct.unpack("<I", struct.pack("<f", a))[0] + 1))[0]
        tie = (a + b) / 2  # exact in float64
        out.append([x, tie, tie + abs(tie) * 2**-52, tie - abs(tie) * 2**-52, x * 1e-39][i % 5])
    return out


def write(d):
    rng = random.Random(2017)
    w = rounding_values(rng, 64 * 27)
    b = [rng.gauss(0, 1) for _ in range(64)]
    sd = [
        ("conv1_1.weight", dict(kind="Double", key="94171539731456", numel=len(w), offset=0, shape=[64, 3, 3, 3], stride=contiguous([64, 3, 3, 3]))),
        ("conv1_1.bias", dict(kind="Double", key="94171540321824", numel=64, offset=0, shape=[64], stride=[1])),
    ]
    with open(f"{d}/vgg_conv_2017.pth", "wb") as f:
        f.write(legacy_file(sd, {"94171539731456": ("Double", w), "94171540321824": ("Double", b)}))
    # every storage type of those files, and the odd tensors a state dict may hold
    extreme = [1e300, -1e300, 3.4028235677973366e38, 3.4028234663852886e38, 1e-50, -1e-50, 5e-324, -0.0, 1e-40, 1.401298464324817e-45, 7.006492321624085e-46, 2.0 / 3.0]
    wf = [f32(v) for v in rounding_values(rng, 64 * 27)]
    bh = [rng.choice([0.5, -0.25, 1.5, 2.0**-15, 65504.0]) for _ in range(64)]
    shared = [float(i) for i in range(10)]
    sd = [
        ("conv1_1.weight", dict(kind="Float", key="1", numel=len(wf), offset=0, shape=[64, 3, 3, 3], stride=contiguous([64, 3, 3, 3]))),
        ("conv1_1.bias", dict(kind="Half", key="2", numel=64, offset=0, shape=[64], stride=[1])),
        ("extreme", dict(kind="Double", key="3", numel=len(extreme), offset=0, shape=[len(extreme)], stride=[1])),
        ("steps", dict(kind="Long", key="4", numel=1, offset=0, shape=[], stride=[])),
        ("ints", dict(kind="Int", key="5", numel=3, offset=0, shape=[3], stride=[1])),
        ("empty", dict(kind="Double", key="6", numel=0, offset=0, shape=[0], stride=[1])),
        ("shared.a", dict(kind="Float", key="7", numel=10, offset=0, shape=[2, 2], stride=[2, 1])),
        ("shared.b", dict(kind="Float", key="7", numel=10, offset=4, shape=[3, 2], stride=[1, 3])),
    ]
    storages = {"1": ("Float", wf), "2": ("Half", bh), "3": ("Double", extreme), "4": ("Long", [2**40 + 3]), "5": ("Int", [-7, 0, 2**31 - 1]), "6": ("Double", []), "7": ("Float", shared)}
    with open(f"{d}/legacy_types_2017.pth", "wb") as f:
        f.write(legacy_file(sd, storages, pairs="tuple"))


def load(files):
    import torch

    for f in files:
        try:
            sd = torch.load(f, map_location="cpu")
            tensors = {k: [list(v.shape), v.float().contiguous().numpy().tobytes().hex()] for k, v in sd.items()}
            try:
                torch.load(f, map_location="cpu", weights_only=True)
                weights_only = True
            except Exception:  # noqa: BLE001 - a refusal is an answer
                weights_only = False
            print(json.dumps({"file": f, "ok": True, "type": type(sd).__name__, "weights_only": weights_only, "tensors": tensors}))
        except Exception as e:  # noqa: BLE001
            print(json.dumps({"file": f, "ok": False, "error": str(e)}))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        load(sys.argv[2:])

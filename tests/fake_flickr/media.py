"""Deterministic media bytes: baseline JPEG (with EXIF), PNG, GIF, MP4/MOV.

Images are drawn as a grid of flat-coloured 8x8 blocks, so the JPEG encoder
only needs DC coefficients (every AC coefficient is zero: one EOB per block).
Pixel size is the claimed size scaled down to at most RENDER_MAX px on the
long edge; the real dimensions are only claimed by the API (and by the EXIF
PixelX/YDimension of originals).
"""

from __future__ import annotations

import functools
import hashlib
import struct
import zlib

from .account import VIDEO_CONTENT_TYPES

RENDER_MAX = 160

# ----------------------------------------------------------------------------
# Picture: a grid of block colours
# ----------------------------------------------------------------------------


def render_size(width: int, height: int, max_edge: int = RENDER_MAX) -> tuple:
    """Pixel size actually rendered for a claimed width x height."""
    scale = min(1.0, max_edge / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def block_colours(seed: str, bw: int, bh: int) -> list:
    """bh rows of bw (r, g, b) tuples: a gradient sky, a sun and a striped ground."""
    h = hashlib.sha256(seed.encode()).digest()
    top = (h[0], h[1], h[2])
    bottom = (h[3], h[4], h[5])
    sun = (255, 200 + h[6] % 56, h[7] % 120)
    cx, cy = (h[8] % max(bw, 1)), (h[9] % max(bh // 2 + 1, 1))
    radius = 1 + h[10] % max(2, min(bw, bh) // 3 + 1)
    horizon = bh * (50 + h[11] % 30) // 100
    rows = []
    for y in range(bh):
        t = y / max(bh - 1, 1)
        row = []
        for x in range(bw):
            if (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius:
                row.append(sun)
            elif y >= horizon:
                shade = 40 if (x + y) % 2 else 0
                row.append(tuple(max(0, c // 2 - shade) for c in bottom))
            else:
                row.append(tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
        rows.append(row)
    return rows


def pixel_rows(seed: str, width: int, height: int) -> list:
    """height rows of width (r, g, b) pixels, each 8x8 block one colour."""
    blocks = block_colours(seed, (width + 7) // 8, (height + 7) // 8)
    return [[blocks[y // 8][x // 8] for x in range(width)] for y in range(height)]


# ----------------------------------------------------------------------------
# JPEG
# ----------------------------------------------------------------------------

_ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48,
           41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15,
           23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63]
_Q_LUM = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40,
          57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35,
          55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112,
          100, 103, 99]
_Q_CHR = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99,
          99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99] + [99] * 32

# Annex K.3 standard Huffman tables: (bits[1..16], values)
_DC_LUM = ([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], list(range(12)))
_DC_CHR = ([0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], list(range(12)))
_AC_LUM = ([0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 125], bytes.fromhex(
    "01020300041105122131410613516107227114328191a1082342b1c11552d1f0"
    "2433627282090a161718191a25262728292a3435363738393a43444546474849"
    "4a535455565758595a636465666768696a737475767778797a83848586878889"
    "8a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5"
    "c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8"
    "f9fa"))
_AC_CHR = ([0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 119], bytes.fromhex(
    "000102031104052131061241510761711322328108144291a1b1c109233352f0"
    "156272d10a162434e125f11718191a262728292a35363738393a434445464748"
    "494a535455565758595a636465666768696a737475767778797a828384858687"
    "88898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3"
    "c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8"
    "f9fa"))


def _huff_codes(table) -> dict:
    """symbol -> (code, length) for a (bits, values) table."""
    bits, values = table
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[values[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


_DC_CODES = (_huff_codes(_DC_LUM), _huff_codes(_DC_CHR))
_EOB = (_huff_codes(_AC_LUM)[0x00], _huff_codes(_AC_CHR)[0x00])


def _scaled_q(table, quality: int) -> list:
    scale = 5000 // quality if quality < 50 else 200 - quality * 2
    return [min(255, max(1, (q * scale + 50) // 100)) for q in table]


class _BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int):
        self.acc = (self.acc << length) | (value & ((1 << length) - 1))
        self.n += length
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0x00)
        self.acc &= (1 << self.n) - 1

    def flush(self) -> bytes:
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def _dht(tc_th: int, table) -> bytes:
    bits, values = table
    return bytes([tc_th]) + bytes(bits) + bytes(values)


def _ycc(rgb) -> tuple:
    r, g, b = rgb
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return y, cb, cr


def _encode_dc(bw: _BitWriter, diff: int, codes: dict):
    size = abs(diff).bit_length()
    code, length = codes[size]
    bw.write(code, length)
    if size:
        bw.write(diff if diff >= 0 else diff + (1 << size) - 1, size)


def encode_jpeg(blocks: list, width: int, height: int, segments=(), quality: int = 90) -> bytes:
    """Baseline 4:4:4 JPEG of flat 8x8 blocks; `segments` are extra marker segments."""
    q = (_scaled_q(_Q_LUM, quality), _scaled_q(_Q_CHR, quality))
    out = bytearray(b"\xff\xd8")
    for seg in segments:
        out += seg
    out += _segment(0xFFDB, b"\x00" + bytes(q[0][i] for i in _ZIGZAG)
                    + b"\x01" + bytes(q[1][i] for i in _ZIGZAG))
    out += _segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 3)
                    + bytes([1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]))
    out += _segment(0xFFC4, _dht(0x00, _DC_LUM) + _dht(0x10, _AC_LUM)
                    + _dht(0x01, _DC_CHR) + _dht(0x11, _AC_CHR))
    out += _segment(0xFFDA, bytes([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]))
    bw, prev = _BitWriter(), [0, 0, 0]
    for row in blocks:
        for rgb in row:
            for c, value in enumerate(_ycc(rgb)):
                table = 0 if c == 0 else 1
                dc = round(8 * (value - 128) / q[table][0])
                _encode_dc(bw, dc - prev[c], _DC_CODES[table])
                prev[c] = dc
                bw.write(*_EOB[table])
    out += bw.flush()
    out += b"\xff\xd9"
    return bytes(out)


def jfif_segment() -> bytes:
    return _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")


def comment_segment(text: str) -> bytes:
    return _segment(0xFFFE, text.encode("utf-8")[:60000])


def jpeg_image(seed: str, width: int, height: int, segments=()) -> bytes:
    """A JPEG of width x height pixels drawn from `seed`."""
    blocks = block_colours(seed, (width + 7) // 8, (height + 7) // 8)
    return encode_jpeg(blocks, width, height, segments)


# ----------------------------------------------------------------------------
# EXIF (TIFF, little-endian)
# ----------------------------------------------------------------------------

_TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}


def _ascii(tag, text):
    data = text.encode("ascii", "replace") + b"\x00"
    return (tag, 2, len(data), data)


def _short(tag, *values):
    return (tag, 3, len(values), b"".join(struct.pack("<H", v) for v in values))


def _long(tag, value):
    return (tag, 4, 1, struct.pack("<I", value))


def _rational(tag, *pairs):
    return (tag, 5, len(pairs), b"".join(struct.pack("<II", n, d) for n, d in pairs))


def _ifd_size(entries) -> int:
    data = sum(len(e[3]) + (len(e[3]) & 1) for e in entries if len(e[3]) > 4)
    return 2 + 12 * len(entries) + 4 + data


def _build_ifd(entries, offset: int) -> bytes:
    """One IFD at `offset` (from TIFF start), out-of-line values after it."""
    entries = sorted(entries, key=lambda e: e[0])
    head, data = bytearray(struct.pack("<H", len(entries))), bytearray()
    data_at = offset + 2 + 12 * len(entries) + 4
    for tag, typ, count, value in entries:
        if len(value) <= 4:
            head += struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\x00")
        else:
            head += struct.pack("<HHII", tag, typ, count, data_at + len(data))
            data += value + (b"\x00" if len(value) & 1 else b"")
    return bytes(head + b"\x00\x00\x00\x00" + data)


def _to_rational(text: str, default=(1, 1)) -> tuple:
    """'1/125', '5.6', 'f/5.6', '50.0 mm' -> (num, den)."""
    text = (text or "").replace("f/", "").replace("mm", "").strip()
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            return int(float(num)), int(float(den))
        value = float(text)
    except ValueError:
        return default
    return round(value * 100), 100


def _dms(value: float) -> list:
    value = abs(value)
    deg = int(value)
    minutes = int((value - deg) * 60)
    seconds = round(((value - deg) * 60 - minutes) * 60 * 100)
    return [(deg, 1), (minutes, 1), (seconds, 100)]


_ORIENTATION = {0: 1, 90: 6, 180: 3, 270: 8}


def exif_tiff(photo) -> bytes:
    """TIFF structure (IFD0, Exif IFD, optional GPS IFD) for a photo's original."""
    taken = (photo.exif_value("DateTimeOriginal")
             or photo.date_taken.replace("-", ":", 2))[:19]
    ifd0 = [_ascii(0x010F, photo.exif_value("Make") or "Unknown"),
            _ascii(0x0110, photo.exif_value("Model") or "Unknown"),
            _short(0x0112, _ORIENTATION.get(photo.rotation % 360, 1)),
            _rational(0x011A, (72, 1)), _rational(0x011B, (72, 1)), _short(0x0128, 2),
            _ascii(0x0131, "fake_flickr"), _ascii(0x0132, taken)]
    iso = photo.exif_value("ISO") or photo.exif_value("ISOSpeedRatings") or "100"
    exif = [_rational(0x829A, _to_rational(photo.exif_value("ExposureTime") or "1/60")),
            _rational(0x829D, _to_rational(photo.exif_value("FNumber") or "4.0")),
            _short(0x8827, int(float(iso)) if iso.replace(".", "").isdigit() else 100),
            (0x9000, 7, 4, b"0230"), _ascii(0x9003, taken), _ascii(0x9004, taken),
            _rational(0x920A, _to_rational(photo.exif_value("FocalLength") or "50")),
            _long(0xA002, photo.o_width), _long(0xA003, photo.o_height)]
    gps = None
    if photo.geo:
        lat, lon = float(photo.geo["latitude"]), float(photo.geo["longitude"])
        gps = [(0x0000, 1, 4, bytes([2, 3, 0, 0])), _ascii(0x0001, "N" if lat >= 0 else "S"),
               _rational(0x0002, *_dms(lat)), _ascii(0x0003, "E" if lon >= 0 else "W"),
               _rational(0x0004, *_dms(lon))]
    n0 = len(ifd0) + 1 + (1 if gps else 0)
    size0 = _ifd_size(ifd0) + 12 * (n0 - len(ifd0))
    exif_at = 8 + size0
    gps_at = exif_at + _ifd_size(exif)
    ifd0.append(_long(0x8769, exif_at))
    if gps:
        ifd0.append(_long(0x8825, gps_at))
    out = b"II*\x00" + struct.pack("<I", 8) + _build_ifd(ifd0, 8) + _build_ifd(exif, exif_at)
    if gps:
        out += _build_ifd(gps, gps_at)
    return out


def exif_segment(photo) -> bytes:
    return _segment(0xFFE1, b"Exif\x00\x00" + exif_tiff(photo))


# ----------------------------------------------------------------------------
# PNG and GIF
# ----------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_image(seed: str, width: int, height: int, comment: str = "") -> bytes:
    """An 8-bit RGB PNG."""
    rows = pixel_rows(seed, width, height)
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in rows)
    out = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                                                 8, 2, 0, 0, 0))
    if comment:
        out += _png_chunk(b"tEXt", b"Comment\x00" + comment.encode("latin-1", "replace"))
    return out + _png_chunk(b"IDAT", zlib.compress(raw, 9)) + _png_chunk(b"IEND", b"")


def _web_palette() -> bytes:
    levels = [0, 51, 102, 153, 204, 255]
    cols = bytes(c for r in levels for g in levels for b in levels for c in (r, g, b))
    return cols + b"\x00" * (768 - len(cols))


def _palette_index(rgb) -> int:
    r, g, b = (round(c / 51) for c in rgb)
    return r * 36 + g * 6 + b


def _lzw_fixed(indices: bytes, min_code: int = 8) -> bytes:
    """GIF LZW without compression: a clear code often enough that codes stay 9 bits."""
    clear, eoi, width = 1 << min_code, (1 << min_code) + 1, min_code + 1
    run = (1 << min_code) - 3
    acc = nbits = 0
    out = bytearray()

    def put(code):
        nonlocal acc, nbits
        acc |= code << nbits
        nbits += width
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8

    for i in range(0, len(indices), run):
        put(clear)
        for v in indices[i:i + run]:
            put(v)
    put(eoi)
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


def _sub_blocks(data: bytes) -> bytes:
    out = bytearray()
    for i in range(0, len(data), 255):
        chunk = data[i:i + 255]
        out += bytes([len(chunk)]) + chunk
    return bytes(out + b"\x00")


def gif_image(seed: str, width: int, height: int, frames: int = 1, comment: str = "") -> bytes:
    """A GIF89a (web palette); frames > 1 makes a looping animation."""
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0))
    out += _web_palette()
    if frames > 1:
        out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    if comment:
        out += b"\x21\xfe" + _sub_blocks(comment.encode("ascii", "replace"))
    for f in range(frames):
        rows = pixel_rows(f"{seed}/frame{f}", width, height)
        indices = bytes(_palette_index(px) for row in rows for px in row)
        out += b"\x21\xf9\x04\x04" + struct.pack("<H", 50) + b"\x00\x00"
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
        out += b"\x08" + _sub_blocks(_lzw_fixed(indices))
    return bytes(out + b"\x3b")


# ----------------------------------------------------------------------------
# Video
# ----------------------------------------------------------------------------


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


class _RbspWriter:
    """H.264 syntax elements, most significant bit first: u(n), ue(v), se(v), and
    whole bytes once aligned (I_PCM samples)."""

    def __init__(self):
        self.out = bytearray()
        self.bits = []  # not yet a whole byte

    def u(self, value: int, length: int):
        self.bits += [(value >> i) & 1 for i in range(length - 1, -1, -1)]
        while len(self.bits) >= 8:
            self.out.append(int("".join(map(str, self.bits[:8])), 2))
            del self.bits[:8]

    def raw(self, data: bytes):
        assert not self.bits, "raw bytes must start byte-aligned"
        self.out += data

    def ue(self, value: int):
        code = value + 1
        self.u(0, code.bit_length() - 1)
        self.u(code, code.bit_length())

    def se(self, value: int):
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_zero(self):
        self.u(0, -len(self.bits) % 8)

    def trailing(self) -> bytes:
        self.u(1, 1)
        self.align_zero()
        return bytes(self.out)


def _nal(nal_type: int, rbsp: bytes) -> bytes:
    """A NAL unit (nal_ref_idc 3) with emulation prevention bytes."""
    out, zeros = bytearray([0x60 | nal_type]), 0
    for b in rbsp:
        if zeros >= 2 and b <= 3:
            out.append(3)
            zeros = 0
        out.append(b)
        zeros = zeros + 1 if b == 0 else 0
    return bytes(out)


@functools.lru_cache(maxsize=64)
def _h264_picture(seed: str, width: int, height: int) -> tuple:
    """(SPS, PPS, IDR slice) NAL units of one Constrained Baseline picture whose
    macroblocks are all I_PCM (raw samples), so no transform coding is needed.
    Whole macroblocks (16x16) are coded, cropped to width x height (both even)."""
    mbs_w, mbs_h = (width + 15) // 16, (height + 15) // 16
    sps = _RbspWriter()
    sps.u(66, 8)                 # profile_idc: Baseline
    sps.u(0b11000000, 8)         # constraint_set0/1: Constrained Baseline
    sps.u(10, 8)                 # level_idc 1.0
    sps.ue(0)                    # seq_parameter_set_id
    sps.ue(0)                    # log2_max_frame_num_minus4
    sps.ue(2)                    # pic_order_cnt_type
    sps.ue(0)                    # max_num_ref_frames
    sps.u(0, 1)                  # gaps_in_frame_num_value_allowed_flag
    sps.ue(mbs_w - 1)
    sps.ue(mbs_h - 1)
    sps.u(0b111, 3)              # frame_mbs_only, direct_8x8_inference, frame_cropping
    sps.ue(0)
    sps.ue((mbs_w * 16 - width) // 2)   # left, right (in 4:2:0 chroma samples)
    sps.ue(0)
    sps.ue((mbs_h * 16 - height) // 2)  # top, bottom
    sps.u(0, 1)                  # vui_parameters_present_flag
    pps = _RbspWriter()
    pps.ue(0)                    # pic_parameter_set_id
    pps.ue(0)                    # seq_parameter_set_id
    pps.u(0, 2)                  # CAVLC, no bottom_field_pic_order_in_frame_present
    pps.ue(0)                    # num_slice_groups_minus1
    pps.ue(0)
    pps.ue(0)                    # num_ref_idx_l0/l1_default_active_minus1
    pps.u(0, 3)                  # weighted_pred_flag, weighted_bipred_idc
    pps.se(0)
    pps.se(0)
    pps.se(0)                    # pic_init_qp/qs_minus26, chroma_qp_index_offset
    pps.u(0, 3)                  # deblocking control, constrained intra, redundant_pic_cnt
    rows = pixel_rows(seed, mbs_w * 16, mbs_h * 16)
    ycc = [[[min(255, max(0, round(c))) for c in _ycc(px)] for px in row] for row in rows]
    idr = _RbspWriter()
    idr.ue(0)                    # first_mb_in_slice
    idr.ue(7)                    # slice_type: I (every slice of the picture)
    idr.ue(0)                    # pic_parameter_set_id
    idr.u(0, 4)                  # frame_num
    idr.ue(0)                    # idr_pic_id
    idr.u(0, 2)                  # no_output_of_prior_pics_flag, long_term_reference_flag
    idr.se(0)                    # slice_qp_delta
    for my in range(mbs_h):
        for mx in range(mbs_w):
            idr.ue(25)           # mb_type: I_PCM
            idr.align_zero()
            for plane, step in ((0, 1), (1, 2), (2, 2)):
                idr.raw(bytes(ycc[y][x][plane] for y in range(my * 16, my * 16 + 16, step)
                              for x in range(mx * 16, mx * 16 + 16, step)))
    return _nal(7, sps.trailing()), _nal(8, pps.trailing()), _nal(5, idr.trailing())


def _full_box(kind: bytes, version_flags: int, payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", version_flags) + payload)


_UNITY_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _video_moov(sps: bytes, pps: bytes, size: tuple, sample_size: int, sample_offset: int,
                duration_ms: int) -> bytes:
    """The `moov` of one H.264 track holding one sample (a picture shown for duration_ms)."""
    w, h = size
    mvhd = _full_box(b"mvhd", 0, struct.pack(">IIII", 0, 0, 1000, duration_ms) +
                     struct.pack(">IH10x", 0x10000, 0x100) + _UNITY_MATRIX + bytes(24) +
                     struct.pack(">I", 2))
    tkhd = _full_box(b"tkhd", 3, struct.pack(">III4xI8xhhH2x", 0, 0, 1, duration_ms,
                                             0, 0, 0) + _UNITY_MATRIX +
                     struct.pack(">II", w << 16, h << 16))
    mdhd = _full_box(b"mdhd", 0, struct.pack(">IIIIHH", 0, 0, 1000, duration_ms, 0x55C4, 0))
    hdlr = _full_box(b"hdlr", 0, struct.pack(">I4s12x", 0, b"vide") + b"fake_flickr\0")
    avcc = _box(b"avcC", bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1]) +
                struct.pack(">H", len(sps)) + sps + b"\x01" + struct.pack(">H", len(pps)) + pps)
    avc1 = _box(b"avc1", bytes(6) + struct.pack(">H16xHHIIIH32sHh", 1, w, h, 0x480000,
                                                 0x480000, 0, 1, b"", 0x18, -1) + avcc)
    stbl = _box(b"stbl", b"".join([
        _full_box(b"stsd", 0, struct.pack(">I", 1) + avc1),
        _full_box(b"stts", 0, struct.pack(">III", 1, 1, duration_ms)),
        _full_box(b"stss", 0, struct.pack(">II", 1, 1)),
        _full_box(b"stsc", 0, struct.pack(">IIII", 1, 1, 1, 1)),
        _full_box(b"stsz", 0, struct.pack(">III", 0, 1, sample_size)),
        _full_box(b"stco", 0, struct.pack(">II", 1, sample_offset))]))
    dinf = _box(b"dinf", _full_box(b"dref", 0, struct.pack(">I", 1) + _full_box(b"url ", 1, b"")))
    minf = _box(b"minf", _full_box(b"vmhd", 1, bytes(8)) + dinf + stbl)
    trak = _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + minf))
    return _box(b"moov", mvhd + trak)


def video_bytes(photo_id: str, stream: str, container: str = "mp4", size: int = 0,
                duration: int = 10, dims: tuple = (64, 48)) -> bytes:
    """A playable video: `ftyp` (isom, or `qt  ` for mov), a `free` box of about `size`
    bytes of deterministic filler (different for each stream), then `moov` and an
    `mdat` holding one H.264 picture (dims: width, height) shown for `duration` s."""
    if container == "mov":
        ftyp = _box(b"ftyp", b"qt  " + struct.pack(">I", 0x200) + b"qt  ")
    else:
        ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41")
    size = size or 3000 + (zlib.crc32(stream.encode()) % 5000)
    seed = hashlib.sha256(f"{photo_id}/{stream}".encode()).digest()
    filler = bytearray()
    counter = 0
    while len(filler) < size:
        filler += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    free = _box(b"free", b"fake_flickr " + stream.encode() + bytes(filler[:size]))
    dims = tuple(n + n % 2 for n in dims)  # 4:2:0 crops in steps of 2
    sps, pps, idr = _h264_picture(f"video/{photo_id}", *dims)
    sample = struct.pack(">I", len(idr)) + idr
    head = ftyp + free
    moov_size = len(_video_moov(sps, pps, dims, len(sample), 0, duration * 1000))
    moov = _video_moov(sps, pps, dims, len(sample), len(head) + moov_size + 8, duration * 1000)
    return head + moov + _box(b"mdat", sample)


# ----------------------------------------------------------------------------
# Per-photo files
# ----------------------------------------------------------------------------

CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
                 "gif": "image/gif"}


def photo_file(photo, label: str) -> tuple:
    """(bytes, content type) of a photo's size `label` (Original keeps its format/EXIF)."""
    width, height = render_size(*photo.dims(label))
    seed = f"photo/{photo.id}"
    note = f"fake_flickr photo {photo.id} {label} {'x'.join(map(str, photo.dims(label)))}"
    if label == "Original" and photo.frame_format == "png":
        return png_image(seed, width, height, note), "image/png"
    if label == "Original" and photo.frame_format == "gif":
        return gif_image(seed, width, height, frames=2, comment=note), "image/gif"
    segments = [exif_segment(photo)] if label == "Original" else [jfif_segment()]
    segments.append(comment_segment(note))
    return jpeg_image(seed, width, height, segments), "image/jpeg"


def buddy_icon(nsid: str, iconserver: str = "") -> bytes:
    """48x48 JPEG buddy icon for a user; a new iconserver (a new upload) draws a new one."""
    seed = f"icon/{nsid}" + (f"/{iconserver}" if iconserver else "")
    segments = [jfif_segment(), comment_segment(f"buddyicon {nsid} {iconserver}".rstrip())]
    return jpeg_image(seed, 48, 48, segments)


def default_buddy_icon() -> bytes:
    """Flickr's grey default icon (a GIF)."""
    return gif_image("default-buddyicon", 48, 48)


def video_file(photo, stream: str) -> tuple:
    """(bytes, content type) for a video stream; "orig" uses the original container."""
    dims = render_size(photo.o_width, photo.o_height)
    if stream == "orig":
        container = photo.original_format
        ctype = VIDEO_CONTENT_TYPES.get(container, "video/mp4")
        return video_bytes(photo.id, "orig", container, 6000 + photo.video_duration * 10,
                           photo.video_duration, dims), ctype
    return video_bytes(photo.id, stream, duration=photo.video_duration, dims=dims), "video/mp4"


def is_valid_jpeg_structure(data: bytes) -> list:
    """Marker names in order (SOI, APP0, APP1, DQT, SOF0, DHT, SOS, EOI) for tests."""
    names = {0xD8: "SOI", 0xE0: "APP0", 0xE1: "APP1", 0xFE: "COM", 0xDB: "DQT",
             0xC0: "SOF0", 0xC4: "DHT", 0xDA: "SOS", 0xD9: "EOI"}
    if data[:2] != b"\xff\xd8":
        return []
    found, i = ["SOI"], 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return found + ["?"]
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        found.append(names.get(marker, hex(marker)))
        i += 2 + length
        if marker == 0xDA:
            end = data.find(b"\xff\xd9", i)
            # entropy data must have every 0xFF stuffed with 0x00
            seg = data[i:end]
            if any(seg[k] == 0xFF and seg[k + 1] != 0x00 for k in range(len(seg) - 1)):
                return found + ["?"]
            if end == len(data) - 2:
                found.append("EOI")
            return found
    return found


__all__ = ["photo_file", "video_file", "buddy_icon", "default_buddy_icon", "jpeg_image",
           "png_image", "gif_image", "video_bytes", "exif_tiff", "render_size",
           "is_valid_jpeg_structure", "CONTENT_TYPES"]

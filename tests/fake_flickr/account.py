"""Data model of a fake Flickr account, the bundled sample account and a generator.

Everything is deterministic: no clock, and randomness only from seeded
random.Random instances.
"""

from __future__ import annotations

import calendar
import hashlib
import random
import re
import time
import zlib
from dataclasses import dataclass, field
from typing import Optional

# ----------------------------------------------------------------------------
# Size table (README §4.8 and §5)
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SizeSpec:
    label: str        # getSizes label
    suffix: str       # file-name suffix ("" for Medium)
    extra: str        # url_<extra> in extras, and sizes/<extra>/ page
    edge: int         # longest edge; 0 for Original
    square: bool = False
    secret: str = "base"  # which secret the file uses: base, h, k, o


SIZE_SPECS = [
    SizeSpec("Square", "s", "sq", 75, square=True),
    SizeSpec("Large Square", "q", "q", 150, square=True),
    SizeSpec("Thumbnail", "t", "t", 100),
    SizeSpec("Small", "m", "s", 240),
    SizeSpec("Small 320", "n", "n", 320),
    SizeSpec("Small 400", "w", "w", 400),
    SizeSpec("Medium", "", "m", 500),
    SizeSpec("Medium 640", "z", "z", 640),
    SizeSpec("Medium 800", "c", "c", 800),
    SizeSpec("Large", "b", "l", 1024),
    SizeSpec("Large 1600", "h", "h", 1600, secret="h"),
    SizeSpec("Large 2048", "k", "k", 2048, secret="k"),
    SizeSpec("X-Large 3K", "3k", "3k", 3072, secret="k"),
    SizeSpec("X-Large 4K", "4k", "4k", 4096, secret="k"),
    SizeSpec("X-Large 5K", "5k", "5k", 5120, secret="k"),
    SizeSpec("X-Large 6K", "6k", "6k", 6144, secret="k"),
    SizeSpec("Original", "o", "o", 0, secret="o"),
]
SIZE_BY_LABEL = {s.label: s for s in SIZE_SPECS}
SIZE_BY_EXTRA = {s.extra: s for s in SIZE_SPECS}
SIZE_BY_SUFFIX = {s.suffix: s for s in SIZE_SPECS}
_LABEL_INDEX = {s.label: i for i, s in enumerate(SIZE_SPECS)}

# getSizes labels for the classic video stream names; other stream types
# (700, iphone_wifi, 1080p, ...) are listed under their own name.
VIDEO_STREAM_LABELS = {"site": "Site MP4", "mobile": "Mobile MP4", "hd": "HD MP4",
                       "orig": "Video Original"}
VIDEO_STREAM_DIMS = {"site": (640, 360), "mobile": (480, 360), "hd": (1280, 720),
                     "288p": (512, 288), "360p": (640, 360), "720p": (1280, 720),
                     "1080p": (1920, 1080)}
VIDEO_CONTENT_TYPES = {"mov": "video/quicktime", "mp4": "video/mp4", "m4v": "video/x-m4v",
                       "avi": "video/x-msvideo", "3gp": "video/3gpp"}

# ----------------------------------------------------------------------------
# Tags
# ----------------------------------------------------------------------------

_MACHINE_TAG = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:[A-Za-z_][A-Za-z0-9_]*=.+$")


def is_machine_tag(raw: str) -> bool:
    """True for namespace:predicate=value tags."""
    return bool(_MACHINE_TAG.match(raw))


def normalize_tag(raw: str) -> str:
    """Flickr's normalised tag: lowercase, only letters, digits, ':' and '='."""
    return "".join(c for c in raw.lower() if c.isalnum() or c in ":=")


def _hex(seed: str, n: int = 10) -> str:
    return hashlib.md5(seed.encode()).hexdigest()[:n]


# ----------------------------------------------------------------------------
# Data classes
# ----------------------------------------------------------------------------


@dataclass
class User:
    nsid: str
    username: str
    realname: str = ""
    path_alias: Optional[str] = None
    iconserver: str = "0"
    iconfarm: int = 0
    location: str = ""
    is_deleted: bool = False


@dataclass(slots=True)
class Comment:
    id: str
    author: str
    date: int
    text: str


@dataclass(slots=True)
class Fave:
    nsid: str
    date: int


@dataclass
class Note:
    id: str
    author: str
    text: str
    x: int
    y: int
    w: int
    h: int


@dataclass
class PersonTag:
    nsid: str
    added_by: str
    x: Optional[int] = None
    y: Optional[int] = None
    w: Optional[int] = None
    h: Optional[int] = None


CAMERAS = [
    ("Canon", "Canon EOS 5D Mark III", "1/125", "5.6", "200", "50.0 mm"),
    ("NIKON CORPORATION", "NIKON D750", "1/250", "8.0", "100", "35.0 mm"),
    ("Apple", "iPhone 12", "1/120", "1.6", "32", "4.2 mm"),
    ("FUJIFILM", "X-T3", "1/500", "4.0", "160", "23.0 mm"),
    ("SONY", "ILCE-7M3", "1/60", "2.8", "800", "85.0 mm"),
    ("Panasonic", "DMC-GX80", "1/320", "5.0", "200", "14.0 mm"),
    ("OLYMPUS IMAGING CORP.", "E-M10", "1/30", "3.5", "1600", "17.0 mm"),
    ("Google", "Pixel 6", "1/100", "1.9", "64", "6.8 mm"),
]


def _exposure_clean(raw: str) -> str:
    num, den = raw.split("/")
    return f"{int(num) / int(den):.3g} sec ({raw})"


def camera_exif(index: int, date_taken: Optional[str] = None) -> list:
    """Flickr-style getExif entries for camera preset `index`."""
    make, model, expo, fnum, iso, focal = CAMERAS[index % len(CAMERAS)]
    out = [
        {"tagspace": "IFD0", "tagspaceid": 0, "tag": "Make", "label": "Make", "raw": make},
        {"tagspace": "IFD0", "tagspaceid": 0, "tag": "Model", "label": "Model", "raw": model},
        {"tagspace": "ExifIFD", "tagspaceid": 0, "tag": "ExposureTime", "label": "Exposure",
         "raw": expo, "clean": _exposure_clean(expo)},
        {"tagspace": "ExifIFD", "tagspaceid": 0, "tag": "FNumber", "label": "Aperture",
         "raw": fnum, "clean": f"f/{fnum}"},
        {"tagspace": "ExifIFD", "tagspaceid": 0, "tag": "ISO", "label": "ISO Speed",
         "raw": iso},
    ]
    if date_taken:
        out.append({"tagspace": "ExifIFD", "tagspaceid": 0, "tag": "DateTimeOriginal",
                    "label": "Date and Time (Original)",
                    "raw": date_taken.replace("-", ":", 2)})
    out.append({"tagspace": "ExifIFD", "tagspaceid": 0, "tag": "FocalLength",
                "label": "Focal Length", "raw": focal,
                "clean": focal.replace(".0 mm", " mm")})
    return out


@dataclass(slots=True)
class Photo:
    id: str
    owner: str
    secret: str
    server: str
    farm: int
    title: str
    description: str
    date_upload: int
    date_taken: str
    taken_granularity: int = 0
    taken_unknown: bool = False
    last_update: int = 0
    license: int = 0
    views: int = 0
    media: str = "photo"
    original_format: str = "jpg"
    ispublic: int = 1
    isfriend: int = 0
    isfamily: int = 0
    safety_level: int = 0
    content_type: int = 0  # 0 photo, 1 screenshot, 2 art/illustration, 3 virtual photography
    rotation: int = 0
    tags: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    people: list = field(default_factory=list)
    geo: Optional[dict] = None
    comments: list = field(default_factory=list)
    faves: list = field(default_factory=list)
    exif: Optional[list] = None
    exif_hidden: bool = False
    original_available: bool = True
    max_size_label: Optional[str] = None
    sizes: Optional[list] = None
    o_width: int = 0
    o_height: int = 0
    original_secret: str = ""
    secret_h: str = ""
    secret_k: str = ""
    video_original_available: bool = True
    video_streams: list = field(default_factory=lambda: ["700", "iphone_wifi", "1080p"])
    video_streams_in_sizes: bool = True
    video_fetchable: bool = True
    video_duration: int = 12

    def __post_init__(self):
        if not self.last_update:
            self.last_update = self.date_upload
        if not self.o_width or not self.o_height:
            self.o_width, self.o_height = (1280, 720) if self.media == "video" else (2048, 1536)
        if not self.original_secret:
            self.original_secret = _hex(self.id + "/o")
        if not self.secret_h:
            self.secret_h = _hex(self.id + "/h")
        if not self.secret_k:
            self.secret_k = _hex(self.id + "/k")
        if self.exif is None:
            self.exif = camera_exif(zlib.crc32(self.id.encode()), self.date_taken)

    # -- derived values ----------------------------------------------------
    @property
    def is_video(self) -> bool:
        return self.media == "video"

    @property
    def normalized_tags(self) -> list:
        return [normalize_tag(t) for t in self.tags]

    @property
    def machine_tags(self) -> list:
        return [normalize_tag(t) for t in self.tags if is_machine_tag(t)]

    @property
    def frame_format(self) -> str:
        """Format of the Original *image* file (videos: a JPEG frame)."""
        return "jpg" if self.is_video else self.original_format

    def size_labels(self) -> list:
        """Photo size labels offered, smallest first (Original last if offered)."""
        if self.sizes is not None:
            wanted = set(self.sizes)
            labels = [s.label for s in SIZE_SPECS if s.label in wanted]
        else:
            cap = self.max_size_label or ("Large 2048" if self.original_available else "Large")
            cap_i = _LABEL_INDEX[cap]
            longest = max(self.o_width, self.o_height)
            labels = [s.label for i, s in enumerate(SIZE_SPECS)
                      if s.edge and i <= cap_i and (s.square or s.edge <= longest)]
            labels.append("Original")
        if not self.original_available and "Original" in labels:
            labels.remove("Original")
        return labels

    def dims(self, label: str) -> tuple:
        """(width, height) claimed for a size label."""
        spec = SIZE_BY_LABEL[label]
        if spec.square:
            return spec.edge, spec.edge
        if not spec.edge:
            return self.o_width, self.o_height
        longest = max(self.o_width, self.o_height)
        scale = spec.edge / longest
        return max(1, round(self.o_width * scale)), max(1, round(self.o_height * scale))

    def secret_for(self, label: str) -> str:
        kind = SIZE_BY_LABEL[label].secret
        return {"base": self.secret, "h": self.secret_h, "k": self.secret_k,
                "o": self.original_secret}[kind]

    def file_name(self, label: str) -> str:
        """`{id}_{secret}[_{suffix}].{ext}` of a size's file."""
        spec = SIZE_BY_LABEL[label]
        ext = self.frame_format if label == "Original" else "jpg"
        suffix = f"_{spec.suffix}" if spec.suffix else ""
        return f"{self.id}_{self.secret_for(label)}{suffix}.{ext}"

    def exif_value(self, tag: str) -> Optional[str]:
        for e in self.exif or []:
            if e.get("tag") == tag:
                return str(e.get("raw"))
        return None

    def video_secret(self, stream: str) -> str:
        return self.original_secret if stream == "orig" else self.secret

    def video_stream_names(self) -> list:
        """Stream types served for a video ("orig" last when available)."""
        names = list(self.video_streams)
        if self.video_original_available and "orig" not in names:
            names.append("orig")
        if not self.video_original_available and "orig" in names:
            names.remove("orig")
        return names


@dataclass
class Album:
    id: str
    title: str
    description: str
    photo_ids: list
    primary: Optional[str] = None
    date_create: int = 1262304000
    date_update: int = 0
    count_views: int = 0
    count_comments: int = 0

    def __post_init__(self):
        if self.primary is None and self.photo_ids:
            self.primary = self.photo_ids[0]
        if not self.date_update:
            self.date_update = self.date_create


@dataclass
class Collection:
    """A collection: albums or sub-collections (never both, as on Flickr), in order."""
    id: str                      # "<owner's numeric part>-<collection id>", as getTree gives it
    title: str
    description: str = ""
    album_ids: list = field(default_factory=list)
    children: list = field(default_factory=list)   # Collection


@dataclass
class Gallery:
    """A gallery the account curates: other people's photos, each with an optional comment."""
    id: str                      # "<owner's numeric part>-<gallery id>"
    title: str
    description: str = ""
    photos: list = field(default_factory=list)     # (photo id, curator's comment or "")
    date_create: int = 1262304000
    date_update: int = 0
    count_views: int = 0
    count_comments: int = 0


@dataclass
class Group:
    """A group the account belongs to; pool_ids are the account's own items in its pool."""
    nsid: str
    name: str
    description: str = ""
    members: int = 1
    others_in_pool: int = 0      # pool items by other members (counted, never listed here)
    pool_ids: list = field(default_factory=list)
    iconserver: str = "0"
    iconfarm: int = 0
    admin: int = 0
    privacy: int = 3             # 1 private, 2 invite-only public, 3 public


@dataclass
class Contact:
    nsid: str
    friend: int = 0
    family: int = 0


@dataclass
class Profile:
    """What flickr.profile.getProfile adds to people.getInfo."""
    join_date: int = 0
    first_name: str = ""
    last_name: str = ""
    occupation: str = ""
    hometown: str = ""
    city: str = ""
    country: str = ""
    website: str = ""
    profile_description: str = ""
    description: str = ""        # people.getInfo's description


@dataclass
class Account:
    owner: User
    users: dict = field(default_factory=dict)
    photos: list = field(default_factory=list)
    favorites: list = field(default_factory=list)
    albums: list = field(default_factory=list)
    # photos that exist on Flickr but are neither the owner's nor favorites
    # (an unfavorited photo goes here): getInfo still finds them
    elsewhere: list = field(default_factory=list)
    api_key: str = "9f2c1b7e4a6d8c0e3f5a7b9d1c3e5f70"
    api_secret: str = "5d8e2a4c6b1f9e07"
    oauth_token: str = "72157720000000001-3c7a1e9b5d2f8a46"
    oauth_token_secret: str = "b4e6a8c0d2f41357"
    special: dict = field(default_factory=dict)
    version: int = 0
    profile: Profile = field(default_factory=Profile)
    collections: list = field(default_factory=list)   # the root Collections, in order
    galleries: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    contacts: list = field(default_factory=list)

    def __post_init__(self):
        self.users.setdefault(self.owner.nsid, self.owner)
        self._index = None
        self._index_key = None

    def __getattr__(self, name):
        # account.many_faves etc. -> the special photo id
        special = self.__dict__.get("special") or {}
        if name in special:
            return special[name]
        raise AttributeError(name)

    # -- mutation helpers --------------------------------------------------
    def touch(self):
        """Call after changing photos/favorites in place (drops caches)."""
        self.version += 1

    def add_user(self, user_or_nsid, username: str = "", **kw) -> User:
        """Add (or replace) a user; accepts a User or the User fields."""
        user = user_or_nsid if isinstance(user_or_nsid, User) else \
            User(user_or_nsid, username or user_or_nsid, **kw)
        self.users[user.nsid] = user
        return user

    def add_photo(self, photo: Photo) -> Photo:
        self.photos.append(photo)
        self.touch()
        return photo

    def add_favorite(self, photo: Photo, date_faved: int) -> Photo:
        self.favorites.append((photo, date_faved))
        self.touch()
        return photo

    # -- what happens on Flickr between two syncs ----------------------------
    def edit(self, photo_id, when: int, **fields) -> Photo:
        """Change a photo's fields (title, description, tags, ...), as its owner would."""
        photo = self.photo(photo_id)
        for name, value in fields.items():
            setattr(photo, name, value)
        photo.last_update = max(photo.last_update + 1, when)
        self.touch()
        return photo

    def add_comment(self, photo_id, author: str, text: str, when: int) -> Comment:
        photo = self.photo(photo_id)
        comment = Comment(f"{photo.id}-c{len(photo.comments) + 1000}", author, when, text)
        photo.comments.append(comment)
        photo.last_update = max(photo.last_update + 1, when)
        self.touch()
        return comment

    def remove_comment(self, photo_id, comment_id: str, when: int) -> None:
        photo = self.photo(photo_id)
        photo.comments = [c for c in photo.comments if c.id != comment_id]
        photo.last_update = max(photo.last_update + 1, when)
        self.touch()

    def add_fave(self, photo_id, nsid: str, when: int) -> None:
        """Someone faves the photo (Flickr's lastupdate does not move for faves)."""
        self.photo(photo_id).faves.insert(0, Fave(nsid, when))
        self.touch()

    def remove_fave(self, photo_id, nsid: str) -> None:
        photo = self.photo(photo_id)
        photo.faves = [f for f in photo.faves if f.nsid != nsid]
        self.touch()

    def delete_photo(self, photo_id) -> None:
        """The photo is gone from Flickr: getInfo answers 'not found'."""
        pid = str(photo_id)
        self.photos = [p for p in self.photos if p.id != pid]
        self.favorites = [(p, d) for p, d in self.favorites if p.id != pid]
        self.elsewhere = [p for p in self.elsewhere if p.id != pid]
        for album in self.albums:
            if pid in album.photo_ids:
                album.photo_ids.remove(pid)
        self.touch()

    def unfavorite(self, photo_id) -> None:
        """The owner takes back a favorite; the photo itself stays on Flickr."""
        photo = self.photo(photo_id)
        self.favorites = [(p, d) for p, d in self.favorites if p.id != photo.id]
        self.elsewhere.append(photo)
        self.touch()

    def add_to_album(self, album_id, photo_id, when: int) -> None:
        album = self.album(album_id)
        album.photo_ids.append(str(photo_id))
        album.date_update = max(album.date_update + 1, when)
        self.touch()

    # -- lookups -----------------------------------------------------------
    def _ensure_index(self):
        key = (self.version, len(self.photos), len(self.favorites))
        if self._index_key != key:
            idx = {p.id: p for p in self.elsewhere}
            idx.update((p.id, p) for p, _ in self.favorites)
            idx.update((p.id, p) for p in self.photos)
            self._fave_dates = {p.id: d for p, d in self.favorites}
            self._own_ids = {p.id for p in self.photos}
            self._index, self._index_key = idx, key

    def photo(self, photo_id) -> Optional[Photo]:
        """An own or favorited photo by id, or None."""
        self._ensure_index()
        return self._index.get(str(photo_id))

    def is_own(self, photo: Photo) -> bool:
        self._ensure_index()
        return photo.id in self._own_ids

    def fave_date(self, photo_id) -> Optional[int]:
        """When the owner favorited `photo_id`, or None."""
        self._ensure_index()
        return self._fave_dates.get(str(photo_id))

    def user(self, nsid: str) -> Optional[User]:
        return self.users.get(nsid)

    def album(self, album_id) -> Optional[Album]:
        return next((a for a in self.albums if a.id == str(album_id)), None)


# ----------------------------------------------------------------------------
# Name material
# ----------------------------------------------------------------------------

FIRST_NAMES = """Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya
Noah Oliver George Arthur Leo Harry Oscar Archie Henry Theodore Jack Charlie Thomas
Jacob Alfie Finley Hiroshi Yuki Sakura Kenji Aiko Mateusz Zofia Jakub Katarzyna
Agnieszka Piotr Ana Lucía Javier Carmen Pablo Sofía Aarav Priya Rohan Ananya Vikram
Chloé Léa Hugo Louis Camille Lukas Hannah Jonas Emma Felix Amara Kwame Chidi Ngozi
Fatima Omar Layla Yusuf Siobhan Niamh Ciarán Aoife Björn Ingrid Sven Astrid""".split()
LAST_NAMES = """Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright
Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis
James Phillips Mason Mitchell Rose Davis Rodriguez Cox Alexander Tanaka Suzuki Sato
Kowalski Nowak Wiśniewska García Fernández López Martínez Sharma Gupta Singh Dubois
Lefèvre Moreau Müller Schmidt Fischer Okafor Mensah Adeyemi Haddad Rahman O'Brien
Murphy Kelly Byrne Lindqvist Johansson Nilsson Ó Súilleabháin""".split()


def _ascii_slug(text: str) -> str:
    table = str.maketrans("áàâäãåéèêëíìîïóòôöõúùûüñçśźżłńćęąő",
                          "aaaaaaeeeeiiiiooooouuuuncszzlnceao")
    return re.sub(r"[^a-z0-9]", "", text.lower().translate(table))


def _make_users(rng: random.Random, n: int, taken: set) -> list:
    """n distinct users with realistic names; ~10% have the default icon."""
    users = []
    while len(users) < n:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        nsid = f"{rng.randint(10_000_000, 199_999_999)}@N0{rng.randint(0, 8)}"
        style = rng.randrange(4)
        base = _ascii_slug(first) + ("." if style == 0 else "") + _ascii_slug(last)
        username = [base, f"{_ascii_slug(first)}{rng.randint(60, 99)}",
                    f"{first} {last}", f"{_ascii_slug(last)}_photos"][style]
        if nsid in taken or username in taken:
            continue
        taken.update((nsid, username))
        default_icon = rng.random() < 0.1
        users.append(User(
            nsid=nsid, username=username,
            realname="" if rng.random() < 0.08 else f"{first} {last}",
            path_alias=base if rng.random() < 0.5 else None,
            iconserver="0" if default_icon else str(rng.randint(1, 65535)),
            iconfarm=0 if default_icon else rng.randint(1, 66),
            location=rng.choice(["", "", "London, UK", "Kraków, Poland", "Osaka, Japan",
                                 "Toronto, Canada", "Bristol, England", "Dublin, Ireland"]),
        ))
    return users


def _place_id(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:16]


def make_geo(lat: float, lon: float, accuracy: int = 16, neighbourhood=None, locality=None,
             county=None, region=None, country=None, context: int = 0) -> dict:
    """A geo dict; place_id/woeid come from the most specific place name."""
    names = [n for n in (neighbourhood, locality, county, region, country) if n]
    top = names[0] if names else f"{lat},{lon}"
    return {"latitude": lat, "longitude": lon, "accuracy": accuracy, "context": context,
            "place_id": _place_id(top), "woeid": str(zlib.crc32(top.encode()) % 30_000_000),
            "neighbourhood": neighbourhood, "locality": locality, "county": county,
            "region": region, "country": country}


def place_ids(name: str) -> tuple:
    """(place_id, woeid) for a place name, as make_geo derives them."""
    return _place_id(name), str(zlib.crc32(name.encode()) % 30_000_000)


# ----------------------------------------------------------------------------
# The bundled sample account
# ----------------------------------------------------------------------------

OWNER = User(nsid="48600090482@N01", username="maggie.hughes", realname="Margaret Hughes",
             path_alias="maggiehughes", iconserver="7372", iconfarm=8,
             location="Bristol, England")

FAMILY = [
    User("61728349@N02", "tom_hughes", "Tom Hughes", "tomhughes", "4521", 5, "Bristol, England"),
    User("35571982@N05", "ellabella", "Ella Hughes", None, "0", 0, ""),
    User("12846301@N03", "dziadek.jan", "Jan Kowalski", "jankowalski", "3310", 4,
         "Kraków, Poland"),
    User("90217744@N00", "Sarah Hughes-Patel", "Sarah Hughes-Patel", None, "65535", 66, "Leeds"),
    User("27730155@N07", "kenji_t", "Kenji Tanaka", "kenjitanaka", "8120", 9, "Osaka, Japan"),
]
DELETED_USER = User("51150032@N04", "old_friend_2008", "Deleted User", None, "0", 0, "",
                    is_deleted=True)

_DAY = 86400

_SAMPLE_PHOTOS = [
    # key, title, date_taken, tags, extra
    (None, "Sunday lunch at Gran's", "2009-04-12 13:05:11", ["family", "gran", "lunch"], {}),
    ("public", "Bluebells in Leigh Woods", "2009-05-03 10:22:40",
     ["bluebells", "Leigh Woods", "spring", "flowers"], {}),
    ("many_faves", "Sunset over Clevedon Pier", "2010-08-21 20:41:02",
     ["sunset", "Clevedon", "pier", "seaside", "golden hour"], {"views": 48213, "license": 4}),
    ("geo", "Clifton Suspension Bridge at dusk", "2010-10-02 18:15:33",
     ["bridge", "Bristol", "Clifton"],
     {"geo": make_geo(51.454513, -2.627914, 16, "Clifton", "Bristol", "City of Bristol",
                      "England", "United Kingdom")}),
    ("family", "Christmas morning 2011", "2011-12-25 08:30:00", ["christmas", "family"],
     {"ispublic": 0, "isfamily": 1}),
    ("friends", "Garden party", "2012-06-16 15:45:12", ["garden", "party", "friends"],
     {"ispublic": 0, "isfriend": 1}),
    ("friends_family", "Ella's christening", "2013-03-10 11:00:05",
     ["christening", "Ella", "church"], {"ispublic": 0, "isfriend": 1, "isfamily": 1}),
    ("private", "Hospital — new baby Ella", "2012-11-30 04:12:44", ["ella", "baby"],
     {"ispublic": 0}),
    ("many_comments", "Grandad's 80th birthday cake", "2013-07-07 17:20:00",
     ["birthday", "cake", "grandad", "80"], {"views": 1520}),
    ("unicode_html", "Grand-mère à Kraków — 日本 🎉", "2014-09-14 12:00:00",
     ["Kraków", "Grand-mère", "日本", "travel"],
     {"description": 'Visiting <b>Babcia</b> &amp; <a href="https://en.wikipedia.org/wiki/'
      'Krak%C3%B3w" rel="nofollow">Kraków</a> — first time in 20 years!\n\n'
      'Photos from the trip: <a href="https://www.flickr.com/photos/maggiehughes/albums">'
      'albums</a>\nTags: "quotes" & <i>italics</i> 🎉 日本語のテキスト',
      "geo": make_geo(50.061389, 19.937222, 16, "Stare Miasto", "Kraków", "Kraków",
                      "Małopolskie", "Poland")}),
    ("png", "Family tree diagram", "2014-11-02 09:00:00", ["familytree", "genealogy"],
     {"original_format": "png", "o_width": 1600, "o_height": 1200}),
    ("gif", "Baby's first steps (animated)", "2014-12-20 16:02:10", ["ella", "firststeps"],
     {"original_format": "gif", "o_width": 480, "o_height": 360}),
    ("video", "Tom's first bike ride", "2015-04-18 11:31:07", ["bike", "tom", "video"],
     {"media": "video", "original_format": "mov", "video_streams": ["site", "mobile", "hd"],
      "video_duration": 23, "o_width": 1280, "o_height": 720}),
    ("video_streams_only", "Waves at Woolacombe", "2016-08-03 14:00:40",
     ["beach", "Woolacombe", "waves"],
     {"media": "video", "original_format": "mp4", "video_original_available": False,
      "video_streams": ["700", "iphone_wifi"], "video_streams_in_sizes": False,
      "video_duration": 9, "o_width": 640, "o_height": 360}),
    ("notes_people", "Cousins reunion 2018", "2018-07-28 15:10:00",
     ["reunion", "cousins", "dc:event=reunion2018", "people:count=12", "geo:lat=51.45"], {}),
    ("exif_hidden", "Old slide scan: Mum 1972", "1972-01-01 00:00:00", ["scan", "slide", "1970s"],
     {"exif_hidden": True, "taken_granularity": 6, "date_upload": 1484480000}),
    ("no_tags", "IMG_4032", "2019-02-14 19:45:03", [], {}),
    (None, "Rock pools at Porthcurno", "2019-08-05 10:11:12", ["cornwall", "beach", "rockpools"],
     {"geo": make_geo(50.042778, -5.651944, 14, None, "Porthcurno", "Cornwall", "England",
                      "United Kingdom")}),
    (None, "Minack Theatre", "2019-08-06 19:30:00", ["cornwall", "theatre", "Minack"], {}),
    (None, "Ella and the seagull", "2019-08-07 12:40:55", ["cornwall", "ella", "seagull"],
     {"rotation": 90}),
    (None, "St Michael's Mount from Marazion", "2019-08-08 08:05:00",
     ["cornwall", "St Michael's Mount"], {"license": 2}),
    (None, "Pasty lunch", "2019-08-09 13:13:13", ["cornwall", "food"], {"taken_unknown": True}),
    (None, "Tom's graduation", "2020-07-15 14:30:00", ["graduation", "tom"], {"views": 312}),
    (None, "Lockdown sourdough", "2020-04-02 10:00:00", ["baking", "lockdown", "sourdough"], {}),
    (None, "Snow in the garden", "2021-02-08 07:55:00", ["snow", "garden", "winter"],
     {"taken_granularity": 4}),
    (None, "Kenji's visit — Osaka castle print", "2022-05-01 16:00:00", ["osaka", "castle"],
     {"max_size_label": "X-Large 4K", "o_width": 6000, "o_height": 4000}),
    (None, "Ella's first day at school", "2022-09-05 08:20:00", ["ella", "school"],
     {"ispublic": 0, "isfamily": 1}),
    (None, "Autumn leaves, Ashton Court", "2023-10-21 15:35:09", ["autumn", "Ashton Court"], {}),
    (None, "Balloon fiesta", "2023-08-12 06:30:00", ["balloons", "Bristol", "fiesta"],
     {"o_width": 1536, "o_height": 2048}),
    (None, "Gran's 95th", "2024-03-03 14:00:00", ["gran", "birthday", "family"], {}),
]

# Everyday snapshots: most photos of a family account draw no comments or faves.
_EVERYDAY_TITLES = [
    ("Pembrokeshire coast path", ["wales", "coast", "walking"]),
    ("Barafundle Bay", ["wales", "beach"]),
    ("Tenby harbour", ["wales", "tenby", "harbour"]),
    ("Ice creams on the front", ["wales", "tenby", "icecream"]),
    ("St Davids Cathedral", ["wales", "cathedral"]),
    ("Rainy day in the tent", ["wales", "camping", "rain"]),
    ("Puffin boat trip", ["wales", "puffins", "boat"]),
    ("Campsite sunset", ["wales", "camping", "sunset"]),
    ("Crabbing off the quay", ["wales", "crabbing"]),
    ("Drive home", ["travel", "car"]),
    ("IMG_2041", []),
    ("IMG_2042", []),
    ("School play costume", ["ella", "school"]),
    ("New bike", ["tom", "bike"]),
    ("Allotment courgettes", ["garden", "allotment"]),
    ("Bonfire night", ["fireworks", "november"]),
    ("Harbourside market", ["Bristol", "market"]),
    ("Cat on the windowsill", ["cat"]),
    ("Kitchen before the refit", ["house", "kitchen"]),
    ("Kitchen after the refit", ["house", "kitchen"]),
    ("Frosty morning", ["winter", "frost"]),
    ("Birthday balloons", ["birthday", "ella"]),
]

_SAMPLE_PHOTOS += [
    (None, title, f"2016-07-{10 + k // 2:02d} {9 + k % 8:02d}:{(k * 7) % 60:02d}:00" if k < 10
     else f"{2016 + k % 8}-{1 + k % 12:02d}-{1 + k:02d} 1{k % 10}:0{k % 6}:00", tags,
     {"quiet": True, **({"geo": make_geo(51.64 + k / 100, -5.0 - k / 50, 14, None, "Tenby",
                                          "Pembrokeshire", "Wales", "United Kingdom")}
                        if k % 3 == 0 else {})})
    for k, (title, tags) in enumerate(_EVERYDAY_TITLES)
]

_COMMENT_TEXTS = [
    "Lovely photo!", "What a great shot 😍", "Brings back memories…",
    "Wow, <b>stunning</b> colours!", "Miss you all x",
    'Have you seen <a href="https://www.flickr.com/photos/tomhughes/" rel="nofollow">Tom\'s</a> '
    "version?", "Happy birthday!!! 🎂🎉", "Line one\nLine two\n\nLine four",
    "Fish &amp; chips afterwards?", "Śliczne zdjęcie! Pozdrawiam z Krakowa",
    "素晴らしい写真ですね", "<i>Beautiful</i> light & shadows", "Fave! ⭐",
    "Where was this taken?", "Cake looks delicious — recipe please :-)",
]


def _sample_comments(rng, photo_id, authors, n, start):
    comments, date = [], start
    for i in range(n):
        date += rng.randint(600, 5 * _DAY)
        text = _COMMENT_TEXTS[(i + rng.randrange(len(_COMMENT_TEXTS))) % len(_COMMENT_TEXTS)]
        cid = f"48600090-{photo_id}-7215{zlib.crc32(f'{photo_id}/{i}'.encode()):010d}"
        comments.append(Comment(cid, authors[i % len(authors)].nsid, date, text))
    return comments


def _sample_faves(rng, users, start):
    date, faves = start, []
    for u in users:
        date += rng.randint(60, 3 * _DAY)
        faves.append(Fave(u.nsid, date))
    return faves


def _taken_ts(taken: str) -> int:
    return calendar.timegm(time.strptime(taken, "%Y-%m-%d %H:%M:%S"))


def _sample_uploads() -> list:
    """Upload time per _SAMPLE_PHOTOS row: a little after it was taken."""
    out = []
    for i, (_, _, taken, _, extra) in enumerate(_SAMPLE_PHOTOS):
        out.append(extra.get("date_upload") or _taken_ts(taken) + 2 * _DAY + i * 1_013)
    return out


def _sample_photo(i, rank, upload, title, taken, tags, extra) -> Photo:
    pid = str(5_627_000_000 + rank * 1_171_193_311)
    kw = dict(extra)
    kw.pop("date_upload", None)
    kw.pop("quiet", None)
    return Photo(id=pid, owner=OWNER.nsid, secret=_hex(pid + "/s"),
                 server=str(3000 + i * 1733 % 62000), farm=1 + i % 9, title=title,
                 description=kw.pop("description", f"{title}. Taken by Maggie."),
                 date_upload=upload, date_taken=taken, tags=list(tags),
                 views=kw.pop("views", 10 + i * 37 % 400),
                 last_update=kw.pop("last_update", upload + (i % 5) * 3_600), **kw)


def _sample_favorites(rng, others) -> list:
    specs = [
        (None, "Misty morning, Lake District", {}),
        ("fav_no_original", "Tokyo Tower at night", {"original_available": False}),
        ("fav_video", "Timelapse: clouds over Snowdon",
         {"media": "video", "original_format": "mp4", "video_original_available": False,
          "video_duration": 31}),
        (None, "Fox in the snow", {"license": 4}),
        (None, "Kraków Old Town square", {
            "geo": make_geo(50.061703, 19.937394, 16, "Stare Miasto", "Kraków", "Kraków",
                            "Małopolskie", "Poland")}),
        (None, "My friend's wedding", {"ispublic": 0, "isfriend": 1}),
        (None, "Puffins on Skomer", {"original_format": "png"}),
        (None, "Street food, Osaka", {"o_width": 4000, "o_height": 3000}),
    ]
    favs, special = [], {}
    for i, (key, title, extra) in enumerate(specs):
        owner = others[i % len(others)]
        pid = str(8_130_000_000 + i * 2_394_555_001)
        upload = 1_300_000_000 + i * 40_000_000
        photo = Photo(id=pid, owner=owner.nsid, secret=_hex(pid + "/s"),
                      server=str(7000 + i * 311), farm=8, title=title,
                      description="" if i % 2 else f"{title} — by {owner.realname}",
                      date_upload=upload, date_taken="2015-06-01 10:00:00",
                      tags=["favorite", title.split()[0].lower()], views=1000 + i * 977,
                      comments=[], faves=[], **extra)
        favs.append((photo, upload + 5 * _DAY + i * 3600))
        if key:
            special[key] = pid
    favs.sort(key=lambda pd: pd[1])
    return favs, special


def sample_account() -> Account:
    """The bundled 'family archive' account; see account.special for the fixtures."""
    rng = random.Random(20240101)
    account = Account(owner=User(**OWNER.__dict__))
    for u in FAMILY:
        account.add_user(User(**u.__dict__))
    account.add_user(User(**DELETED_USER.__dict__))
    taken = set(account.users) | {u.username for u in account.users.values()}
    crowd = _make_users(rng, 170, taken)
    for u in crowd:
        account.add_user(u)
    family = [account.users[u.nsid] for u in FAMILY]

    uploads = _sample_uploads()
    ranks = {i: r for r, i in enumerate(sorted(range(len(uploads)), key=uploads.__getitem__))}
    for i, (key, title, taken_at, tags, extra) in enumerate(_SAMPLE_PHOTOS):
        photo = _sample_photo(i, ranks[i], uploads[i], title, taken_at, tags, extra)
        if key:
            account.special[key] = photo.id
        quiet = extra.get("quiet", False)
        if i % 3 == 0 and key not in ("many_comments", "no_tags") and not quiet:
            photo.comments = _sample_comments(rng, photo.id, family, 1 + i % 4,
                                              photo.date_upload)
        if i % 4 == 1 and key != "many_faves" and not quiet:
            photo.faves = _sample_faves(rng, family[: 1 + i % 5], photo.date_upload)
        account.photos.append(photo)

    by_id = {p.id: p for p in account.photos}
    # many_faves: exactly 130 faves from distinct users.
    p = by_id[account.special["many_faves"]]
    p.faves = _sample_faves(rng, crowd[:130], p.date_upload)
    # many_comments: 105 comments from 40 distinct authors incl. a deleted user.
    p = by_id[account.special["many_comments"]]
    authors = family + [account.users[DELETED_USER.nsid]] + crowd[130:164]
    p.comments = _sample_comments(rng, p.id, authors, 105, p.date_upload)
    p.last_update = p.comments[-1].date
    # unicode_html: HTML and unicode in comments.
    p = by_id[account.special["unicode_html"]]
    p.comments = [
        Comment(f"48600090-{p.id}-72157001", family[2].nsid, p.date_upload + 3600,
                'Piękne! <a href="https://www.flickr.com/photos/jankowalski/" rel="nofollow">'
                "Moje zdjęcia</a>\nPozdrowienia 🎉"),
        Comment(f"48600090-{p.id}-72157002", family[4].nsid, p.date_upload + 7200,
                "日本にも来てね！ <b>絶対</b> &amp; soon"),
    ]
    p.last_update = p.date_upload + 7200
    # search_comment: a word no other text of the account has ("snickerdoodles"), in one
    # comment, beside an accent a search folds ("cafe" finds "Café").
    p = by_id[account.special["geo"]]
    p.comments.append(Comment(f"48600090-{p.id}-72157003", family[3].nsid,
                              p.comments[-1].date + 3600,
                              "Tea at the Café by the bridge after? Their snickerdoodles 😋"))
    account.special["search_comment"] = p.id
    # notes_people: notes, people tags, machine tags.
    p = by_id[account.special["notes_people"]]
    p.notes = [Note("72157710000000001", OWNER.nsid, "Uncle Piotr <b>(left)</b>", 40, 60, 90, 120),
               Note("72157710000000002", family[0].nsid, "Me & the twins", 300, 80, 150, 150)]
    p.people = [PersonTag(family[0].nsid, OWNER.nsid, 310, 90, 120, 140),
                PersonTag(family[1].nsid, OWNER.nsid),
                PersonTag(family[2].nsid, family[0].nsid, 20, 50, 100, 130)]

    favs, fav_special = _sample_favorites(rng, family[2:] + crowd[164:170])
    account.favorites = favs
    account.special.update(fav_special)

    ids = [ph.id for ph in account.photos]
    s = account.special
    account.albums = [
        Album("72157650000000001", "Cornwall Summer 2019",
              "A week in <b>Penwith</b>.\nRock pools, pasties & the Minack.", ids[17:22],
              primary=ids[18], date_create=1565600000, date_update=1565900000,
              count_views=212, count_comments=3),
        Album("72157650000000002", "Ella", "Our little girl, growing up.",
              [s["private"], s["friends_family"], s["gif"], ids[19], ids[26]],
              date_create=1354300000, date_update=1662400000, count_views=48),
        Album("72157650000000003", "Kraków & Gran — 2014 ✈", "", [s["unicode_html"], ids[0],
              s["video"], s["many_comments"]], date_create=1410800000, count_views=9,
              count_comments=1),
    ]
    _sample_structure(account, crowd)
    account.touch()
    return account


def _sample_structure(account, crowd) -> None:
    """Profile, collections, a gallery, groups and contacts of the sample account."""
    s, ids = account.special, [p.id for p in account.photos]
    account.profile = Profile(
        join_date=1154390400, first_name="Margaret", last_name="Hughes",
        occupation="Retired teacher", hometown="Truro, Cornwall", city="Bristol",
        country="United Kingdom", website="https://maggiehughes.example.org/",
        profile_description="Our family's photos since 2006: Bristol, Cornwall and Kraków.",
        description="Grandmother of three. I scan the old albums one box at a time.")
    albums = [a.id for a in account.albums]
    account.collections = [
        Collection("48600090-72157660000000001", "Family", "Everything of the family.",
                   children=[
                       Collection("48600090-72157660000000002", "Holidays",
                                  "Summers away.", album_ids=[albums[0], albums[2]]),
                       Collection("48600090-72157660000000003", "Children",
                                  "", album_ids=[albums[1]])]),
    ]
    # a gallery of other people's photos: one is also a favorite (the download is shared)
    fav = account.favorites[0][0]
    others = []
    for i, title in enumerate(("Harbour lights, Mousehole", "Wawel at first light")):
        owner = crowd[160 + i]
        pid = str(9_400_000_000 + i * 1_234_567)
        others.append(Photo(id=pid, owner=owner.nsid, secret=_hex(pid + "/s"),
                            server=str(8100 + i), farm=9, title=title,
                            description=f"{title}, by {owner.realname}",
                            date_upload=1_500_000_000 + i * 9_000_000,
                            date_taken="2016-12-24 16:30:00", tags=["gallery"],
                            views=300 + i, comments=[], faves=[]))
    account.elsewhere.extend(others)
    account.galleries = [
        Gallery("48600090-72157670000000001", "Places we have been",
                "Other people's views of <b>our</b> places.",
                [(others[0].id, "Where Tom proposed."), (fav.id, ""),
                 (others[1].id, "Gran's city, before the crowds.")],
                date_create=1560000000, date_update=1561000000, count_views=17),
    ]
    s["gallery_favorite"], s["gallery_only"] = fav.id, others[0].id
    account.groups = [
        Group("34427469792@N01", "Bristol Photographers",
              "Photos of Bristol and its people.", members=4211, others_in_pool=18344,
              pool_ids=[s["geo"], s["public"], s["many_faves"]], iconserver="4051",
              iconfarm=5),
        Group("1190467@N24", "Family History & Old Photos",
              "Scanned prints, slides and the stories behind them.", members=877,
              others_in_pool=5120, pool_ids=[s["exif_hidden"]], iconserver="0", iconfarm=0,
              privacy=2),
        Group("52241313@N00", "Cats of Flickr", "", members=120543, others_in_pool=903112),
    ]
    family = [u.nsid for u in FAMILY]
    account.contacts = [Contact(family[0], 1, 1), Contact(family[1], 0, 1),
                        Contact(family[2], 0, 1), Contact(family[3], 1, 0),
                        Contact(family[4], 1, 0), Contact(crowd[0].nsid),
                        Contact(crowd[1].nsid, 1, 0)]


# ----------------------------------------------------------------------------
# Large generated accounts (benchmarks)
# ----------------------------------------------------------------------------

_WORDS = """beach sunset family garden city street night snow river mountain portrait
dog cat flowers birthday wedding holiday train bridge lake forest party food market
autumn spring summer winter museum concert castle harbour boat skyline""".split()


def generate_account(n_photos: int, seed: int = 1, comment_share: float = 0.2,
                     fave_share: float = 0.15, geo_share: float = 0.3,
                     video_share: float = 0.03, private_share: float = 0.1,
                     n_favorites: Optional[int] = None, n_albums: Optional[int] = None,
                     n_users: int = 300, album_size: int = 200) -> Account:
    """A deterministic account with `n_photos` own photos (fast: ~100k/s-ish)."""
    rng = random.Random(seed)
    owner = User(nsid=f"{10_000_000 + seed}@N0{seed % 9}", username=f"bench_user_{seed}",
                 realname="Bench Mark", path_alias=f"bench{seed}", iconserver="1234",
                 iconfarm=2, location="Testville")
    account = Account(owner=owner)
    crowd = _make_users(rng, n_users, set(account.users))
    for u in crowd:
        account.add_user(u)
    exif_presets = [camera_exif(i) for i in range(len(CAMERAS))]  # shared, read-only
    start = 1_104_537_600  # 2005-01-01
    step = max(1, (1_700_000_000 - start) // max(1, n_photos))
    random_ = rng.random
    for i in range(n_photos):
        pid = str(1_000_000_000 + i * 7 + rng.randrange(7))
        upload = start + i * step + rng.randrange(step)
        r = random_()
        vis = (0, 0, 0) if r < private_share else (0, 1, 0) if r < private_share * 1.5 else \
            (0, 0, 1) if r < private_share * 2 else (1, 0, 0)
        video = random_() < video_share
        photo = Photo(
            id=pid, owner=owner.nsid, secret=f"{(i * 2654435761) & 0xFFFFFFFFFF:010x}",
            server=str(1000 + i % 60000), farm=1 + i % 66,
            title=f"{rng.choice(_WORDS).capitalize()} {i}", description="" if i % 3 else
            f"Photo number {i} of the benchmark account.",
            date_upload=upload, date_taken=_fmt_taken(upload - rng.randrange(30 * _DAY)),
            ispublic=vis[0], isfriend=vis[1], isfamily=vis[2],
            media="video" if video else "photo", original_format="mp4" if video else "jpg",
            tags=rng.sample(_WORDS, rng.randrange(4)), views=rng.randrange(5000),
            exif=exif_presets[i % len(exif_presets)],
            original_secret=f"{(i * 40503) & 0xFFFFFFFFFF:010x}",
            secret_h=f"{(i * 97531) & 0xFFFFFFFFFF:010x}",
            secret_k=f"{(i * 13579) & 0xFFFFFFFFFF:010x}")
        if random_() < geo_share:
            photo.geo = make_geo(round(rng.uniform(-60, 70), 6), round(rng.uniform(-180, 180), 6),
                                 rng.choice((11, 13, 16)), None, "Somewhere", None, "Region",
                                 "Country")
        if random_() < comment_share:
            photo.comments = [Comment(f"{seed}-{pid}-{k}", rng.choice(crowd).nsid,
                                      upload + (k + 1) * 3600, rng.choice(_COMMENT_TEXTS))
                              for k in range(1 + rng.randrange(4))]
        if random_() < fave_share:
            photo.faves = [Fave(u.nsid, upload + (k + 1) * 7200)
                           for k, u in enumerate(rng.sample(crowd, 1 + rng.randrange(8)))]
        account.photos.append(photo)
    _generate_favorites(account, rng, crowd, n_favorites if n_favorites is not None
                        else min(2000, n_photos // 20))
    _generate_albums(account, rng, n_albums if n_albums is not None
                     else min(500, n_photos // album_size), album_size)
    account.touch()
    return account


def _fmt_taken(ts: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def _generate_favorites(account, rng, crowd, n):
    for i in range(n):
        owner = crowd[i % len(crowd)]
        pid = str(9_000_000_000 + i * 11)
        upload = 1_200_000_000 + i * 9_000
        photo = Photo(id=pid, owner=owner.nsid, secret=f"{(i * 7919) & 0xFFFFFFFFFF:010x}",
                      server=str(2000 + i % 5000), farm=1 + i % 66, title=f"Fave {i}",
                      description="", date_upload=upload,
                      date_taken=_fmt_taken(upload - 3600), tags=["fave"],
                      original_available=rng.random() > 0.2, exif=[])
        account.favorites.append((photo, upload + 86_400 + i))


def _generate_albums(account, rng, n, size):
    ids = [p.id for p in account.photos]
    for a in range(n):
        members = ids[a * size:(a + 1) * size] or rng.sample(ids, min(size, len(ids)))
        account.albums.append(Album(f"7215760{a:010d}", f"Album {a + 1}", "",
                                    list(members), date_create=1_300_000_000 + a * 1000))

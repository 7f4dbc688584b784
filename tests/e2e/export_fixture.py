"""Flickr's account export ("Your Flickr Data") written for the fake's account.

The format is the one ../shared/flickr-export.md pieces together from public parsers:
flat ZIPs, one account-data ZIP (albums.json, account_profile.json, photo_<id>.json, the
numbered *_partNNN.json) and media ZIPs whose names carry the photo id in either style.
"""
import io
import json
import time
import zipfile

from fake_flickr.media import gif_image, jpeg_image, png_image, exif_segment, video_file


def _when(unix):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(unix))


def _privacy(p):
    if p.ispublic:
        return "public"
    return "friend & family" if (p.isfriend or p.isfamily) else "private"


def _geo(p, form):
    if not p.geo:
        return [] if form == "array" else None
    g = {"latitude": str(round(float(p.geo["latitude"]) * 1e6)),
         "longitude": str(round(float(p.geo["longitude"]) * 1e6)),
         "accuracy": str(p.geo.get("accuracy", 16))}
    return [g] if form == "array" else g


def _group_ref(nsid, name):
    return {"id": nsid, "name": name, "url": f"https://www.flickr.com/groups/{nsid}/"}


def photo_groups(account, p):
    """The groups whose pools hold p, as its photo_<id>.json names them."""
    out = [_group_ref(g.nsid, g.name) for g in account.groups if p.id in g.pool_ids]
    if p.id == account.photos[0].id:
        out.append(_group_ref(EXPORT_ONLY_GROUP, "Steam Railways"))
    return out


def photo_record(account, p, fake_url, geo_form):
    alias = account.owner.path_alias
    rec = {"id": p.id, "name": p.title, "description": p.description,
           "count_views": str(p.views), "count_faves": str(len(p.faves)),
           "count_comments": str(len(p.comments)), "date_taken": p.date_taken,
           "count_tags": str(len(p.tags)), "count_notes": str(len(p.notes)),
           "date_imported": _when(p.date_upload), "rotation": p.rotation,
           "photopage": f"https://www.flickr.com/photos/{alias}/{p.id}/",
           "original": f"{fake_url}/static/{p.server}/{p.file_name('Original')}"
                       if not p.is_video else f"{fake_url}/static/{p.server}/{p.id}_{p.secret}.jpg",
           "license": "All Rights Reserved", "exif": [], "groups": photo_groups(account, p),
           "albums": [],
           "tags": [{"tag": t, "user": f"https://www.flickr.com/photos/{alias}/",
                     "date_create": _when(p.date_upload)} for t in p.tags],
           "people": [], "notes": [], "privacy": _privacy(p),
           "comment_permissions": "any flickr member", "tagging_permissions": "people you follow",
           "safety": "safe",
           "comments": [{"id": c.id, "date": _when(c.date), "user": c.author,
                         "comment": c.text,
                         "url": f"https://www.flickr.com/photos/{alias}/{p.id}/#comment{c.id}"}
                        for c in p.comments]}
    geo = _geo(p, geo_form)
    if geo is not None:
        rec["geo"] = geo
    return rec


def original_bytes(p, full_size=False):
    """The export's original: the fake's, or drawn at the size Flickr reports."""
    if p.is_video:
        return video_file(p, "orig")[0]
    from fake_flickr.media import photo_file
    if not full_size:
        return photo_file(p, "Original")[0]
    w, h = p.o_width, p.o_height
    seed = f"photo/{p.id}"
    if p.frame_format == "png":
        return png_image(seed, w, h, "export")
    if p.frame_format == "gif":
        return gif_image(seed, w, h, frames=1, comment="export")
    return jpeg_image(seed, w, h, [exif_segment(p)])


def media_name(p, style):
    ext = p.original_format if p.is_video else p.frame_format
    slug = p.title.lower().replace(" ", "-").replace("'", "")
    if style == "slug":
        return f"{slug}_{p.id}.{ext}" if p.is_video else f"{slug}_{p.id}_o.{ext}"
    return f"{p.id}_{p.original_secret}_o.{ext}"


# A gallery, a group and a contact the account had when the export was made and has no more
EXPORT_ONLY_GALLERY = "72157670000000099"
EXPORT_ONLY_GROUP = "70000001@N00"
FOLLOWER = "44556677@N01"


def _people_url(u):
    return f"https://www.flickr.com/people/{u.path_alias or u.nsid}/"


def account_structure_members(account):
    """galleries.json, groups.json, contacts and followers: the account's as the export has them.

    The gallery ids lack the owner's number (the export's form is unconfirmed), the contacts
    are {display name: profile URL} (an NSID or a path alias), one contact has a URL that
    names neither.
    """
    galleries = [{"id": g.id.split("-", 1)[1], "title": g.title, "description": g.description,
                  "photo_count": str(len(g.photos)), "view_count": str(g.count_views),
                  "photos": [pid for pid, _ in g.photos]} for g in account.galleries]
    galleries.append({"id": EXPORT_ONLY_GALLERY, "title": "Trains, 2009", "description": "",
                      "photo_count": "1", "view_count": "3", "photos": ["9400000000"]})
    groups = [{"id": g.nsid, "name": g.name, "url": f"https://www.flickr.com/groups/{g.nsid}/",
               "user_role": "admin" if g.admin else "member"} for g in account.groups]
    groups.append({"id": EXPORT_ONLY_GROUP, "name": "Steam Railways",
                   "url": f"https://www.flickr.com/groups/{EXPORT_ONLY_GROUP}/",
                   "user_role": "member"})
    contacts = {account.users[c.nsid].realname or account.users[c.nsid].username:
                _people_url(account.users[c.nsid]) for c in account.contacts}
    contacts["Tom"] = "https://x/tom/"
    return [("galleries.json", json.dumps({"galleries": galleries})),
            ("groups.json", json.dumps({"groups": groups})),
            ("contacts_part001.json", json.dumps({"contacts": contacts})),
            ("followers_part001.json", json.dumps({"followers": {
                "Ann Follower": f"https://www.flickr.com/people/{FOLLOWER}/"}}))]


def account_members(account, fake_url, geo_form="array"):
    """[(name, bytes)] of the account-data ZIP."""
    o = account.owner
    out = [("account_profile.json", json.dumps({
        "real_name": o.realname, "join_date": "2008-01-01 00:00:00", "description": "",
        "nsid": o.nsid, "path_alias": o.path_alias, "screen_name": o.username,
        "pro_user": "no", "profile_url": f"https://www.flickr.com/people/{o.path_alias}/"}))]
    out.append(("albums.json", json.dumps({"albums": [
        {"id": a.id, "title": a.title, "description": a.description, "url": "",
         "photo_count": str(len(a.photo_ids)), "view_count": "0", "created": "1400000000",
         "last_updated": "1400000000", "cover_photo": "", "photos": list(a.photo_ids) + ["0"]}
        for a in account.albums]})))
    out.extend(account_structure_members(account))
    out.append(("received_flickrmail_part001.json", json.dumps({"flickrmail": [
        {"from": "tom", "subject": "hi", "body": "hello"}]})))
    for p in account.photos:
        out.append((f"photo_{p.id}.json",
                    json.dumps(photo_record(account, p, fake_url, geo_form))))
    return out


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return path


def write_export(dirpath, account, fake_url, style="slug", geo_form="array", full_size=False,
                 media_zips=2):
    """The export's ZIPs in dirpath: [account data, media 1..N]."""
    dirpath.mkdir(parents=True, exist_ok=True)
    paths = [write_zip(dirpath / "72157724905358313_3ac1836c2225_part1.zip",
                       account_members(account, fake_url, geo_form))]
    photos = list(account.photos)
    for n in range(media_zips):
        members = [(media_name(p, style), original_bytes(p, full_size))
                   for p in photos[n::media_zips]]
        paths.append(write_zip(dirpath / f"data-download-{n + 1}.zip", members))
    return paths

"""The account's structure on the site (issue 15): the profile on the front page, a page
per collection, gallery and group, the contacts on the people pages, and the group,
gallery and collection names in the search index."""
import pytest

from test_site import check_links, check_no_script_injection, load_search_index, read_page, \
    snapshot, sync_ok, changed


@pytest.fixture
def site(archiver):
    sync_ok(archiver)
    return archiver.archive


def test_front_page_shows_the_profile(site, account):
    page = read_page(site / "index.html")
    prof = account.profile
    assert "profile" in page.ids
    assert page.ids["profile-name"] is not None and "Margaret Hughes" in page.text
    for fact in ("maggie.hughes", "Bristol, United Kingdom", prof.occupation, prof.hometown,
                 prof.description, "1 Aug 2006"):
        assert fact in page.text, fact
    assert page.all("a", href=prof.website)
    # the owner's own avatar, archived
    assert page.all("img", src=f"avatars/{account.owner.nsid}.jpg")
    assert (site / "avatars" / f"{account.owner.nsid}.jpg").is_file()
    for link in ("link-collections", "link-galleries", "link-groups", "link-contacts"):
        assert link in page.ids


def test_a_page_per_collection_with_its_tree(site, account):
    top = account.collections[0]
    page = read_page(site / "site" / "collections.html")
    assert [t for t in ("Family", "Holidays", "Children") if t in page.text] == \
        ["Family", "Holidays", "Children"]
    holidays = top.children[0]
    sub = read_page(site / "site" / "collection" / f"{holidays.id}.html")
    assert "Holidays" in sub.text and holidays.description in sub.text
    for album_id in holidays.album_ids:
        assert sub.all("a", href=f"../album/{album_id}.html"), album_id
    family = read_page(site / "site" / "collection" / f"{top.id}.html")
    for child in top.children:
        assert family.all("a", href=f"../collection/{child.id}.html"), child.id


def test_a_page_per_gallery_with_comments_and_shared_favorite(site, account):
    gallery = account.galleries[0]
    page = read_page(site / "site" / "gallery" / f"{gallery.id}.html")
    assert gallery.title in page.text
    for _, comment in gallery.photos:
        assert comment in page.text
    # the gallery's favorite links to its archived page
    assert page.all("a", href=f"../fave/{account.gallery_favorite}.html")
    assert gallery.title in read_page(site / "site" / "galleries.html").text


def test_a_page_per_group_with_the_pool_items(site, account):
    group = account.groups[0]
    page = read_page(site / "site" / "group" / f"{group.nsid}.html")
    assert group.name in page.text and group.description in page.text
    assert "4211 members" in page.text
    for pid in group.pool_ids:
        assert page.all("a", href=f"../photo/{pid}.html"), pid
    empty = read_page(site / "site" / "group" / f"{account.groups[2].nsid}.html")
    assert "None of this archive's photos is in the pool" in empty.text
    listing = read_page(site / "site" / "groups.html")
    for g in account.groups:
        assert g.name in listing.text


def test_contacts_on_the_people_pages(site, account):
    page = read_page(site / "site" / "people.html")
    assert "contacts" in page.ids
    cards = page.all("li", **{"class": "person-card contact-card"})
    assert sorted(c["data-nsid"] for c in cards) == sorted(c.nsid for c in account.contacts)
    tom = read_page(site / "site" / "person" / "61728349@N02.html")
    assert "contact-badge" in tom.ids and "friend" in tom.text and "family" in tom.text
    stranger = account.contacts[5].nsid          # a contact who did nothing else
    assert (site / "site" / "person" / f"{stranger}.html").is_file()


def test_group_and_gallery_names_are_searchable(site, account):
    index = load_search_index(site)
    pages = {(kind, pid): name for kind, pid, name in index["pages"]}
    assert pages[("group", account.groups[0].nsid)] == "Bristol Photographers"
    assert pages[("gallery", account.galleries[0].id)] == "Places we have been"
    assert pages[("collection", account.collections[0].children[0].id)] == "Holidays"
    for kind, pid in pages:
        assert (site / "site" / kind / f"{pid}.html").is_file()


def test_structure_pages_link_locally_and_rewrite_nothing_unchanged(archiver, site):
    assert check_links(site) == []
    assert check_no_script_injection(site) == []
    before = snapshot(site)
    sync_ok(archiver)
    assert changed(before, snapshot(site)) == []


def test_hostile_structure_text_is_escaped(archiver, account):
    account.galleries[0].title = '<script>alert("g")</script>Gallery'
    account.groups[0].name = '</h1><img src=x onerror=alert(1)>'
    account.profile.website = "javascript:alert(2)"
    account.collections[0].title = '"><script>alert(3)</script>'
    sync_ok(archiver)
    site = archiver.archive
    assert check_no_script_injection(site) == []
    assert not read_page(site / "index.html").all("a", href="javascript:alert(2)")

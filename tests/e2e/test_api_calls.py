"""The API budget: calls per item on the sample account, and the count-extras fallback."""
import re

from conftest import verify_archive


def calls_reported(stderr):
    return int(re.search(r"API calls: (\d+)", stderr).group(1))


def test_api_calls_per_item(archiver, fake, account):
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    items = len(account.photos) + len(account.favorites) + \
        sum(len(g.photos) for g in account.galleries)
    calls = calls_reported(r.stderr)
    assert calls == fake.total_api_calls
    per_item = calls / items
    print(f"\nsample account: {items} items, {calls} API calls, {per_item:.2f} per item; "
          f"by method: {dict(sorted(fake.calls.items()))}")
    assert per_item <= 2.0
    # no per-photo call that the listing's extras make unnecessary
    assert fake.calls["flickr.photos.getSizes"] == sum(p.is_video for p in account.photos) + \
        sum(p.is_video for p, _ in account.favorites)
    with_comments = [p for p in account.photos if p.comments]
    with_comments += [p for p, _ in account.favorites if p.comments]
    assert fake.calls["flickr.photos.comments.getList"] == len(with_comments)
    # each person comes with their comment/fave: getInfo is asked for the account's profile only
    assert fake.calls["flickr.people.getInfo"] == 1


def test_without_count_extras_the_archive_is_still_complete(archiver, fake, account):
    fake.count_extras = False
    r = archiver.sync()
    assert r.returncode == 0, r.stderr
    verify_archive(archiver, account)
    # the fave count comes from a first getFavorites page for every item instead
    assert fake.calls["flickr.photos.getFavorites"] >= len(account.photos)
